// The explorer's quiz (explore(root, quiz=True)): the learner types each node's gradient
// in the engine's backward order (quiz="forward": each value, in forward order).  Like
// the rest of the page it does no maths of its own: autograd/explore.py embeds every
// right answer, for each the numbers the known slips give (autograd.diagnose.answer_key,
// the same diagnoses as check_work) and the factors it is made of (diagnose.quiz.chain:
// the local derivatives from the rule table).  This script compares numbers at the
// precision the learner typed them, by check_work's rule (autograd/check/precision.py,
// stated in docs/checking.md), and follows the learner's own earlier answers through
// those factors, so that an answer that only repeats an earlier mistake is "carried"
// and one that only repeats an earlier rounding is "rounding".
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
    var unit = Math.pow(10, exponent - decimals);
    // quantum: how far the number may be off as the learner's own earlier answer; a
    // whole number written without an exponent is exact (check_work's Num.quantum)
    return { value: Number(t), unit: unit,
             quantum: m[3] === undefined && m[4] === undefined ? 0 : unit,
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
  // The known slips, tried in order, as check_work's Checker.diagnosed tries them: a
  // slip of arithmetic may be a unit of the last digit off (rounded inputs); a number
  // looked up elsewhere (another node's) must round to what was typed, and one
  // significant digit matches some node or other, so it is no diagnosis.
  var LOOKED_UP = { other_node: true, after_update: true };
  var REL = 1e-6;  // autograd.check.precision.REL
  function diagnose(typed, answer) {
    for (var i = 0; i < answer.mistakes.length; i++) {
      var m = answer.mistakes[i];
      if (LOOKED_UP[m.kind] && typed.significant < 2) continue;
      var near = LOOKED_UP[m.kind] ? typed.unit / 2 : typed.unit;
      var tol = Math.max(near, REL * Math.abs(m.value), 1e-12);
      if (Math.abs(typed.value - m.value) <= tol &&
          Math.abs(m.value - answer.value) > tol) return m;
    }
    return null;
  }

  // --- the learner's own numbers, followed ---------------------------------------------
  var mine = {};  // node index -> {value, quantum, wrong, origin: position of the first
                  // wrong answer it follows from} for every answer left behind
  // In backward mode the learner multiplies local derivatives they write down, rounded
  // much as they round their answers: each is taken to as many significant digits as
  // the answer typed (a local derivative that is exact there, 1 or -2, is not moved).
  // In forward mode the factors are the learner's own inputs, already in `mine`.
  var FACTORS_ROUNDED = quiz.mode === "backward";
  function halfUnit(x, significant) {
    significant = Math.min(significant, 100);  // toPrecision's limit
    if (!FACTORS_ROUNDED || x === 0 || Number(x.toPrecision(significant)) === x) return 0;
    return Math.pow(10, Math.floor(Math.log10(Math.abs(x))) - significant + 1) / 2;
  }
  // What the answer is from the given numbers (own: false) or from the learner's own
  // earlier ones (own: true), and how far rounding can move it.  The chain rule the page
  // teaches is this sum of products: dL/dnode = sum over its users u of
  // dL/du * du/dnode, the local derivative embedded from the rule table; the page puts
  // the learner's dL/du in place of the true one (value + sum of partial * (x - given)
  // is that sum).  In forward mode the same sums move the op's value by how far the
  // learner's inputs are off, with the op's first and second local derivatives (a
  // Taylor step: exact for sums, products and squares, close for a curved op when the
  // inputs are close).  check_work's bound (reading.with_bound) moves each rounded
  // number by half its last digit and adds 1 % to the sum.
  function followed(item, typed, own) {
    var value = item.answer.value, bound = 0, origin = null, off = [];
    item.chain.terms.forEach(function (term) {
      var m = own ? mine[term.node] : undefined;
      var x = m ? m.value : term.given;
      off.push(x - term.given);
      value += term.partial * (x - term.given);
      if (m) bound += Math.abs(term.partial) * m.quantum / 2;
      bound += Math.abs(x) * halfUnit(term.partial, typed.significant);
      if (m && m.wrong && (origin === null || m.origin < origin)) origin = m.origin;
    });
    var second = item.chain.second;
    if (second) {
      off.forEach(function (dj, j) {
        off.forEach(function (dk, k) { value += second[j][k] * dj * dk / 2; });
      });
    }
    return { value: value, bound: bound * 1.01, origin: origin };
  }
  function near(typed, f) {
    return matches(typed, f.value) || Math.abs(typed.value - f.value) <=
      typed.unit / 2 + f.bound + 1e-15;
  }
  function roundedLike(typed, x) {
    var decimals = Math.max(0, -Math.floor(Math.log10(typed.unit) + 1e-9));
    return (Math.round(x / typed.unit) * typed.unit).toFixed(decimals);
  }
  // The verdict on a typed number, in check_work's order: right at the precision typed;
  // right from rounded numbers (rounding); right from the learner's wrong earlier
  // answers (carried); a known slip; else unknown.
  function judge(item, typed) {
    var answer = item.answer;
    if (matches(typed, answer.value)) return { kind: "right" };
    if (!item.chain) return diagnose(typed, answer) || { kind: "unknown" };
    var truth = followed(item, typed, false), own = followed(item, typed, true);
    if (near(typed, truth) || own.origin === null && near(typed, own)) {
      return { kind: "rounding", bound: Math.max(truth.bound, own.bound) };
    }
    if (own.origin !== null && near(typed, own)) return { kind: "carried", origin: own.origin };
    return diagnose(typed, answer) || { kind: "unknown" };
  }

  // --- the panel ------------------------------------------------------------------------
  var panel = el("section", "quiz-panel");
  panel.id = "quiz";
  var title = el("h2", null, quiz.mode === "forward" ? "Quiz: the forward pass"
                                                     : "Quiz: the backward pass");
  var how = el("p", "quiz-how", (quiz.mode === "forward"
    ? "Type each value, in the order the forward pass computes them. "
    : "Type each gradient, in the order the backward pass finishes them. ") +
    "Any precision: 0.25 is checked to two decimals. A wrong answer may be kept: " +
    "what follows from it is then marked carried, not a new mistake.");
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
  var keep = el("button", null, "Keep it, go on");
  keep.id = "quiz-keep";
  keep.type = "button";
  var reveal = el("button", null, "Reveal");
  reveal.id = "quiz-reveal";
  reveal.type = "button";
  form.append(label, el("span", null, " = "), input, check, keep, reveal);
  var feedback = el("div", "quiz-feedback");
  feedback.id = "quiz-feedback";
  feedback.setAttribute("aria-live", "polite");
  var history = el("ol", "quiz-history");
  history.id = "quiz-history";
  panel.append(title, how, progress, form, feedback, history);
  var host = document.getElementById("panel") || document.body;
  host.insertBefore(panel, host.firstChild);

  var at = 0, right = 0, fixed = 0, revealed = 0, kept = 0, tries = 0;
  var wrong = null;  // the last wrong answer to this question: {typed, text, verdict}
  var entries = [];  // position -> its line in the history
  var firstWrong = null;  // the position of the first answer kept wrong, if any
  function current() { return items[at]; }
  function mark(cls, elements) {
    document.querySelectorAll("." + cls).forEach(function (e) { e.classList.remove(cls); });
    elements.forEach(function (e) { e.classList.add(cls); });
  }
  function update() {
    mark("quiz-current", []);
    mark("quiz-origin", []);
    wrong = null;
    keep.hidden = true;
    var tally = right + " right at the first try, " + fixed + " after a retry, " +
                revealed + " revealed" + (kept ? ", " + kept + " kept wrong" : "");
    progress.textContent = at < items.length
      ? "Question " + (at + 1) + " of " + items.length + " · " + tally
      : "Done: " + items.length + " questions · " + tally + ".";
    if (at >= items.length) {
      form.hidden = true;
      items.forEach(show);  // kept answers were left hidden: the quiz is over
      if (firstWrong !== null) {
        say("done", "Done.", "Your first wrong answer was " +
            items[firstWrong].answer.target + "; the drawing now shows the right values.");
        mark("quiz-origin", [entries[firstWrong]]);
      }
      return;
    }
    var item = current();
    label.textContent = item.answer.target;
    mark("quiz-current", Array.prototype.slice.call(nodeEls(item)));
    input.value = "";
    input.focus();
  }
  function say(kind, head, text) {
    var accepted = { right: "right", rounding: "right", revealed: "revealed",
                     done: "revealed" };
    feedback.className = "quiz-feedback quiz-" + (accepted[kind] || "wrong");
    feedback.setAttribute("data-kind", kind);
    feedback.textContent = "";
    feedback.append(el("strong", null, head), el("span", null, " " + text));
  }
  // Leave the question: the learner's number for it is what later answers follow.
  function done(item, how, number, line) {
    mine[item.index] = number;
    if (how !== "kept") show(item);
    nodeEls(item).forEach(function (g) { g.classList.add("quiz-" + how); });
    entries[at] = el("li", "quiz-" + how, line);
    history.append(entries[at]);
    at += 1;
    tries = 0;
    update();
  }
  function own(typed, wrongFrom) {
    return { value: typed.value, quantum: typed.quantum, wrong: wrongFrom !== null,
             origin: wrongFrom };
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (at >= items.length) return;
    var item = current(), answer = item.answer, text = input.value.trim();
    var typed = read(input.value);
    if (typed === null) {
      say("unreadable", "?", "Type a number, such as -0.0904 or 1.5e-3.");
      return;
    }
    var verdict = judge(item, typed);
    if (verdict.kind === "right" || verdict.kind === "rounding") {
      if (tries === 0) right += 1; else fixed += 1;
      if (verdict.kind === "right") {
        say("right", "✔ right:", answer.target + " = " + item.shown +
            (typed.value === answer.value ? "" : " (" + text + " is it, rounded to the digits you typed)"));
      } else {
        say("rounding", "✔ rounded early:", text + " follows from rounded numbers; " +
            "the exact value " + item.shown + " rounds to " +
            roundedLike(typed, answer.value) + ". Rounding the factors can move it by " +
            "up to " + verdict.bound.toPrecision(2) + ". Accepted.");
      }
      done(item, tries === 0 ? "right" : "fixed", own(typed, null),
           answer.target + " = " + text + (verdict.kind === "rounding" ? " (rounded)" : ""));
      return;
    }
    tries += 1;
    wrong = { typed: typed, text: text, verdict: verdict };
    keep.hidden = false;
    if (verdict.kind === "carried") {
      var origin = items[verdict.origin];
      say("carried", "✘ carried:", "right from your answer for " + origin.answer.target +
          ", which was wrong: the mistake is there, not new here. Correct it, keep it " +
          "and go on, or reveal it.");
      var originEls = Array.prototype.slice.call(nodeEls(origin));
      mark("quiz-origin", [entries[verdict.origin]].concat(originEls));
      if (originEls.length) originEls[0].scrollIntoView({ block: "nearest", inline: "nearest" });
    } else if (verdict.kind === "unknown") {
      mark("quiz-origin", []);
      say("unknown", "✘ not " + answer.target + ":", "no known slip gives " + text +
          ". Try again, keep it and go on, or reveal it.");
    } else {
      mark("quiz-origin", []);
      say(verdict.kind, "✘ " + verdict.kind + ":", verdict.message +
          " Try again, keep it and go on, or reveal it.");
    }
  });
  keep.addEventListener("click", function () {
    if (at >= items.length || wrong === null) return;
    var item = current(), v = wrong.verdict;
    kept += 1;
    var from = v.kind === "carried" ? v.origin : at;
    if (firstWrong === null || from < firstWrong) firstWrong = from;
    done(item, "kept", own(wrong.typed, from), item.answer.target + " = " + wrong.text +
         " ✘ " + v.kind + (v.kind === "carried" ? " from " + items[from].answer.target
                                                  : ""));
  });
  reveal.addEventListener("click", function () {
    if (at >= items.length) return;
    var item = current();
    revealed += 1;
    say("revealed", "Revealed:", item.answer.formula);
    done(item, "revealed", { value: item.answer.value, quantum: 0, wrong: false,
                             origin: null },
         item.answer.target + " = " + item.shown + " (revealed)");
  });
  update();
})();
