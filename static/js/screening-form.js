// Skip logic for the screening form: hide the questions criteria.asked_items would not ask.
// The gates come from the form's data-skip-logic attribute (screening/forms.py SKIP_LOGIC); this
// mirrors criteria._path_asked / asked_items. The server applies the same rule either way, so
// without this script every question shows and unasked answers are ignored.
(function () {
  "use strict";
  var form = document.querySelector("form[data-skip-logic]");
  if (!form) { return; }
  var logic = JSON.parse(form.getAttribute("data-skip-logic"));

  function answer(key) {
    var checked = form.querySelector('input[name="' + key + '"]:checked');
    return checked ? checked.value : null;
  }

  // The index of the first stem without a qualifying answer, or -1 when the path is entered.
  function stopAt(path, answers) {
    for (var i = 0; i < path.stems.length; i += 1) {
      var value = answers[path.stems[i]];
      if (value === null || path.passing[i].indexOf(value) < 0) { return i; }
    }
    return -1;
  }

  // The items of one path asked so far, and whether a stem got a non-qualifying answer.
  function pathAsked(path, answers) {
    var stop = stopAt(path, answers);
    if (stop >= 0) {
      return { asked: path.stems.slice(0, stop + 1), failed: answers[path.stems[stop]] !== null };
    }
    var asked = path.stems.concat(path.symptoms);
    path.followups.forEach(function (rule) {
      if (answers[rule[1]] === rule[2]) { asked.push(rule[0]); }
    });
    return { asked: asked, failed: false };
  }

  function askedItems(answers) {
    var a = pathAsked(logic.paths[0], answers);
    var asked = logic.always.concat(a.asked);
    if (a.failed) { asked = asked.concat(pathAsked(logic.paths[1], answers).asked); }
    var set = {};
    asked.forEach(function (key) { set[key] = true; });
    return set;
  }

  function update() {
    var answers = {};
    logic.items.forEach(function (key) { answers[key] = answer(key); });
    var asked = askedItems(answers);
    logic.items.forEach(function (key) {
      var wrapper = document.getElementById("div_id_" + key);
      if (wrapper) { wrapper.hidden = !asked[key]; }
    });
    form.querySelectorAll("[data-section]").forEach(function (section) {
      var items = section.querySelectorAll('[id^="div_id_"]');
      var shown = Array.prototype.some.call(items, function (item) { return !item.hidden; });
      section.hidden = !shown;
    });
  }

  function updateBmi() {
    var output = form.querySelector("[data-bmi-output]");
    if (!output) { return; }
    var height = parseFloat(form.elements.height_cm.value);
    var weight = parseFloat(form.elements.weight_kg.value);
    if (!(height >= 50 && height <= 272 && weight >= 20 && weight <= 650)) {
      output.textContent = "Enter height and weight";
      return;
    }
    var bmi = weight / Math.pow(height / 100, 2);
    output.textContent = bmi.toFixed(1) + (bmi >= 30 ? " kg/m\u00b2 (obese)" : " kg/m\u00b2");
  }

  // One submit per page load: a double click must not send the form twice (the server also
  // refuses a second visit for the same submission id).
  form.addEventListener("submit", function (event) {
    if (form.dataset.submitted) { event.preventDefault(); return; }
    form.dataset.submitted = "1";
  });
  window.addEventListener("pageshow", function () { delete form.dataset.submitted; });
  form.querySelectorAll("[data-skip-hint]").forEach(function (hint) { hint.hidden = true; });
  // An answered question's error goes at once, here and in the summary: the rest still need
  // attention (CSS .screening-answered hides the message; the server checks again on submit).
  function clearError(event) {
    var input = event.target;
    if (!input.name || !input.closest) { return; }
    var wrapper = input.closest('[id^="div_id_"]');
    if (!wrapper || !wrapper.querySelector(".invalid-feedback")) { return; }
    wrapper.classList.add("screening-answered");
    wrapper.querySelectorAll(".is-invalid").forEach(function (el) {
      el.classList.remove("is-invalid");
      el.removeAttribute("aria-invalid");
    });
    var summary = document.querySelector("[data-error-summary]");
    if (!summary) { return; }
    summary.querySelectorAll('a[href^="#id_' + input.name + '"]').forEach(function (link) {
      var href = link.getAttribute("href");
      if (href === "#id_" + input.name || href === "#id_" + input.name + "_0") {
        link.closest("li").remove();
      }
    });
    var left = summary.querySelectorAll("li").length;
    if (!left) { summary.hidden = true; return; }
    var heading = summary.querySelector(".alert-heading");
    if (heading) {
      heading.textContent = (left === 1 ? "1 answer needs" : left + " answers need") +
        " attention; nothing was saved";
    }
  }

  form.addEventListener("change", clearError);
  // Text boxes clear as they are typed in: on "change" alone the summary would go as the box
  // loses focus, moving the submit button out from under the click that blurred it.
  form.addEventListener("input", clearError);
  form.addEventListener("change", update);
  form.addEventListener("input", updateBmi);
  update();
  updateBmi();
  var summary = document.querySelector("[data-error-summary]");
  if (summary) { summary.focus(); }
}());
