// A project's page: the video's player is created only when the visitor clicks "Voir la
// vidéo" (no request to its host before), and "Copier le lien" copies the page's address.
(function () {
  "use strict";
  document.querySelectorAll("[data-video-src]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var box = button.closest("[data-video-box]");
      var frame = document.createElement("iframe");
      frame.src = button.dataset.videoSrc;
      frame.title = button.dataset.videoTitle;
      frame.allow = "autoplay; fullscreen; picture-in-picture";
      frame.allowFullscreen = true;
      frame.referrerPolicy = "strict-origin-when-cross-origin";
      box.replaceWith(frame);
      frame.focus();
    });
  });
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.dataset.copy);
    var status = document.querySelector("[data-copy-status]");
    if (!field || !navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(
        function () { status.textContent = "Lien copié."; },
        function () { field.select(); status.textContent = "Sélectionnez l’adresse et copiez-la."; }
      );
    });
  });
})();
