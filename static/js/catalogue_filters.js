// The catalogue on a phone: the search box stays, the other filters fold behind "Plus de
// filtres" so that the first projects show in the first screen. Filters in use stay open;
// without JavaScript (or on a wider screen) every filter shows.
(function () {
  "use strict";
  var region = document.getElementById("filtres-detail");
  var toggle = document.getElementById("filtres-bouton");
  if (!region || !toggle || region.dataset.active === "1") return;
  if (window.matchMedia("(min-width: 768px)").matches) return;
  region.classList.add("collapse");
  toggle.setAttribute("aria-expanded", "false");
  toggle.hidden = false;
})();
