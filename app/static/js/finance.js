// Voucher entry: each basis's debit and credit totals and their difference, as you type.
// Progressive enhancement only: the server computes and checks the same on submit.
(function () {
  "use strict";
  var table = document.querySelector("table.fin-lines");
  var totals = document.querySelector("table.fin-totals");
  if (!table || !totals) { return; }
  var bases = {};
  try { bases = JSON.parse(table.getAttribute("data-bases") || "{}"); } catch (e) { return; }

  // Amounts in fen (integers), so 0.1 + 0.2 is exactly 0.30.
  function fen(text) {
    var clean = String(text || "").replace(/[,，\s]/g, "");
    if (!/^\d+(\.\d{1,2})?$/.test(clean)) { return null; }
    var parts = clean.split(".");
    var cents = (parts[1] || "").concat("00").slice(0, 2);
    return parseInt(parts[0], 10) * 100 + parseInt(cents, 10);
  }

  function show(value) {
    var sign = value < 0 ? "-" : "";
    var abs = Math.abs(value);
    var yuan = String(Math.floor(abs / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    var cents = String(abs % 100).padStart(2, "0");
    return sign + yuan + "." + cents;
  }

  function recompute() {
    var sums = { financial: [0, 0], budget: [0, 0] };
    table.querySelectorAll("tr.fin-line").forEach(function (row) {
      var account = row.querySelector("td.fin-account select");
      var basis = account ? bases[account.value] : null;
      ["debit", "credit"].forEach(function (side, i) {
        var input = row.querySelector("input.fin-" + side);
        if (!input) { return; }
        var value = input.value.trim() === "" ? 0 : fen(input.value);
        input.classList.toggle("fin-bad-amount", value === null);
        if (basis && value !== null) { sums[basis][i] += value; }
      });
    });
    Object.keys(sums).forEach(function (basis) {
      var row = totals.querySelector('tr[data-basis="' + basis + '"]');
      if (!row) { return; }
      var dr = sums[basis][0], cr = sums[basis][1];
      row.querySelector('[data-total="debit"]').textContent = show(dr);
      row.querySelector('[data-total="credit"]').textContent = show(cr);
      row.querySelector('[data-total="difference"]').textContent = show(dr - cr);
      row.classList.toggle("unbalanced", dr !== cr);
      row.classList.toggle("balanced", dr === cr);
    });
  }

  table.addEventListener("input", recompute);
  table.addEventListener("change", recompute);
  recompute();
})();
