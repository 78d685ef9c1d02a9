// The label kit: a "Copier le code" button for the snippet (without JavaScript, the textarea
// stays there to select and copy by hand; the button is hidden).
(function () {
  "use strict";
  var script = document.currentScript;
  var copied = script ? script.dataset.copied : "";
  var failed = script ? script.dataset.failed : "";
  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    var source = document.getElementById(button.dataset.copyTarget);
    var status = button.parentElement.querySelector("[data-copy-status]");
    if (!source) return;
    button.hidden = false;
    function say(text) { if (status) status.textContent = text; }
    function fallback() {
      source.focus();
      source.select();
      try {
        say(document.execCommand("copy") ? copied : failed);
      } catch (error) {
        say(failed);
      }
    }
    button.addEventListener("click", function () {
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(source.value).then(function () { say(copied); }, fallback);
      } else {
        fallback();
      }
    });
  });
})();
