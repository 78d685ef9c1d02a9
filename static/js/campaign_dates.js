// The end of a new campaign from its start and the duration agreed at the first meeting
// (data-duration-days on the end field), while the end is blank or still the one computed.
// Without this script, the duration is written under the end field.
(function () {
  "use strict";
  var start = document.getElementById("id_starts_on");
  var end = document.getElementById("id_ends_on");
  if (!start || !end || !end.getAttribute("data-duration-days")) return;
  var days = parseInt(end.getAttribute("data-duration-days"), 10);
  if (!(days > 0)) return;

  // The start day is the campaign's first day, as campaigns/prefill.py counts.
  function endFrom(value) {
    var day = new Date(value + "T12:00:00Z");
    if (isNaN(day.getTime())) return "";
    day.setUTCDate(day.getUTCDate() + days - 1);
    return day.toISOString().slice(0, 10);
  }

  var computed = start.value && end.value === endFrom(start.value) ? end.value : null;
  start.addEventListener("change", function () {
    if (!start.value || (end.value && end.value !== computed)) return;
    computed = endFrom(start.value);
    end.value = computed;
  });
})();
