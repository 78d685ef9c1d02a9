// "Position sur la carte" on the team's dossier page: a small Leaflet map where a click, or a
// dragged marker, fills the latitude and longitude fields. The fields stay visible and typed
// values move the marker: they are the accessible way, and the only one without JavaScript.
// The map must work without its tiles (tests run offline): only the marker and clicks count.
(function () {
  "use strict";
  var element = document.getElementById("carte-position");
  var latitude = document.getElementById("id_latitude");
  var longitude = document.getElementById("id_longitude");
  if (!element || !latitude || !longitude || typeof L === "undefined") return;

  var DEPARTMENT = [50.49, 2.3]; // the middle of the Pas-de-Calais, when nothing else is known
  var number = function (text) {
    var value = parseFloat(String(text).replace(",", "."));
    return isFinite(value) ? value : null;
  };
  var typed = function () {
    var lat = number(latitude.value);
    var lng = number(longitude.value);
    return lat === null || lng === null ? null : [lat, lng];
  };
  var known = [number(element.dataset.latitude), number(element.dataset.longitude)];
  var start = typed() || (known[0] !== null && known[1] !== null ? known : null);

  element.hidden = false;
  var map = L.map(element).setView(start || DEPARTMENT, start ? 13 : 9);
  L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
    maxZoom: 18,
    attribution: '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>',
  }).addTo(map);
  var marker = L.marker(start || DEPARTMENT, {
    draggable: true,
    title: element.dataset.markerTitle,
    alt: element.dataset.markerTitle,
    icon: L.icon({
      iconUrl: element.dataset.markerIcon,
      iconRetinaUrl: element.dataset.markerIcon2x,
      shadowUrl: element.dataset.markerShadow,
      iconSize: [25, 41],
      iconAnchor: [12, 41],
      shadowSize: [41, 41],
    }),
  }).addTo(map);

  // Five decimals: what the form keeps (about a metre).
  var fill = function (point) {
    latitude.value = point.lat.toFixed(5);
    longitude.value = point.lng.toFixed(5);
    latitude.dispatchEvent(new Event("change", { bubbles: true }));
  };
  map.on("click", function (event) {
    marker.setLatLng(event.latlng);
    fill(event.latlng);
  });
  marker.on("dragend", function () {
    fill(marker.getLatLng());
  });
  var follow = function () {
    var point = typed();
    if (point) marker.setLatLng(point);
  };
  latitude.addEventListener("input", follow);
  longitude.addEventListener("input", follow);

  // A map drawn while its section was hidden has no size: redraw it when it shows.
  if (window.ResizeObserver) {
    new ResizeObserver(function () {
      map.invalidateSize();
    }).observe(element);
  }
})();
