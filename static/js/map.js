// The map of labelled projects: Leaflet with OpenStreetMap tiles, one marker per project,
// coloured and shaped by its campaign's state (the legend above the map), grouped by
// Leaflet.markercluster so that projects of one commune never hide each other.
// The points come from a compact JSON document (/carte/points.json, named by the map's
// data-points-url): each point a list of values in the order of the document's "fields", each
// state's words once in "statuses". The table under the map lists the same projects.
(function () {
  "use strict";
  var element = document.getElementById("carte");
  if (!element || !element.dataset.pointsUrl || typeof L === "undefined") return;
  var map = L.map(element).setView([50.5, 2.3], 9);
  L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
    maxZoom: 18,
    attribution: '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>',
  }).addTo(map);

  function icon(status) {
    return L.divIcon({
      className: "",
      html: '<span class="map-marker map-marker-' + status + '"></span>',
      iconSize: [24, 24],
      iconAnchor: [12, 12],
      popupAnchor: [0, -12],
    });
  }

  function popup(point) {
    var box = document.createElement("div");
    if (point.image) {
      // The cover's smallest variant; decorative here, the title follows as the link.
      var image = document.createElement("img");
      image.src = point.image;
      image.alt = "";
      image.width = 200;
      image.className = "map-popup-image d-block mb-1";
      image.loading = "lazy";
      image.style.maxWidth = "100%";
      image.style.height = "auto";
      box.appendChild(image);
    }
    var title = document.createElement("a");
    title.href = point.url;
    title.textContent = point.title;
    title.className = "fw-semibold";
    box.appendChild(title);
    [point.commune, point.status_label, point.amount].forEach(function (text) {
      if (!text) return;
      var line = document.createElement("div");
      line.textContent = text;
      box.appendChild(line);
    });
    return box;
  }

  function draw(document_) {
    var fields = document_.fields;
    var points = document_.points.map(function (values) {
      var point = {};
      fields.forEach(function (name, index) {
        point[name] = values[index];
      });
      point.status_label = document_.statuses[point.status];
      return point;
    });
    var group = L.markerClusterGroup
      ? L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 40 })
      : L.layerGroup();
    var bounds = [];
    points.forEach(function (point) {
      var marker = L.marker([point.lat, point.lng], {
        icon: icon(point.status),
        title: point.title + " — " + point.status_label,
        alt: point.title,
        keyboard: true,
      }).bindPopup(popup(point));
      group.addLayer(marker);
      bounds.push([point.lat, point.lng]);
    });
    map.addLayer(group);
    // For the browser test: every project with a position is a marker, clustered or not.
    element.dataset.markers = String(group.getLayers().length);
    if (bounds.length > 1) map.fitBounds(bounds, { padding: [30, 30] });
  }

  fetch(element.dataset.pointsUrl, { credentials: "same-origin" })
    .then(function (response) {
      if (!response.ok) throw new Error(response.status);
      return response.json();
    })
    .then(draw, function () {
      // No markers; the table under the map still lists the projects.
      element.dataset.markers = "0";
    });
})();
