// The explorer page's script. It only shows what autograd/explore.py computed and
// embedded as JSON (values, gradients, local derivatives, chain rules, the engine's
// backward order): there is no maths here, so the page cannot disagree with the engine.
(function () {
  "use strict";

  var data = JSON.parse(document.getElementById("explorer-data").textContent);
  var nodes = data.nodes;
  var rootName = data.rootName;
  var graph = document.getElementById("graph");
  var boxes = data.boxes || [];
  var details = document.getElementById("details");
  var statusBox = document.getElementById("status");

  // --- the SVG's parts, by value index (see _annotate_svg in explore.py) -------------
  // A page has one view ("full"), or two when the graph is collapsed into nn modules
  // ("collapsed" shown first; clicking a box expands it in the full graph).
  function parts(div) {
    var v = { div: div, svg: div.querySelector("svg"), valueEl: [], opEl: [], opEdge: [],
              inEdges: [], dataText: [], gradText: [], boxEl: {}, boxEdges: [] };
    nodes.forEach(function (_, i) { v.inEdges[i] = []; });
    v.svg.querySelectorAll("g.value").forEach(function (g) {
      var i = +g.getAttribute("data-index");
      v.valueEl[i] = g;
      v.dataText[i] = g.querySelector(".data-text");
      v.gradText[i] = g.querySelector(".grad-text");
      if ((data.wrong || []).indexOf(i) >= 0) g.classList.add("wrong");  // explore(compare=True)
    });
    v.svg.querySelectorAll("g.op").forEach(function (g) { v.opEl[+g.getAttribute("data-op")] = g; });
    v.svg.querySelectorAll("g.box").forEach(function (g) { v.boxEl[g.getAttribute("data-box")] = g; });
    v.svg.querySelectorAll("g.edge").forEach(function (g) {
      var to = g.getAttribute("data-to"), from = g.getAttribute("data-from");
      if (g.hasAttribute("data-from-box") || g.hasAttribute("data-to-box")) {
        v.boxEdges.push({ from: from, to: to, fromBox: g.getAttribute("data-from-box"),
                          toBox: g.getAttribute("data-to-box"), el: g });
      } else if (from !== null) {
        v.inEdges[+to].push({ from: +from, el: g });
      } else {
        v.opEdge[+to] = g;
      }
    });
    var drawnText = function (t) { return t ? t.textContent : null; };
    v.originalData = v.dataText.map(drawnText);
    v.originalGrad = v.gradText.map(drawnText);
    return v;
  }
  var views = {};
  graph.querySelectorAll(".view").forEach(function (div) {
    views[div.getAttribute("data-view")] = parts(div);
  });
  var view, svg, valueEl, opEl, opEdge, inEdges, dataText, gradText, originalData, originalGrad;
  function useView(name) {
    view = views[name];
    Object.keys(views).forEach(function (k) { views[k].div.hidden = k !== name; });
    svg = view.svg; valueEl = view.valueEl; opEl = view.opEl; opEdge = view.opEdge;
    inEdges = view.inEdges; dataText = view.dataText; gradText = view.gradText;
    originalData = view.originalData; originalGrad = view.originalGrad;
    var toggle = document.getElementById("view-toggle");
    toggle.hidden = !views.collapsed;
    toggle.textContent = name === "collapsed" ? "Expand all" : "Collapse";
  }
  useView(views.collapsed ? "collapsed" : "full");

  // --- small DOM helpers ----------------------------------------------------------------
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;  // never innerHTML: labels are user text
    return e;
  }
  function clear(cls) {
    svg.querySelectorAll("." + cls).forEach(function (e) { e.classList.remove(cls); });
  }
  function mark(i, cls, withOp) {
    if (valueEl[i]) valueEl[i].classList.add(cls);
    if (withOp && opEl[i]) opEl[i].classList.add(cls);
    if (withOp && opEdge[i]) opEdge[i].classList.add(cls);
  }
  function d(top, bottom) { return "d" + top + "/d" + bottom; }

  // --- selection: a node, every path from it up to the output, and its details -------
  var selected = null;

  function pathsToRoot(i) {
    // The nodes that use i, directly or not: every path from i to the output runs
    // through exactly these (users lists come from Python).
    var on = {}, todo = [i];
    on[i] = true;
    while (todo.length) {
      nodes[todo.pop()].users.forEach(function (u) {
        if (!on[u]) { on[u] = true; todo.push(u); }
      });
    }
    return on;
  }

  function select(i, quiet) {
    selected = i;
    clear("selected");
    clear("on-path");
    clear("in-box");
    clear("faded");
    if (i === null) { showIntro(); return; }
    if (!valueEl[i]) switchView("full");   // inside a collapsed box: show the full graph
    var on = pathsToRoot(i);
    Object.keys(on).forEach(function (k) {
      var j = +k;
      mark(j, "on-path", j !== i);
      inEdges[j].forEach(function (e) { if (on[e.from]) e.el.classList.add("on-path"); });
    });
    var boxOn = {};
    boxes.forEach(function (b) {
      boxOn[b.name] = b.members.some(function (j) { return on[j]; });
      if (boxOn[b.name] && view.boxEl[b.name]) view.boxEl[b.name].classList.add("on-path");
    });
    view.boxEdges.forEach(function (e) {
      var a = e.fromBox !== null ? boxOn[e.fromBox] : on[e.from];
      var b = e.toBox !== null ? boxOn[e.toBox] : on[e.to];
      if (a && b) e.el.classList.add("on-path");
    });
    valueEl[i].classList.add("selected");
    showDetails(i);
    if (!quiet) valueEl[i].scrollIntoView({ block: "nearest", inline: "nearest" });
  }

  function expandBox(b) {
    // The box's values, in the full graph: its output selected, its members outlined.
    switchView("full");
    zoom(1);
    select(b.output, true);
    // Fade what is not the box or next to it: its members, what feeds them, what reads
    // its output.
    var near = {};
    b.members.forEach(function (j) {
      near[j] = true;
      nodes[j].inputs.forEach(function (inp) { near[inp.node] = true; });
    });
    nodes[b.output].users.forEach(function (u) { near[u] = true; });
    nodes.forEach(function (_, j) {
      if (!near[j]) mark(j, "faded", true);
      inEdges[j].forEach(function (e) {
        if (!(near[j] && near[e.from])) e.el.classList.add("faded");
      });
    });
    b.members.forEach(function (j) { if (valueEl[j]) valueEl[j].classList.add("in-box"); });
    valueEl[b.output].scrollIntoView({ block: "center", inline: "center" });
    var note = el("div", "box-note", "Inside " + b.name + ": " + b.summary + ". Its " +
                  b.members.length + " values are outlined; Collapse shows the boxes again.");
    details.insertBefore(note, details.firstChild);
  }

  function switchView(name) {
    if (!views[name] || view === views[name]) return;
    ["selected", "on-path", "in-box", "faded"].forEach(clear);
    stop();
    mode = null;
    done = 0;
    render();
    useView(name);
    fit();
  }

  function showIntro() {
    details.replaceChildren(
      el("h2", "", rootName),
      el("p", "hint", "Click any value in the graph to see its data, its gradient d" +
        rootName + "/d(value), the local derivative on each of its input edges, and the " +
        "chain rule that makes its gradient."),
      el("p", "hint", "Backward ▶ replays backprop one node at a time, in the engine's " +
        "order: a node turns green when its gradient is final and passes a share down " +
        "each input edge. Forward ▶ replays how the values were computed. Keys: → step, " +
        "← back, Space play/pause, Esc reset."));
    if (boxes.length && view === views.collapsed) {
      details.insertBefore(el("p", "box-note", "This graph is collapsed: each box is one " +
        "nn module (" + boxes.length + " in all), showing its output's data and grad; " +
        "an edge carries the gradient flowing back along it. Click a box to expand it " +
        "into its values."), details.children[1]);
    }
  }

  function row(text, note, onclick) {
    var li = el("li", onclick ? "link" : "", text);
    if (note) li.appendChild(el("span", "table", note));
    if (onclick) li.addEventListener("click", onclick);
    return li;
  }

  function showDetails(i) {
    var n = nodes[i];
    var h = el("h2", "", n.key);
    h.appendChild(el("span", "op", n.leaf ? (n.label ? "input" : "constant") : n.op));
    var dl = el("dl", "numbers");
    var dataDd = el("dd", "", n.data);
    dataDd.appendChild(el("span", "exact", n.dataExact));
    var gradDd = el("dd", "", n.grad);
    gradDd.appendChild(el("span", "exact", n.gradExact));
    dl.append(el("dt", "", "data"), dataDd, el("dt", "", "grad"), gradDd);
    var theirs = (data.theirs || {})[i];  // explore(compare=True): the .grad that was there
    if (theirs) {
      var theirsDd = el("dd", "theirs", theirs[0] + " (should be " + n.grad + ")");
      theirsDd.appendChild(el("span", "exact", theirs[1]));
      dl.append(el("dt", "theirs", ".grad was"), theirsDd);
    }
    var parts = [h, dl];
    if (!n.leaf) parts.push(el("h3", "", "Forward"), el("div", "math", n.forward));

    parts.push(el("h3", "", "Chain rule: " + d(rootName, n.key)));
    if (n.explain) {
      parts.push(el("div", "chain", n.explain.equation));
      if (n.explain.where.length) {
        var where = el("ul", "where");
        n.explain.where.forEach(function (w) { where.appendChild(el("li", "", w)); });
        parts.push(el("div", "hint", "where"), where);
      }
      if (n.explain.check) parts.push(el("div", "check", n.explain.check));
    } else {
      parts.push(el("p", "hint", "Written out for labelled nodes only in a graph this " +
                    "large: label it, or see where its gradient comes from, below."));
    }

    if (n.inputs.length) {
      parts.push(el("h3", "", "Local derivative of each input edge"));
      var ins = el("ul", "rows");
      n.inputs.forEach(function (inp) {
        var text = d(n.key, inp.name) + " = " + inp.formula;
        if (inp.formula !== inp.partial) text += " = " + inp.partial;
        ins.appendChild(row(text, "rule table, " + n.op + ": " + inp.table,
                            function () { select(inp.node); }));
      });
      parts.push(ins);
    }

    parts.push(el("h3", "", "Where its gradient comes from"));
    if (i === data.root) {
      parts.push(el("p", "hint", d(rootName, rootName) + " = 1: backward() starts here."));
    } else if (!n.terms.length) {
      parts.push(el("p", "hint", rootName + " does not depend on " + n.key + ": grad 0."));
    } else {
      var terms = el("ul", "rows");
      n.terms.forEach(function (t) {
        var u = nodes[t.from].key;
        terms.appendChild(row(d(rootName, u) + " * " + d(u, n.key) + " = (" + t.grad +
                              ")(" + t.partial + ") = " + t.share, "through " + u,
                              function () { select(t.from); }));
      });
      parts.push(terms);
      if (n.terms.length > 1) {
        parts.push(el("div", "sum", "sum: " + d(rootName, n.key) + " = " + n.grad));
      }
    }
    details.replaceChildren.apply(details, parts);
  }

  // --- replaying the backward and the forward pass -------------------------------------
  var mode = null;   // null (the finished graph), "backward" or "forward"
  var done = 0;      // how many steps of that pass are shown
  var timer = null;
  var steps = { backward: data.backward, forward: data.forward };

  function setText(t, text) { if (t && text !== null) t.textContent = text; }

  var edgeText = [];  // [text element, its drawn text] of edges a replay relabelled
  function render() {
    ["pending", "final", "current", "receiving", "flowing"].forEach(clear);
    edgeText.forEach(function (t) { t[0].textContent = t[1]; });
    edgeText = [];
    nodes.forEach(function (_, i) {
      setText(dataText[i], originalData[i]);
      setText(gradText[i], originalGrad[i]);
    });
    statusBox.replaceChildren();
    if (mode === "backward") renderBackward();
    else if (mode === "forward") renderForward();
    var total = mode ? steps[mode].length : 0;
    byId("bw-back").disabled = !(mode === "backward" && done > 0);
    byId("fw-back").disabled = !(mode === "forward" && done > 0);
    byId("bw-step").disabled = mode === "backward" && done >= total;
    byId("fw-step").disabled = mode === "forward" && done >= total;
    byId("bw-play").textContent = timer && mode === "backward" ? "Pause" : "Play";
    byId("fw-play").textContent = timer && mode === "forward" ? "Pause" : "Play";
    byId("bw-play").classList.toggle("playing", !!timer && mode === "backward");
    byId("fw-play").classList.toggle("playing", !!timer && mode === "forward");
  }

  function renderBackward() {
    var shown = nodes.map(function () { return null; });   // gradient so far, as text
    var isFinal = {};
    shown[data.root] = data.backward[0].grad;               // the seed
    for (var s = 0; s < done; s++) {
      var step = data.backward[s];
      isFinal[step.node] = true;
      step.adds.forEach(function (a) { shown[a.node] = a.total; });
    }
    nodes.forEach(function (_, i) {
      setText(gradText[i], "grad " + (shown[i] === null ? "0" : shown[i]));
      if (isFinal[i]) mark(i, "final", true);
      else if (shown[i] !== null && i !== data.root) mark(i, "receiving", false);
      else mark(i, "pending", true);
    });
    // Edges fade until the gradient has flowed down them.
    nodes.forEach(function (_, i) {
      inEdges[i].forEach(function (e) { if (!isFinal[i]) e.el.classList.add("pending"); });
    });
    var box = [];
    if (done === 0) {
      box.push(el("div", "step-title", "Backward pass: " + data.backward.length + " steps"),
               el("div", "", "backward() sets every grad to 0 and " + d(rootName, rootName) +
                  " = 1. Press Step ▶ to finish one node at a time, in the engine's order."),
               el("div", "legend", "green: gradient final · amber: receiving shares · " +
                  "faint: not reached yet"));
    } else {
      var cur = data.backward[done - 1];
      var key = nodes[cur.node].key;
      mark(cur.node, "current", true);
      inEdges[cur.node].forEach(function (e) {
        e.el.classList.remove("pending");
        e.el.classList.add("flowing");
        // The edge says what it carries down now, in place of its local derivative.
        var label = e.el.querySelector("text");
        if (label && cur.flows[e.from] !== undefined) {
          edgeText.push([label, label.textContent]);
          label.textContent = "+= " + cur.flows[e.from];
        }
      });
      box.push(el("div", "step-title", "Backward step " + done + " of " +
                  data.backward.length + ": " + d(rootName, key) + " = " + cur.grad +
                  " is final"));
      if (cur.adds.length) {
        box.push(el("div", "", "It flows down each input edge, times the edge's local " +
                    "derivative:"));
        var ul = el("ul", "rows");
        cur.adds.forEach(function (a) {
          var child = nodes[a.node].key;
          ul.appendChild(row(child + ".grad += (" + cur.grad + ")(" + a.partial + ") = " +
                             a.share, "now " + a.total));
        });
        box.push(ul);
      } else {
        box.push(el("div", "", key + " is a leaf: nothing below it."));
      }
      showDetails(cur.node);
      valueEl[cur.node].scrollIntoView({ block: "nearest", inline: "nearest" });
    }
    statusBox.replaceChildren.apply(statusBox, box);
  }

  function renderForward() {
    nodes.forEach(function (_, i) {
      setText(gradText[i], "grad");
      if (i >= done) {
        setText(dataText[i], "data");
        mark(i, "pending", true);
        inEdges[i].forEach(function (e) { e.el.classList.add("pending"); });
      } else {
        mark(i, "final", true);
      }
    });
    var box = [];
    if (done === 0) {
      box.push(el("div", "step-title", "Forward pass: " + nodes.length + " steps"),
               el("div", "", "Each value is computed once its inputs are known, in " +
                  "topological order. Press Step ▶."));
    } else {
      var i = data.forward[done - 1];
      mark(i, "current", true);
      inEdges[i].forEach(function (e) { e.el.classList.add("flowing"); });
      box.push(el("div", "step-title", "Forward step " + done + " of " + nodes.length),
               el("div", "math", nodes[i].forward));
      showDetails(i);
      valueEl[i].scrollIntoView({ block: "nearest", inline: "nearest" });
    }
    statusBox.replaceChildren.apply(statusBox, box);
  }

  function stop() {
    if (timer) { clearInterval(timer); timer = null; }
  }
  function enter(which) {
    if (mode !== which) { stop(); mode = which; done = 0; select(null, true); }
  }
  function step(which) {
    switchView("full");   // the passes run over every value
    enter(which);
    if (done < steps[which].length) done++;
    if (done >= steps[which].length) stop();
    ["selected", "on-path", "in-box", "faded"].forEach(clear);
    render();
  }
  function back(which) {
    if (mode !== which) return;
    stop();
    if (done > 0) done--;
    render();
    if (done === 0) showIntro();
  }
  function play(which) {
    if (timer && mode === which) { stop(); render(); return; }
    switchView("full");
    enter(which);
    if (done >= steps[which].length) done = 0;
    timer = setInterval(function () { step(which); }, 900);
    step(which);
  }
  function reset() {
    stop();
    mode = null;
    done = 0;
    render();
    select(data.selected === null ? null : data.selected, true);
  }

  // --- zoom ------------------------------------------------------------------------------
  var scale = 1;
  function zoom(s) {
    scale = Math.max(0.2, Math.min(3, s));
    var width = parseFloat(svg.getAttribute("width"));
    var height = parseFloat(svg.getAttribute("height"));
    svg.style.width = width * scale + "pt";
    svg.style.height = height * scale + "pt";
  }
  function fit() {
    var room = (graph.clientWidth - 24) * 0.75;  // px to pt
    zoom(Math.min(1, room / parseFloat(svg.getAttribute("width"))));
  }

  // --- wiring ------------------------------------------------------------------------------
  function byId(id) { return document.getElementById(id); }
  function on(id, f) { byId(id).addEventListener("click", f); }
  on("bw-step", function () { step("backward"); });
  on("fw-step", function () { step("forward"); });
  on("bw-back", function () { back("backward"); });
  on("fw-back", function () { back("forward"); });
  on("bw-play", function () { play("backward"); });
  on("fw-play", function () { play("forward"); });
  on("reset", reset);
  on("zoom-in", function () { zoom(scale * 1.25); });
  on("zoom-out", function () { zoom(scale / 1.25); });
  on("zoom-fit", fit);
  Object.keys(views).forEach(function (k) {
    views[k].valueEl.forEach(function (g, i) {
      g.addEventListener("click", function () { select(i, true); });
    });
  });
  boxes.forEach(function (b) {
    var g = views.collapsed && views.collapsed.boxEl[b.name];
    if (g) g.addEventListener("click", function () { expandBox(b); });
  });
  on("view-toggle", function () {
    switchView(view === views.collapsed ? "full" : "collapsed");
    select(null, true);
  });
  document.addEventListener("keydown", function (e) {
    if (e.target.tagName === "BUTTON" && (e.key === " " || e.key === "Enter")) return;
    var which = mode || "backward";
    if (e.key === "ArrowRight") step(which);
    else if (e.key === "ArrowLeft") back(which);
    else if (e.key === " ") play(which);
    else if (e.key === "Escape") reset();
    else return;
    e.preventDefault();
  });

  if (data.notice) {  // e.g. backward() has not run: say so rather than show zeros silently
    byId("notice").textContent = data.notice;
    byId("notice").hidden = false;
  }
  byId("summary").textContent = rootName + " · " + nodes.length + " values" +
    (boxes.length ? " · " + boxes.length + " boxes: click one to expand it" : "");
  fit();
  reset();
})();
