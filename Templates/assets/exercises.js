// Exercises that check answers (docs/site.md, "Exercises that check answers"). The build writes
// each answer as a `span.exercise` around a link to its step, with the trace's value, the
// tolerance and a hint in data attributes (Exercise.swift): checking needs no trace loaded, so it
// works from file://. This script turns each span into a labelled input box with a Check button,
// keeps the answers found right per page in localStorage, and opens the viewer on the worked
// answer. A classic script; without it the link to the step remains.
(function () {
  "use strict";
  var uid = 0;

  // ---- Reading a number as people type it ------------------------------------------------
  var SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹";

  /** The number `text` reads as, or null. Accepts `-0.645`, `−0.645` (a real minus), `+2`, `.5`,
   *  `1e-3`, `1.2×10^-3` (also `x`, `*`, `·`, `10^(-3)`, `10⁻³`), `0,645` (a decimal comma when
   *  there is no point) and spaces anywhere (`1 234.5`). Not: thousands separators, fractions. */
  function readNumber(text) {
    var s = String(text).replace(/[\s\u00a0\u2009\u202f]+/g, "").replace(/[\u2212\u2012\u2013\ufe63\uff0d]/g, "-");
    // `10⁻³`: a power in superscripts is `10^-3`.
    s = s.replace(/10([\u207b\u207a]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+)$/, function (all, power) {
      return "10^" + power.replace(/\u207b/, "-").replace(/\u207a/, "+").replace(/[⁰¹²³⁴⁵⁶⁷⁸⁹]/g, function (c) { return String(SUPERSCRIPTS.indexOf(c)); });
    });
    if (s.indexOf(",") >= 0) {
      if (s.indexOf(".") >= 0 || s.indexOf(",") !== s.lastIndexOf(",")) return null;
      s = s.replace(",", ".");
    }
    var power = /^(?:(.*?)[×xX*·⋅])?10\^\(?([+-]?\d+)\)?$/.exec(s);
    if (power) s = (power[1] === undefined ? "1" : power[1]) + "e" + power[2];
    if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s)) return null;
    var x = Number(s);
    return isFinite(x) ? x : null;
  }

  /** numpy's isclose: |a − v| ≤ absolute + relative·|v|, a value on the boundary counting as
   *  within (0.646 for 0.645 ± 0.001, whose difference is 0.0010000000000000009 in doubles). */
  function within(a, v, absolute, relative) {
    var tolerance = absolute + relative * Math.abs(v);
    return Math.abs(a - v) <= tolerance * (1 + 1e-9) + 4 * Number.EPSILON * Math.abs(v);
  }

  /** The trace's value in full: the shortest decimal that reads back to it, with real minus signs. */
  function full(x) {
    return String(x).replace(/-/g, "\u2212").replace(/e\+?/, "e");
  }

  // ---- Progress, per page -----------------------------------------------------------------
  // The key is the page's path: the course's place (on disk or on its host) and the page. Every
  // file:// page shares one storage in Chromium, so the path is what tells two courses apart.
  function storageKey() { return "unrolled-exercises:" + location.pathname; }

  function loadProgress() {
    try {
      var saved = JSON.parse(window.localStorage.getItem(storageKey()) || "{}");
      return saved && typeof saved === "object" ? saved : {};
    } catch (e) {
      return {};  // storage refused (a private window, a browser's file:// rules): nothing kept
    }
  }

  function saveProgress(progress) {
    try {
      var empty = Object.keys(progress).length === 0;
      if (empty) window.localStorage.removeItem(storageKey());
      else window.localStorage.setItem(storageKey(), JSON.stringify(progress));
    } catch (e) { /* not kept; the page still checks */ }
  }

  // ---- One exercise -------------------------------------------------------------------------
  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function button(className, text) {
    var node = element("button", className, text);
    node.type = "button";
    return node;
  }

  function setUp(box, page) {
    var link = box.querySelector("a");
    if (!link || box.classList.contains("exercise-ready")) return null;
    var n = ++uid, id = "exercise-" + n;
    var data = {
      id: box.getAttribute("data-exercise"),
      value: Number(box.getAttribute("data-value")),
      absolute: Number(box.getAttribute("data-absolute")) || 0,
      relative: Number(box.getAttribute("data-relative")) || 0,
      tolerance: box.getAttribute("data-tolerance") || "",
      trace: box.getAttribute("data-trace"),
      step: box.hasAttribute("data-step") ? Number(box.getAttribute("data-step")) : null,
      element: box.hasAttribute("data-element") ? Number(box.getAttribute("data-element")) : null,
      href: link.getAttribute("href")
    };
    box.classList.add("exercise-ready");
    box.setAttribute("role", "group");
    var label = element("label", "exercise-label");
    label.htmlFor = id + "-input";
    label.id = id + "-label";
    while (link.firstChild) label.appendChild(link.firstChild);
    box.setAttribute("aria-labelledby", id + "-label");
    var input = element("input", "exercise-input");
    input.id = id + "-input";
    input.type = "text";  // not inputmode=decimal: phones' decimal pads have no minus sign
    input.autocomplete = "off";
    input.spellcheck = false;
    input.setAttribute("autocapitalize", "off");
    input.setAttribute("aria-describedby", id + "-result");
    var check = button("exercise-check", "Check");
    var controls = element("span", "exercise-controls");
    controls.appendChild(input);
    controls.appendChild(check);
    var result = element("span", "exercise-result");
    result.id = id + "-result";
    result.setAttribute("role", "status");
    var hint = element("span", "exercise-hint");
    hint.hidden = true;
    var worked = button("exercise-worked", "Show the worked answer");
    worked.hidden = true;
    var answer = element("span", "exercise-answer");
    answer.hidden = true;
    link.replaceWith(label);
    [controls, result, hint, worked, answer].forEach(function (part) { box.appendChild(part); });

    function show(kind, html) {
      box.setAttribute("data-state", kind);
      result.innerHTML = html;
      input.setAttribute("aria-invalid", kind === "invalid" ? "true" : "false");
    }

    function rightText() {
      return "<span aria-hidden=\"true\">✓</span> Right: the trace holds <strong>" + full(data.value) + "</strong>.";
    }

    function judge() {
      var typed = input.value.trim();
      if (!typed) return show("invalid", "Type a number first.");
      var x = readNumber(typed);
      if (x === null) {
        return show("invalid", "<span aria-hidden=\"true\">?</span> “" + escapeText(typed) +
          "” is not a number: write it as −0.645, 1.2e−3 or 1.2×10^−3.");
      }
      if (within(x, data.value, data.absolute, data.relative)) {
        show("right", rightText());
        hint.hidden = true;
        page.record(data.id, typed);
        return;
      }
      show("wrong", "<span aria-hidden=\"true\">✗</span> " + escapeText(full(x)) + " is not within " +
        escapeText(data.tolerance) + " of the trace's value. Hint: ");
      if (hint.hidden) {
        hint.innerHTML = box.getAttribute("data-hint") || "";
        hint.hidden = false;
        if (window.Unrolled && window.Unrolled.renderMath) window.Unrolled.renderMath(hint);
      }
      worked.hidden = false;
      page.forget(data.id);
    }

    check.addEventListener("click", judge);
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); judge(); }
    });
    worked.addEventListener("click", function () { showWorked(data, answer, input); });

    return {
      id: data.id,
      restore: function (typed) {
        input.value = typed;
        show("right", rightText());
      },
      reset: function () {
        input.value = "";
        show("", "");
        box.removeAttribute("data-state");
        hint.hidden = true;
        worked.hidden = true;
        answer.hidden = true;
      }
    };
  }

  /** The trace's value, then the viewer at its step with the element selected: its provenance
   *  panel works the answer out, and a button after it leads back to the exercise's input, which
   *  takes the focus (so → and ← still step the viewer, and Enter returns). A trace on another page
   *  opens there, at the step (the browser's Back returns). */
  function showWorked(data, answer, input) {
    answer.hidden = false;
    answer.textContent = "The trace's value is " + full(data.value) + (data.step ? ", made at step " + data.step + "." : ".");
    var viewers = document.querySelectorAll("unrolled-trace");
    var viewer = null;
    for (var i = 0; i < viewers.length; i++) {
      if (viewers[i].traceId === data.trace || viewers[i].getAttribute("trace-id") === data.trace) viewer = viewers[i];
    }
    if (!viewer) {
      window.location.href = data.href;
      return;
    }
    Promise.resolve(viewer.ready).then(function () {
      // A history value has no step: the viewer is shown as it is (its training view plots it).
      if (data.step) {
        viewer.goTo(data.step);
        if (viewer.state) viewer.state.set(data.element !== null ? { tab: 0, selected: data.element } : { tab: 0 });
      }
      viewer.scrollIntoView({ block: "start" });
      var back = wayBack(viewer, input);
      (back || viewer).focus({ preventScroll: true });
    });
  }

  /** The viewer's "Back to the exercise" button, after its provenance (one per viewer, leading to
   *  the input whose worked answer opened it last), or null for a viewer without a step panel. The
   *  step panel keeps its boxes from step to step (viewer-step.js), so the button stays. */
  function wayBack(viewer, input) {
    var provenance = viewer.querySelector(".ut-step-panel > .ut-prov-box");
    if (!provenance) return null;
    var holder = provenance.parentNode.querySelector(":scope > .exercise-back");
    if (!holder) {
      holder = element("p", "exercise-back");
      var back = button("exercise-back-button", "");
      back.innerHTML = "<span aria-hidden=\"true\">↑</span> Back to the exercise";
      back.addEventListener("click", function () {
        var target = holder.target;
        holder.hidden = true;
        target.scrollIntoView({ block: "center" });
        target.focus({ preventScroll: true });
      });
      holder.appendChild(back);
      provenance.parentNode.insertBefore(holder, provenance.nextSibling);
    }
    holder.target = input;
    holder.hidden = false;
    // Its name says where it goes; the question's label ("y =") is its description.
    holder.firstChild.setAttribute("aria-describedby", input.id.replace(/-input$/, "-label"));
    return holder.firstChild;
  }

  function escapeText(text) {
    return String(text).replace(/[&<>"]/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;" }[c];
    });
  }

  // ---- The page's exercises and their progress ------------------------------------------------
  function start(root) {
    var boxes = (root || document).querySelectorAll("span.exercise:not(.exercise-ready)");
    if (!boxes.length) return;
    var progress = loadProgress();
    var exercises = [];
    var status = element("p", "exercise-progress");
    var count = element("span", "exercise-count");
    count.setAttribute("role", "status");
    var clear = button("exercise-clear", "Clear my answers");
    status.appendChild(count);
    status.appendChild(document.createTextNode(" "));
    status.appendChild(clear);

    function update() {
      var right = exercises.filter(function (e) { return Object.prototype.hasOwnProperty.call(progress, e.id); }).length;
      count.textContent = right + " of " + exercises.length + (exercises.length === 1 ? " exercise" : " exercises") + " on this page answered right.";
      clear.hidden = right === 0;
    }
    var page = {
      record: function (id, typed) { progress[id] = typed; saveProgress(progress); update(); },
      forget: function (id) {
        if (!Object.prototype.hasOwnProperty.call(progress, id)) return;
        delete progress[id];
        saveProgress(progress);
        update();
      }
    };
    for (var i = 0; i < boxes.length; i++) {
      var exercise = setUp(boxes[i], page);
      if (!exercise) continue;
      exercises.push(exercise);
      if (Object.prototype.hasOwnProperty.call(progress, exercise.id)) exercise.restore(String(progress[exercise.id]));
    }
    clear.addEventListener("click", function () {
      progress = {};
      saveProgress(progress);
      exercises.forEach(function (e) { e.reset(); });
      update();
      count.textContent = "Your answers on this page are cleared. " + count.textContent;
    });
    // After the block (a list, a paragraph) that holds the last exercise.
    var last = boxes[boxes.length - 1], block = last.closest("ol, ul, p, td, blockquote") || last.parentNode;
    while (block.parentElement && block.parentElement.closest("ol, ul, blockquote")) block = block.parentElement.closest("ol, ul, blockquote");
    block.parentNode.insertBefore(status, block.nextSibling);
    update();
  }

  window.Unrolled = window.Unrolled || {};
  window.Unrolled.startExercises = start;
  window.Unrolled.readNumber = readNumber;  // for the browser tests of what a reader may type

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { start(); });
  } else {
    start();
  }
})();
