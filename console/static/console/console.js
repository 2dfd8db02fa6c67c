// The month grid's range picking: a first free date, then a second one, fill both forms' unit and dates.
// Without JavaScript the forms work as they are (the date fields are typed); no inline handlers (the pages run under a strict CSP).
(function () {
  "use strict";
  var start = null;

  function forms() {
    return Array.prototype.slice.call(document.querySelectorAll("form.range-form"));
  }

  function fill(unit, first, last) {
    forms().forEach(function (form) {
      var prefix = form.id === "closure-form" ? "closure" : "price";
      var unitField = form.querySelector("[name='" + prefix + "-unit']");
      var from = form.querySelector("[name='" + prefix + "-start_date']");
      var to = form.querySelector("[name='" + prefix + "-end_date']");
      if (unitField) { unitField.value = unit; }
      if (from) { from.value = first; }
      if (to) { to.value = last; }
    });
  }

  function mark(unit, first, last) {
    document.querySelectorAll(".month-grid .cell").forEach(function (cell) {
      var inside = cell.dataset.unit === unit && cell.dataset.date >= first && cell.dataset.date <= last;
      cell.classList.toggle("in-range", inside);
    });
  }

  function say(text) {
    var out = document.getElementById("selection");
    if (out) { out.textContent = text; }
  }

  function pick(button) {
    var unit = button.dataset.unit;
    var day = button.dataset.date;
    document.querySelectorAll(".pick.chosen").forEach(function (b) { b.classList.remove("chosen"); });
    button.classList.add("chosen");
    if (start === null || start.unit !== unit || day < start.day) {
      start = { unit: unit, day: day };
      fill(unit, day, day);
      mark(unit, day, day);
      say(day);
      return;
    }
    fill(unit, start.day, day);
    mark(unit, start.day, day);
    say(start.day + " → " + day);
    start = null;
  }

  // One listener on the document, so that a grid htmx swaps in (month navigation) works too.
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest(".month-grid .pick") : null;
    if (button) {
      pick(button);
    }
  });
  document.addEventListener("htmx:afterSwap", function () { start = null; });
})();
