// Shows, under the amounts, the crowdfunding share of the budget while the porteur types,
// in the page's own (translated, typeset) text.
(function () {
  "use strict";
  var budget = document.getElementById("id_total_budget");
  var amount = document.getElementById("id_crowdfunding_amount");
  var output = document.getElementById("part-participatif");
  if (!budget || !amount || !output) return;
  function update() {
    var b = parseFloat(budget.value.replace(",", "."));
    var a = parseFloat(amount.value.replace(",", "."));
    if (b > 0 && a > 0) {
      var share = (a * 100 / b).toLocaleString("fr-FR", { maximumFractionDigits: 1 });
      output.textContent = output.dataset.text.replace("{share}", share);
    } else {
      output.textContent = "";
    }
  }
  budget.addEventListener("input", update);
  amount.addEventListener("input", update);
})();
