/* Tensor names, read from their TeX wherever the viewer names a tensor (docs/viewer.md, "Tensor
   names"): typeset (nameHtml, from the kit's cached KaTeX), as plain text for titles, accessible
   names and sentences (nameText, texText), with fractions written a/b for rows of text
   (slashed). A tensor the model did not name has a counter for a name (`mul_51`) and the
   expression that made it as TeX (`f_{2} \\odot c_{1}`): the reader sees the TeX. Adds its
   functions to Unrolled.viewerKit (viewer-kit.js, loaded first). Classic script. */
window.Unrolled = window.Unrolled || {};

(function (U) {
  'use strict';
  var kit = U.viewerKit, escapeHtml = kit.escapeHtml;

  /** A tensor's name, typeset from its `tex` without KaTeX's MathML copy (half the elements,
      and a step shows several names), read to screen readers and shown on hover as the plain
      text of that TeX (nameText), the hover adding its `name` when that differs. `suffix` (an element's index "[1,2]") follows it, the name in
      parentheses when it is an expression; `inline` writes its fractions a/b (a row of text).
      `late`: the plain text now, the typeset name once typesetLate(root) has run (below). */
  function nameHtml(tensor, suffix, inline, late) {
    var text = nameText(tensor, suffix), tex = inline ? slashed(tensor.tex) : tensor.tex;
    var wrap = !!suffix && text.length > nameText(tensor).length + suffix.length;
    // The hover title adds the name the notes' references use (#:mul_51) when it reads otherwise.
    var reference = String(tensor.name) + (suffix || ''), title = text === reference ? text : text + ' · in references: ' + reference;
    var attrs = ' role="img" aria-label="' + escapeHtml(text) + '" title="' + escapeHtml(title) + '"';
    if (late) {
      return '<span class="ut-tex ut-tex-late"' + attrs + ' data-tex="' + escapeHtml(tex) + '" data-index="' + escapeHtml(suffix || '') +
        '"' + (wrap ? ' data-wrap=""' : '') + '>' + escapeHtml(text) + '</span>';
    }
    return '<span class="ut-tex"' + attrs + '>' + typesetName(tex, suffix, wrap) + '</span>';
  }

  function typesetName(tex, suffix, wrap) {
    var html = kit.typeset(tex, false, 'html');
    return (wrap ? '(' + html + ')' : html) + (suffix ? '<span class="ut-tex-index">' + escapeHtml(suffix) + '</span>' : '');
  }

  /** Typesets the late names under `root` (nameHtml's `late`) in the frame after the one that
      shows them: a part that draws many names at once (the outline's rows, provenance's labels)
      lays out plain text on a step change, fast on 24,000 steps, and KaTeX's boxes follow one
      frame later. A later call for the same root before then does it once. The work waits for
      that frame's own animation callback, not for a task after the first frame: a step change
      that comes in between (a key held down) has replaced the names by then, and only the ones
      still shown are typeset, in the frame that draws them. */
  function typesetLate(root) {
    if (late.has(root)) return;
    late.add(root);
    var run = function () {
      late.delete(root);
      Array.prototype.forEach.call(root.querySelectorAll('.ut-tex-late'), function (span) {
        span.innerHTML = typesetName(span.getAttribute('data-tex'), span.getAttribute('data-index'), span.hasAttribute('data-wrap'));
        span.classList.remove('ut-tex-late');
      });
    };
    if (window.requestAnimationFrame) window.requestAnimationFrame(function () { window.requestAnimationFrame(run); });
    else setTimeout(run, 0);
  }
  var late = new Set();

  /** `tex` with each \\frac{a}{b} written a/b, a part parenthesised when it is an expression
      (\\partial Q/\\partial \\left(f_{2} \\odot c_{1}\\right)): a name in a row of text (the
      outline, the graph's boxes, provenance's labels) stays one line high. Cached per TeX. */
  function slashed(tex) {
    var hit = slashCache.get(tex);
    if (hit !== undefined) return hit;
    var source = String(tex).replace(/\\partial\s+/g, '\\partial{}'), out = '', i = 0, broken = false;
    function part() {             // at '{': the group's content, its fractions slashed too
      var depth = 0, start = i + 1;
      for (; i < source.length; i++) {
        if (source[i] === '\\') { i++; continue; }
        if (source[i] === '{') depth++;
        else if (source[i] === '}' && --depth === 0) break;
      }
      broken = broken || i >= source.length;
      var inner = slashed(source.slice(start, i++));
      return loose(inner.replace(/\\[A-Za-z]+|\\./g, function (c) { return c.replace(/ /g, '_'); })) === inner ? inner : '\\left(' + inner + '\\right)';
    }
    while (i < source.length) {
      var frac = /^\\[td]?frac\s*(?=\{)/.exec(source.slice(i, i + 8));
      if (!frac) { out += source[i] === '\\' ? source.slice(i, i += 2) : source[i++]; continue; }
      i += frac[0].length;
      var a = part();
      while (source[i] === ' ') i++;
      if (source[i] !== '{') broken = true;
      else out += '{' + a + '/' + part() + '}';
    }
    // TeX that KaTeX would refuse stays as it is, to show KaTeX's error.
    if (broken) out = tex;
    slashCache.set(tex, out);
    return out;
  }
  var slashCache = new Map();

  /** A tensor's name as plain text: its TeX read by texText ("f_2 ⊙ c_1"), else its name; with
      `suffix` (an element's index), an expression's in parentheses: "(f_2 ⊙ c_1)[1,2]". */
  function nameText(tensor, suffix) {
    var name = typeof tensor.tex === 'string' && tensor.tex ? texText(tensor.tex) : String(tensor.name);
    return suffix ? (loose(name) !== name ? '(' + name + ')' : name) + suffix : name;
  }

  /* ---------- TeX as plain text (tooltips, accessible names, sentences) ---------- */

  var textCache = new Map();
  var GREEK = 'alpha α beta β gamma γ delta δ epsilon ϵ varepsilon ε zeta ζ eta η theta θ iota ι kappa κ lambda λ mu μ nu ν xi ξ pi π rho ρ sigma σ tau τ upsilon υ phi ϕ varphi φ chi χ psi ψ omega ω Gamma Γ Delta Δ Theta Θ Lambda Λ Xi Ξ Pi Π Sigma Σ Phi Φ Psi Ψ Omega Ω';
  var SYMBOLS = { nabla: '∇', odot: '⊙', cdot: '·', times: '×', partial: '∂', top: 'ᵀ', cdots: '⋯', ldots: '…', dots: '…', star: '⋆', sum: 'Σ',
    infty: '∞', leq: '≤', geq: '≥', neq: '≠', to: '→', in: '∈', pm: '±', lVert: '‖', rVert: '‖', Vert: '‖', lvert: '|', rvert: '|',
    leftarrow: '←', rightarrow: '→', quad: ' ', qquad: ' ', mid: '|', prime: '′', ast: '∗', circ: '∘', oplus: '⊕', otimes: '⊗' };
  GREEK.split(' ').forEach(function (w, i, all) { if (i % 2 === 0) SYMBOLS[w] = all[i + 1]; });
  var WORDS = { log: 1, exp: 1, tanh: 1, sin: 1, cos: 1, max: 1, min: 1, ln: 1, det: 1, arg: 1 };
  var ACCENTS = { tilde: '\u0303', hat: '\u0302', widehat: '\u0302', bar: '\u0304', vec: '\u20d7', dot: '\u0307', overrightarrow: '\u20d7', overleftarrow: '\u20d6' };
  var SHOWN = { mathrm: 1, operatorname: 1, text: 1, mathbf: 1, mathit: 1, mathcal: 1, mathbb: 1, boldsymbol: 1, mathsf: 1, textbf: 1 };
  var SUPERSCRIPTS = { '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹', '-': '⁻', '−': '⁻', '+': '⁺', 'T': 'ᵀ', 'ᵀ': 'ᵀ' };

  /** Plain text of the TeX the engine and the models write ("\\frac{\\partial Q}{\\partial W_{f}}"
      → "∂Q/∂W_f", "\\tilde{c}_{2}" → "c̃_2", "h^{\\top}" → "hᵀ"); a command it does not know reads
      as its name. Linear in the length, cached per TeX; for hover titles and accessible names. */
  function texText(tex) {
    var hit = textCache.get(tex);
    if (hit !== undefined) return hit;
    var source = String(tex).slice(0, 2000), at = 0;
    function group() {            // after '{': up to the matching '}'
      var text = sequence('}');
      at++;
      return text;
    }
    function argument() {         // the argument of a command, _ or ^: a group or one token
      while (source[at] === ' ') at++;
      if (source[at] === '{') { at++; return group(); }
      return token();
    }
    function token() {
      var c = source[at++];
      if (c === undefined) return '';
      if (c === '{') return group();
      if (c === '-') return '−';
      if (c === '~') return ' ';
      if (c === '_') { var sub = argument(); return '_' + (/^[\w′]*$/.test(sub) ? sub : '(' + sub + ')'); }
      if (c === '^') {
        var sup = argument();
        if (sup.split('').every(function (ch) { return SUPERSCRIPTS[ch]; })) return sup.split('').map(function (ch) { return SUPERSCRIPTS[ch]; }).join('');
        return '^' + (/^[A-Za-z0-9]*$/.test(sup) ? sup : '(' + sup + ')');
      }
      if (c !== '\\') return c;
      var name = /^[A-Za-z]+/.exec(source.slice(at, at + 40));
      if (!name) { var ch = source[at++]; return ch === '!' ? '' : ',;: '.indexOf(ch) >= 0 ? ' ' : ch; }
      name = name[0];
      at += name.length;
      if (name === 'left' || name === 'right') { var d = source[at++]; return d === '.' ? '' : d === '\\' ? token() : d; }
      if (name === 'frac' || name === 'tfrac' || name === 'dfrac') { var a = argument(), b = argument(); return loose(a) + '/' + loose(b); }
      if (name === 'sqrt') { var r = argument(); return '√' + (r.length > 1 ? '(' + r + ')' : r); }
      if (ACCENTS[name]) { var base = argument(); return base + ACCENTS[name]; }
      // A function's name is a word: it keeps a space before a letter ("log softmax"), none before "(".
      if (name === 'operatorname') return argument() + '\u0001';
      if (SHOWN[name]) return argument();
      // ∂ and ∇ bind to what follows: "∂Q", as TeX drops the space after a command.
      if (name === 'partial' || name === 'nabla') while (source[at] === ' ') at++;
      if (SYMBOLS[name]) return SYMBOLS[name];
      return WORDS[name] ? name + '\u0001' : name;
    }
    function sequence(end) {
      var out = '';
      while (at < source.length && source[at] !== end) out += token();
      return out;
    }
    var text = sequence(undefined).replace(/\u0001(?=[\w\u0370-\u03ff])/g, ' ').replace(/\u0001/g, '').replace(/\s+/g, ' ').trim();
    if (text.length > 300) text = text.slice(0, 299) + '…';
    textCache.set(tex, text);
    return text;
  }

  /** A fraction's part, parenthesised when it has a space outside brackets ("∂(f_2 ⊙ c_1)" stays). */
  function loose(part) {
    var depth = 0;
    for (var i = 0; i < part.length; i++) {
      var c = part[i];
      if (c === '(' || c === '[') depth++;
      else if (c === ')' || c === ']') depth--;
      else if (c === ' ' && depth === 0) return '(' + part + ')';
    }
    return part;
  }

  Object.assign(kit, { nameHtml: nameHtml, nameText: nameText, texText: texText, slashed: slashed, typesetLate: typesetLate });
})(window.Unrolled);
