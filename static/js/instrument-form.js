// Skip rule for the instrument forms (ASQ question 5, PHQ-9 difficulty): hide a question its
// gates do not ask. The gates come from the form's data-instrument-skip attribute
// (screening/instrument_forms.py SKIP_GATES, the copy of each instrument's asked_items). The
// server applies the same rule either way, so without this script every question shows and an
// answer to one not asked is dropped.
(function () {
  "use strict";
  var form = document.querySelector("form[data-instrument-skip]");
  if (!form) { return; }
  var gates = JSON.parse(form.getAttribute("data-instrument-skip"));

  function answer(key) {
    var checked = form.querySelector('input[name="' + key + '"]:checked');
    return checked ? checked.value : null;
  }

  function update() {
    Object.keys(gates).forEach(function (key) {
      var gate = gates[key];
      var asked = gate.any_of.some(function (gateKey) {
        return gate.values.indexOf(answer(gateKey)) >= 0;
      });
      var wrapper = document.getElementById("div_id_" + key);
      if (wrapper) { wrapper.hidden = !asked; }
    });
  }

  // One submit per page load; the server also records one per submission id.
  form.addEventListener("submit", function (event) {
    if (form.dataset.submitted) { event.preventDefault(); return; }
    form.dataset.submitted = "1";
  });
  window.addEventListener("pageshow", function () { delete form.dataset.submitted; });
  form.querySelectorAll("[data-skip-hint]").forEach(function (hint) { hint.hidden = true; });
  form.addEventListener("change", update);
  update();
  var summary = document.querySelector("[data-error-summary]");
  if (summary) { summary.focus(); }
}());
