// The team's dossier page as a workspace (templates/projects/team_project.html).
// Without this script every section shows one after the other and the menu's links jump to
// them; with it, one section shows at a time, chosen by the menu or by the address's anchor
// (#accompagnement, #documents, #chiffres-12…: the links and redirects that point into the
// page keep working). The "Plus d'actions" disclosure also closes with Escape or a click
// outside it.
(function () {
  "use strict";

  var panes = document.querySelector("[data-dossier-panes]");
  var menu = document.querySelector("[data-dossier-menu]");
  if (panes && menu) {
    var links = Array.prototype.slice.call(menu.querySelectorAll("a[href^='#']"));
    var all = Array.prototype.slice.call(panes.querySelectorAll("[data-pane]"));

    var paneOf = function (id) {
      var target = id ? document.getElementById(id) : null;
      return target && panes.contains(target) ? target.closest("[data-pane]") : null;
    };

    var show = function (pane) {
      all.forEach(function (each) {
        each.hidden = each !== pane;
      });
      links.forEach(function (link) {
        var current = paneOf(link.hash.slice(1)) === pane;
        link.classList.toggle("active", current);
        if (current) link.setAttribute("aria-current", "true");
        else link.removeAttribute("aria-current");
      });
    };

    var follow = function () {
      var id = decodeURIComponent(window.location.hash.slice(1));
      var pane = paneOf(id);
      if (!pane) {
        show(paneOf(panes.dataset.opening) || all[0]);
        return;
      }
      show(pane);
      var target = document.getElementById(id);
      // A section's own anchor: the menu on top, the section under it; an anchor inside a
      // section (figures to check, a form): that very place.
      var isSection = links.some(function (link) {
        return link.hash.slice(1) === id;
      });
      (isSection ? menu : target).scrollIntoView({ block: "start" });
    };

    panes.classList.add("is-enhanced");
    follow();
    window.addEventListener("hashchange", follow);
    // A link to the page's own anchor that is already in the address does not fire
    // "hashchange": show its section all the same (e.g. the next step "#nouveaux-chiffres").
    document.addEventListener("click", function (event) {
      var link = event.target.closest("a[href*='#']");
      if (!link || link.pathname !== window.location.pathname) return;
      if (link.hash && link.hash === window.location.hash) follow();
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-more-actions]"), function (more) {
    var summary = more.querySelector("summary");
    more.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && more.open) {
        more.open = false;
        summary.focus();
      }
    });
    document.addEventListener("click", function (event) {
      if (more.open && !more.contains(event.target)) more.open = false;
    });
  });
})();
