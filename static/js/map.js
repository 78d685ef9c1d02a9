// The map of labelled projects: Leaflet with OpenStreetMap tiles, one marker per project.
// The points come from a JSON script element (no inline script, for the CSP).
(function () {
  "use strict";
  var element = document.getElementById("carte");
  var data = document.getElementById("points-carte");
  if (!element || !data || typeof L === "undefined") return;
  var points = JSON.parse(data.textContent);
  var map = L.map(element).setView([50.5, 2.3], 9);
  L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
    maxZoom: 18,
    attribution: '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>',
  }).addTo(map);
  var icon = L.icon({
    iconUrl: element.dataset.markerIcon,
    iconRetinaUrl: element.dataset.markerIcon2x,
    shadowUrl: element.dataset.markerShadow,
    iconSize: [25, 41],
    iconAnchor: [12, 41],
    popupAnchor: [1, -34],
    shadowSize: [41, 41],
  });
  var bounds = [];
  points.forEach(function (point) {
    var link = document.createElement("a");
    link.href = point.url;
    link.textContent = point.title;
    var popup = document.createElement("div");
    popup.appendChild(link);
    popup.appendChild(document.createTextNode(" — " + point.commune));
    L.marker([point.lat, point.lng], { icon: icon, title: point.title, alt: point.title })
      .addTo(map)
      .bindPopup(popup);
    bounds.push([point.lat, point.lng]);
  });
  if (bounds.length > 1) map.fitBounds(bounds, { padding: [30, 30] });
})();
