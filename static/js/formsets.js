// Rows added and removed in the browser for a Django formset rendered by
// templates/coaching/_formset_table.html, and a live total of one of its columns.
// Progressive enhancement: without this script the server's blank rows and "Supprimer" boxes
// do the same job, and the server computes the total when the page is rendered.
//
// <div data-formset="PREFIX" data-text-added="… {number} …" data-text-removed="…">
//   the management form, a <tbody data-formset-rows> of <tr data-formset-row> (saved rows also
//   carry data-formset-saved), a <template data-formset-template> holding the empty form's row
//   (its names use __prefix__), a hidden [data-formset-actions] with a [data-formset-add]
//   button, and a [data-formset-status] live region.
// <p data-formset-total="PREFIX" data-amount-field="amount" data-share-field="source"
//    data-share-value="crowdfunding" data-text-total="… {total} …" data-text-share="… {share} …">
(function () {
  "use strict";

  var NBSP = "\u00a0";

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (match, key) {
      return key in values ? values[key] : match;
    });
  }

  function escapeRegExp(text) {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }

  // "81 125" with non-breaking spaces, as Django's floatformat:"0g" writes it in French.
  function groupThousands(integer) {
    return String(integer).replace(/\B(?=(\d{3})+(?!\d))/g, NBSP);
  }

  // The amount typed in a number field, in cents; null when empty, invalid or not positive
  // (the server refuses those lines, so they count for nothing).
  function cents(input) {
    if (!input || input.value === "") return null;
    var value = Number(input.value.replace(",", "."));
    if (!isFinite(value) || value <= 0) return null;
    return Math.round(value * 100);
  }

  // coaching/rules.py crowdfunding_share: the share in tenths of a percent, rounded as
  // Decimal.quantize rounds by default (half to even), computed on integers to be exact.
  function shareInTenths(part, total) {
    var scaled = part * 1000;
    var quotient = Math.floor(scaled / total);
    var twiceRest = 2 * (scaled - quotient * total);
    if (twiceRest > total || (twiceRest === total && quotient % 2 === 1)) quotient += 1;
    return quotient;
  }

  function setupFormset(root) {
    var prefix = root.getAttribute("data-formset");
    var totalForms = root.querySelector('input[name="' + prefix + '-TOTAL_FORMS"]');
    var maxForms = root.querySelector('input[name="' + prefix + '-MAX_NUM_FORMS"]');
    var body = root.querySelector("[data-formset-rows]");
    var template = root.querySelector("template[data-formset-template]");
    var actions = root.querySelector("[data-formset-actions]");
    var addButton = root.querySelector("[data-formset-add]");
    var status = root.querySelector("[data-formset-status]");
    if (!totalForms || !body || !template || !addButton) return;
    var indexPattern = new RegExp("^(" + escapeRegExp(prefix) + "-)(\\d+)(-)");
    var maximum = maxForms ? parseInt(maxForms.value, 10) : 1000;

    function rows() {
      return Array.prototype.slice.call(body.querySelectorAll("tr[data-formset-row]"));
    }

    function visibleRows() {
      return rows().filter(function (row) {
        return !row.hidden;
      });
    }

    function deleteBox(row) {
      return row.querySelector('input[type="checkbox"][name$="-DELETE"]');
    }

    function rowIndex(row) {
      var named = row.querySelector("[name]");
      var match = named && indexPattern.exec(named.getAttribute("name"));
      return match ? parseInt(match[2], 10) : -1;
    }

    function announce(text) {
      if (!status) return;
      // A changed text is announced; the same text twice in a row is not, so clear it first.
      status.textContent = "";
      window.setTimeout(function () {
        status.textContent = text;
      }, 50);
    }

    function changed() {
      root.dispatchEvent(new CustomEvent("formset:changed", { bubbles: true }));
    }

    // The visible rows are numbered 1, 2, 3… in their labels ("Source, ligne 2").
    function renumber() {
      visibleRows().forEach(function (row, position) {
        row.querySelectorAll("[data-formset-number]").forEach(function (number) {
          number.textContent = String(position + 1);
        });
      });
      var full = parseInt(totalForms.value, 10) >= maximum;
      addButton.disabled = full;
    }

    // A new row's fields move down one index when a new row above it goes: the server reads
    // rows 0 to TOTAL_FORMS - 1.
    function shiftIndex(row, newIndex) {
      ["name", "id", "for", "aria-describedby"].forEach(function (attribute) {
        row.querySelectorAll("[" + attribute + "]").forEach(function (element) {
          var value = element.getAttribute(attribute);
          var updated = value
            .split(" ")
            .map(function (token) {
              return token.replace(
                new RegExp("^(id_)?(" + escapeRegExp(prefix) + "-)\\d+(-)"),
                "$1$2" + newIndex + "$3"
              );
            })
            .join(" ");
          if (updated !== value) element.setAttribute(attribute, updated);
        });
      });
    }

    function enhance(row) {
      var button = row.querySelector("[data-formset-remove]");
      if (button) button.hidden = false;
    }

    function add() {
      var index = parseInt(totalForms.value, 10);
      if (index >= maximum) {
        announce(root.getAttribute("data-text-full") || "");
        return;
      }
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      body.insertAdjacentHTML("beforeend", html);
      totalForms.value = String(index + 1);
      var row = rows().pop();
      enhance(row);
      renumber();
      var first = row.querySelector("input:not([type=hidden]), select, textarea");
      if (first) first.focus();
      announce(fill(root.getAttribute("data-text-added") || "", { number: visibleRows().length }));
      changed();
    }

    function remove(row) {
      var visible = visibleRows();
      var position = visible.indexOf(row);
      var number = position + 1;
      if (row.hasAttribute("data-formset-saved")) {
        // A saved row is deleted by the server when its box is ticked.
        var box = deleteBox(row);
        if (box) box.checked = true;
        row.hidden = true;
      } else {
        var removedIndex = rowIndex(row);
        row.remove();
        rows().forEach(function (other) {
          var index = rowIndex(other);
          if (index > removedIndex) shiftIndex(other, index - 1);
        });
        totalForms.value = String(parseInt(totalForms.value, 10) - 1);
      }
      renumber();
      // Focus goes to the row that took its place, else the one before, else "Ajouter".
      var remaining = visibleRows();
      var next = remaining[position] || remaining[position - 1];
      var target = next ? next.querySelector("[data-formset-remove]") : addButton;
      (target || addButton).focus();
      announce(fill(root.getAttribute("data-text-removed") || "", { number: number }));
      changed();
    }

    root.classList.add("formset-js");
    rows().forEach(function (row) {
      enhance(row);
      // Sent back with errors: a row ticked for deletion stays out of sight, as before.
      var box = deleteBox(row);
      if (box && box.checked && row.hasAttribute("data-formset-saved")) row.hidden = true;
    });
    renumber();
    if (actions) actions.hidden = false;
    addButton.addEventListener("click", add);
    body.addEventListener("click", function (event) {
      var button = event.target.closest("[data-formset-remove]");
      if (button && body.contains(button)) remove(button.closest("tr[data-formset-row]"));
    });
  }

  function setupTotal(output) {
    var prefix = output.getAttribute("data-formset-total");
    var root = document.querySelector('[data-formset="' + prefix + '"]');
    if (!root) return;
    var amountField = output.getAttribute("data-amount-field");
    var shareField = output.getAttribute("data-share-field");
    var shareValue = output.getAttribute("data-share-value");
    var status = root.querySelector("[data-formset-status]");

    function field(row, name) {
      return row.querySelector('[name$="-' + name + '"]');
    }

    function compute() {
      var total = 0;
      var part = 0;
      root.querySelectorAll("tr[data-formset-row]").forEach(function (row) {
        var box = field(row, "DELETE");
        if (row.hidden || (box && box.checked)) return;
        var amount = cents(field(row, amountField));
        if (amount === null) return;
        total += amount;
        var source = field(row, shareField);
        if (source && source.value === shareValue) part += amount;
      });
      // floatformat:"0g": whole euros, halves rounded up.
      var text = fill(output.getAttribute("data-text-total"), {
        total: groupThousands(Math.floor((total + 50) / 100)),
      });
      if (total > 0) {
        var tenths = shareInTenths(part, total);
        var share = Math.floor(tenths / 10) + "," + (tenths % 10);
        text += " — " + fill(output.getAttribute("data-text-share"), { share: share });
      }
      return text;
    }

    function update() {
      output.textContent = compute();
    }

    root.addEventListener("input", update);
    root.addEventListener("formset:changed", update);
    // Said once the value is settled (leaving the field), not at every keystroke.
    root.addEventListener("change", function () {
      update();
      if (status) status.textContent = output.textContent;
    });
    update();
  }

  document.querySelectorAll("[data-formset]").forEach(setupFormset);
  document.querySelectorAll("[data-formset-total]").forEach(setupTotal);
  document.querySelectorAll("[data-formset-nojs]").forEach(function (element) {
    element.hidden = true;
  });
})();
