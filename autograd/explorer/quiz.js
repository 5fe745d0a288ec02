// The explorer's quiz (explore(root, quiz=True)): the learner types each node's gradient
// in the engine's backward order (quiz="forward": each value, in forward order).  Like
// the rest of the page it does no maths: autograd/explore.py embeds every right answer
// and, for each, the numbers the known slips give (autograd.diagnose.answer_key, the
// same diagnoses as check_work); this script only compares numbers, at the precision
// the learner typed them.
(function () {
  "use strict";

  var data = JSON.parse(document.getElementById("explorer-data").textContent);
  var quiz = data.quiz;
  if (!quiz) return;
  var items = quiz.items;
  var field = quiz.mode === "forward" ? "data" : "grad";
  document.body.classList.add("quiz", "quiz-" + quiz.mode);

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;  // never innerHTML: names are user text
    return e;
  }

  // --- the drawn numbers to hide until answered ----------------------------------------
  var hidden = {};  // value index -> [[text element, its drawn text], ...]
  items.forEach(function (item) {
    var texts = document.querySelectorAll(
      'g.value[data-index="' + item.index + '"] .' + field + "-text");
    hidden[item.index] = [];
    texts.forEach(function (t) {
      hidden[item.index].push([t, t.textContent]);
      t.textContent = field + " ?";
    });
  });
  function show(item) {
    hidden[item.index].forEach(function (pair) { pair[0].textContent = pair[1]; });
  }
  function nodeEls(item) {
    return document.querySelectorAll('g.value[data-index="' + item.index + '"]');
  }

  // --- numbers at the precision typed ---------------------------------------------------
  var NUMBER = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
  function read(text) {
    var t = text.replace(/[\u2212\u2013]/g, "-").replace(/\s+/g, "");
    var m = NUMBER.exec(t);
    if (!m || (m[2] === "" && (m[3] === undefined || m[3] === ""))) return null;
    var decimals = m[3] === undefined ? 0 : m[3].length;
    var exponent = m[4] === undefined ? 0 : parseInt(m[4], 10);
    var digits = ((m[2] || "") + (m[3] || "")).replace(/^0+/, "");
    return { value: Number(t), unit: Math.pow(10, exponent - decimals),
             significant: Math.max(1, digits.length) };
  }
  // Whether x, rounded to the unit of the last digit typed, is the typed number (on an
  // exact tie both neighbours are); the same rule as check_work's.
  function matches(typed, x) {
    var k = x / typed.unit, lo = Math.floor(k), frac = k - lo;
    var written = Math.round(typed.value / typed.unit);
    if (Math.abs(frac - 0.5) <= 1e-9 * Math.max(1, Math.abs(k))) {
      return written === lo || written === lo + 1;
    }
    return written === (frac < 0.5 ? lo : lo + 1);
  }
  var LOOKED_UP = { other_node: true, after_update: true };
  function diagnose(typed, answer) {
    for (var i = 0; i < answer.mistakes.length; i++) {
      var m = answer.mistakes[i];
      if (LOOKED_UP[m.kind]) {
        // another node's number must round to what was typed, to two digits at least
        if (typed.significant >= 2 && matches(typed, m.value)) return m;
      } else if (Math.abs(typed.value - m.value) <= typed.unit) {
        return m;  // arithmetic from rounded inputs may be a unit of the last digit off
      }
    }
    return null;
  }

  // --- the panel ------------------------------------------------------------------------
  var panel = el("section", "quiz-panel");
  panel.id = "quiz";
  var title = el("h2", null, quiz.mode === "forward" ? "Quiz: the forward pass"
                                                     : "Quiz: the backward pass");
  var how = el("p", "quiz-how", quiz.mode === "forward"
    ? "Type each value, in the order the forward pass computes them."
    : "Type each gradient, in the order the backward pass finishes them. " +
      "Any precision: 0.25 is checked to two decimals.");
  var progress = el("p", "quiz-progress");
  progress.id = "quiz-progress";
  var form = el("form", "quiz-form");
  var label = el("label", "quiz-target");
  label.id = "quiz-target";
  label.htmlFor = "quiz-answer";
  var input = el("input");
  input.id = "quiz-answer";
  input.setAttribute("inputmode", "decimal");
  input.setAttribute("autocomplete", "off");
  var check = el("button", null, "Check");
  check.id = "quiz-check";
  check.type = "submit";
  var reveal = el("button", null, "Reveal");
  reveal.id = "quiz-reveal";
  reveal.type = "button";
  form.append(label, el("span", null, " = "), input, check, reveal);
  var feedback = el("div", "quiz-feedback");
  feedback.id = "quiz-feedback";
  feedback.setAttribute("aria-live", "polite");
  var history = el("ol", "quiz-history");
  history.id = "quiz-history";
  panel.append(title, how, progress, form, feedback, history);
  var host = document.getElementById("panel") || document.body;
  host.insertBefore(panel, host.firstChild);

  var at = 0, right = 0, fixed = 0, revealed = 0, tries = 0;
  function current() { return items[at]; }
  function update() {
    document.querySelectorAll(".quiz-current").forEach(function (e) {
      e.classList.remove("quiz-current");
    });
    var tally = right + " right at the first try, " + fixed + " after a retry, " +
                revealed + " revealed";
    progress.textContent = at < items.length
      ? "Question " + (at + 1) + " of " + items.length + " · " + tally
      : "Done: " + items.length + " questions · " + tally + ".";
    if (at >= items.length) {
      form.hidden = true;
      return;
    }
    var item = current();
    label.textContent = item.answer.target;
    nodeEls(item).forEach(function (g) { g.classList.add("quiz-current"); });
    input.value = "";
    input.focus();
  }
  function say(kind, head, text) {
    feedback.className = "quiz-feedback quiz-" + (kind === "right" || kind === "revealed"
                                                    ? kind : "wrong");
    feedback.setAttribute("data-kind", kind);
    feedback.textContent = "";
    feedback.append(el("strong", null, head), el("span", null, " " + text));
  }
  function done(item, how) {
    show(item);
    nodeEls(item).forEach(function (g) { g.classList.add("quiz-" + how); });
    history.append(el("li", "quiz-" + how, item.answer.target + " = " + item.shown +
                      (how === "revealed" ? " (revealed)" : "")));
    at += 1;
    tries = 0;
    update();
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (at >= items.length) return;
    var item = current(), answer = item.answer;
    var typed = read(input.value);
    if (typed === null) {
      say("unreadable", "?", "Type a number, such as -0.0904 or 1.5e-3.");
      return;
    }
    if (matches(typed, answer.value)) {
      if (tries === 0) right += 1; else fixed += 1;
      say("right", "✔ right:", answer.target + " = " + item.shown);
      done(item, tries === 0 ? "right" : "fixed");
      return;
    }
    tries += 1;
    var slip = diagnose(typed, answer);
    if (slip) {
      say(slip.kind, "✘ " + slip.kind + ":", slip.message + " Try again, or reveal it.");
    } else {
      say("unknown", "✘ not " + answer.target + ":",
          "no known slip gives " + input.value.trim() + ". Try again, or reveal it.");
    }
  });
  reveal.addEventListener("click", function () {
    if (at >= items.length) return;
    var item = current();
    revealed += 1;
    say("revealed", "Revealed:", item.answer.formula);
    done(item, "revealed");
  });
  update();
})();
