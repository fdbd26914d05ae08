// Search over page titles, headings and text, from the index the build wrote
// (assets/search-index.js). A classic script: works from file:// and any static host.
(function () {
  "use strict";
  var input = document.getElementById("search");
  var list = document.getElementById("search-results");
  if (!input || !list) return;
  // The way from this page to the site's folder, "../" or, on the index, "./" (never empty:
  // the index of a course without notes/ lists "javascript:x.html" for javascript:x.md, which
  // would be a URL of its own, but "./javascript:x.html" is a file of the site).
  var root = input.getAttribute("data-root") || "./";

  function score(entry, terms) {
    var title = entry.title.toLowerCase();
    var text = entry.text.toLowerCase();
    var total = 0;
    var heading = null;
    for (var i = 0; i < terms.length; i++) {
      var term = terms[i];
      var found = false;
      if (title.indexOf(term) >= 0) { total += 10; found = true; }
      for (var j = 0; j < entry.headings.length; j++) {
        if (entry.headings[j].text.toLowerCase().indexOf(term) >= 0) {
          total += 5; found = true;
          if (!heading) heading = entry.headings[j];
          break;
        }
      }
      if (text.indexOf(term) >= 0) { total += 1; found = true; }
      if (!found) return null;
    }
    return { entry: entry, score: total, heading: heading };
  }

  /* The index holds a page's text as written, its math as TeX source (`\\partial Q/\\partial
     h_t`). Results show it as KaTeX would draw it, in plain Unicode: commands become their
     symbols (∂, σ, ⊙ …) or their words (\\text{in} → in), \\frac{a}{b} becomes a/b, sub- and
     superscripts Unicode ones where every character has one (h_t → hₜ, x^2 → x²), the rest
     loses only its braces and backslashes. A `_` inside a word (neighbours_king) stays. */
  var SYMBOLS = {
    alpha: "α", beta: "β", gamma: "γ", delta: "δ", epsilon: "ε", varepsilon: "ε", zeta: "ζ", eta: "η", theta: "θ",
    iota: "ι", kappa: "κ", lambda: "λ", mu: "μ", nu: "ν", xi: "ξ", pi: "π", rho: "ρ", sigma: "σ", tau: "τ",
    phi: "φ", varphi: "φ", chi: "χ", psi: "ψ", omega: "ω", Gamma: "Γ", Delta: "Δ", Theta: "Θ", Lambda: "Λ",
    Sigma: "Σ", Phi: "Φ", Psi: "Ψ", Omega: "Ω", partial: "∂", nabla: "∇", cdot: "·", times: "×", odot: "⊙",
    otimes: "⊗", oplus: "⊕", star: "⋆", ast: "∗", sum: "Σ", prod: "Π", infty: "∞", le: "≤", leq: "≤", ge: "≥",
    geq: "≥", ne: "≠", neq: "≠", approx: "≈", sim: "∼", propto: "∝", to: "→", rightarrow: "→", leftarrow: "←",
    Rightarrow: "⇒", mapsto: "↦", in: "∈", top: "⊤", ldots: "…", dots: "…", cdots: "⋯", vdots: "⋮", mid: "|",
    lVert: "‖", rVert: "‖", Vert: "‖", "|": "‖", sqrt: "√", pm: "±", circ: "∘", lfloor: "⌊", rfloor: "⌋",
    lceil: "⌈", rceil: "⌉", langle: "⟨", rangle: "⟩", tilde: "", hat: "", bar: "", left: "", right: "",
    big: "", Big: "", displaystyle: "", quad: " ", qquad: " ", ",": " ", ";": " ", ":": " ", "!": "", "{": "{", "}": "}"
  };
  var SUB = { 0: "₀", 1: "₁", 2: "₂", 3: "₃", 4: "₄", 5: "₅", 6: "₆", 7: "₇", 8: "₈", 9: "₉", "+": "₊", "-": "₋",
    "=": "₌", "(": "₍", ")": "₎", a: "ₐ", e: "ₑ", h: "ₕ", i: "ᵢ", j: "ⱼ", k: "ₖ", l: "ₗ", m: "ₘ", n: "ₙ", o: "ₒ",
    p: "ₚ", r: "ᵣ", s: "ₛ", t: "ₜ", u: "ᵤ", v: "ᵥ", x: "ₓ" };
  var SUP = { 0: "⁰", 1: "¹", 2: "²", 3: "³", 4: "⁴", 5: "⁵", 6: "⁶", 7: "⁷", 8: "⁸", 9: "⁹", "+": "⁺", "-": "⁻",
    "−": "⁻", "=": "⁼", "(": "⁽", ")": "⁾", "⊤": "ᵀ", T: "ᵀ", a: "ᵃ", b: "ᵇ", c: "ᶜ", d: "ᵈ", e: "ᵉ", f: "ᶠ",
    g: "ᵍ", h: "ʰ", i: "ⁱ", j: "ʲ", k: "ᵏ", l: "ˡ", m: "ᵐ", n: "ⁿ", o: "ᵒ", p: "ᵖ", r: "ʳ", s: "ˢ", t: "ᵗ",
    u: "ᵘ", v: "ᵛ", w: "ʷ", x: "ˣ", y: "ʸ", z: "ᶻ" };

  function scripted(text, table, mark) {
    var out = "";
    for (var i = 0; i < text.length; i++) {
      if (!(text[i] in table)) return mark + (text.length > 1 ? "(" + text + ")" : text);
      out += table[text[i]];
    }
    return out;
  }

  function readableTeX(text) {
    var t = text;
    // Text-like arguments keep their words; \frac{a}{b} reads a/b.
    for (var pass = 0; pass < 3; pass++) {
      t = t.replace(/\\(?:text|mathrm|mathbf|mathit|mathsf|mathtt|operatorname|boldsymbol|bm|mathcal|mathbb)\s*\{([^{}]*)\}/g, "$1")
           .replace(/\\frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}/g, function (_, a, b) {
             return (a.length > 1 ? "(" + a + ")" : a) + "/" + (b.length > 1 ? "(" + b + ")" : b);
           });
    }
    // A control word eats the spaces after it (\\partial Q is ∂Q), unless it stays a word (\\log x).
    t = t.replace(/\\([A-Za-z]+|[|,;:!{}])(\s*)/g, function (all, name, space) {
      var word = /^[A-Za-z]+$/.test(name);
      return name in SYMBOLS ? SYMBOLS[name] + (word ? "" : space) : word ? name + (space ? " " : "") : all;
    });
    // A script after a letter, digit, bracket or symbol, not inside a word: h_t, W_{in}, x^2, A^⊤.
    t = t.replace(/(?<=[^\s_^])([_^])(?:\{([^{}]*)\}|([^\s{}\w]|[A-Za-z0-9])(?![A-Za-z0-9_]))/g, function (all, mark, braced, single) {
      return scripted((braced != null ? braced : single).replace(/\s+/g, ""), mark === "_" ? SUB : SUP, mark);
    });
    return t.replace(/[{}]/g, "").replace(/ {2,}/g, " ");
  }

  function snippet(text, term) {
    var at = text.toLowerCase().indexOf(term);
    if (at < 0) return "";
    var start = Math.max(0, at - 40);
    return (start > 0 ? "…" : "") + text.slice(start, at + term.length + 60) + "…";
  }

  function show() {
    var terms = input.value.toLowerCase().split(/\s+/).filter(function (t) { return t.length > 0; });
    list.textContent = "";
    if (terms.length === 0 || !window.unrolledSearchIndex) { list.hidden = true; return; }
    var hits = window.unrolledSearchIndex.map(function (e) { return score(e, terms); })
      .filter(function (h) { return h !== null; })
      .sort(function (a, b) { return b.score - a.score; })
      .slice(0, 10);
    if (hits.length === 0) {
      var none = document.createElement("li");
      none.textContent = "No page matches.";
      list.appendChild(none);
    }
    hits.forEach(function (hit) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = root + hit.entry.href + (hit.heading ? "#" + hit.heading.id : "");
      link.textContent = readableTeX(hit.entry.title + (hit.heading ? " › " + hit.heading.text : ""));
      item.appendChild(link);
      var words = snippet(readable(hit.entry), terms[0]) || readableTeX(snippet(hit.entry.text, terms[0]));
      if (words) {
        var context = document.createElement("p");
        context.textContent = words;
        item.appendChild(context);
      }
      list.appendChild(item);
    });
    list.hidden = false;
  }

  // Each entry's readable text, made once, when a search first shows it.
  function readable(entry) {
    if (entry.readable == null) entry.readable = readableTeX(entry.text);
    return entry.readable;
  }

  /* From the keyboard: ↓ in the box goes to the first result, ↓ and ↑ move between results (↑
     from the first returns to the box), Enter in the box opens the first result and on a
     result opens it (a link), Escape clears the box and returns to it. */
  function links() { return Array.prototype.slice.call(list.querySelectorAll("a")); }
  input.addEventListener("input", show);
  input.addEventListener("keydown", function (event) {
    // An Escape that clears something is spent here (the phone's menu closes on the next one).
    if (event.key === "Escape") { if (input.value) event.preventDefault(); input.value = ""; show(); }
    else if (event.key === "ArrowDown" && links().length) { event.preventDefault(); links()[0].focus(); }
    else if (event.key === "Enter" && links().length) { event.preventDefault(); links()[0].click(); }
  });
  list.addEventListener("keydown", function (event) {
    var all = links(), at = all.indexOf(document.activeElement);
    if (at < 0) return;
    if (event.key === "ArrowDown") { event.preventDefault(); all[Math.min(at + 1, all.length - 1)].focus(); }
    else if (event.key === "ArrowUp") { event.preventDefault(); (at === 0 ? input : all[at - 1]).focus(); }
    else if (event.key === "Escape") { event.preventDefault(); input.value = ""; show(); input.focus(); }
  });
})();
