// "Noter l'échange" on a reminder opens its form (a <details>, which works without this
// script); once open, the cursor goes to the notes, so that the cheffe can type at once.
(function () {
  "use strict";
  document.querySelectorAll("details.reminder-answer").forEach(function (details) {
    details.addEventListener("toggle", function () {
      if (!details.open) return;
      var notes = details.querySelector("textarea");
      if (notes) notes.focus();
    });
  });
})();
