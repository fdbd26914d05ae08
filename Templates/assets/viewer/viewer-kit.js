/* The viewer's one kit of small shared pieces: HTML escaping, KaTeX typesetting (cached; the
   TeX in a <code> when KaTeX is absent or fails) with the options every KaTeX call of a page
   uses (math.js's too; tensor names are viewer-names.js's), trace numbers and their formats,
   the diverging colour scale, icons, phase names, and the DOM and SVG helpers of the special views. The element's parts take
   them from Unrolled.viewerKit; the views know the same object as Unrolled.viewKit, to which
   views/kit.js adds the trace index they share (one object, so no helper exists twice).
   Classic script, no dependencies. */
window.Unrolled = window.Unrolled || {};

(function (U) {
  'use strict';

  var texCache = new Map();

  var reducedMotionQuery = window.matchMedia ? window.matchMedia('(prefers-reduced-motion: reduce)') : null;
  function reducedMotion() { return !!(reducedMotionQuery && reducedMotionQuery.matches); }

  /* ---------- small helpers shared with the views API ---------- */

  var SPECIAL = { 'NaN': NaN, 'Infinity': Infinity, '-Infinity': -Infinity };

  /** A trace number: a JSON number or one of the strings "NaN", "Infinity", "-Infinity". */
  function number(v) {
    if (typeof v === 'number') return v;
    return Object.prototype.hasOwnProperty.call(SPECIAL, v) ? SPECIAL[v] : NaN;
  }

  function escapeHtml(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }

  /* ---------- KaTeX ---------- */

  /* TeX comes from traces and notes anyone may have written, and Debian's KaTeX 0.16.4
     predates the fixes of CVE-2024-28243/28244, so every KaTeX call (typeset below, and
     math.js for a page's math) takes its options from katexOptions():
     - trust: false (KaTeX's default, pinned): no \href, \url, \includegraphics, \htmlData…;
     - maxSize: 30 em (about the 50 rem text column: KaTeX's em is 1.21 rem): no \rule,
       \kern or \hspace that buries the page;
     - maxExpand: 1000 (KaTeX's default, pinned): expansions of KaTeX's own macros, a few
       tokens each. The bundled course's equations need at most 27, a 12 × 12 matrix of
       \neq and \cdots about 1000;
     - no macro definitions. maxExpand cannot stop these: \edef's expansions are not counted
       in 0.16.4 (CVE-2024-28243: \edef0{x} then sixteen \edef0{00} and 0 took 70 s), and a
       \def that doubles its delimited argument at each expansion (counted once, in every
       KaTeX) holds 65,536 tokens after 16 of them and takes seconds for each one after.
       No equation here needs a macro of its own (each is typeset alone, so a definition
       could not be shared anyway). A refused definition is KaTeX's own parse error: the
       TeX in the error colour, the reason on hover. */
  var KATEX_OPTIONS = Object.freeze({ throwOnError: false, errorColor: '#cc0000', trust: false, maxSize: 30, maxExpand: 1000 });
  var DEFINITIONS = ['\\def', '\\gdef', '\\edef', '\\xdef', '\\newcommand', '\\renewcommand', '\\providecommand'];
  /* Commands lecture notes use (LaTeX, amsmath, the physics and dsfont packages) that Debian's
     KaTeX 0.16.4 lacks, as the nearest KaTeX (docs/site.md, "Math"). Fixed strings: no author
     defines anything. \label is invisible and \eqref shows the label, as there is no numbering. */
  var COMPAT_MACROS = Object.freeze({
    '\\mbox': '\\text{#1}', '\\textsc': '\\text{#1}', '\\intertext': '\\text{#1}', '\\mathds': '\\mathbb{#1}',
    '\\norm': '\\left\\lVert #1\\right\\rVert', '\\abs': '\\left\\lvert #1\\right\\rvert',
    '\\label': '\\vphantom{\\text{#1}}', '\\eqref': '(\\text{#1})'
  });

  /** The options of one KaTeX call. A macro in `macros` is expanded before KaTeX's command
      of the same name (\def and \edef are commands, \newcommand a macro), also where \global
      or \let reaches it; KaTeX writes into `macros` as it parses, so each call gets its own. */
  function katexOptions(display, output) {
    var macros = Object.assign({}, COMPAT_MACROS);
    DEFINITIONS.forEach(function (name) {
      macros[name] = function () { throw new window.katex.ParseError(name + ' is not allowed here: macro definitions are turned off'); };
    });
    return Object.assign({}, KATEX_OPTIONS, { displayMode: !!display, output: output, macros: macros });
  }

  /** KaTeX's HTML for `source` (cached), or the TeX in a <code> when KaTeX is absent or fails. */
  function texHtml(source, display) {
    return typeset(source, display, 'htmlAndMathml');
  }

  function typeset(source, display, output) {
    var key = output + (display ? 'D' : 'I') + source;
    var hit = texCache.get(key);
    if (hit !== undefined) return hit;
    var html;
    if (window.katex && typeof window.katex.renderToString === 'function') {
      try {
        html = window.katex.renderToString(source, katexOptions(display, output));
      } catch (err) {
        html = '<code class="ut-tex-source">' + escapeHtml(source) + '</code>';
      }
    } else {
      html = '<code class="ut-tex-source">' + escapeHtml(source) + '</code>';
    }
    texCache.set(key, html);
    return html;
  }

  /** A number for a matrix cell: three significant digits, a real minus sign, ∞ and NaN spelled. */
  function format(x) {
    if (x !== x) return 'NaN';
    if (x === Infinity) return '∞';
    if (x === -Infinity) return '−∞';
    if (x === 0) return '0';
    var a = Math.abs(x), s;
    if (Number.isInteger(x) && a < 1e6) s = String(a);
    else if (a >= 1e-3 && a < 1e4) s = String(Number(a.toPrecision(3)));
    else s = a.toExponential(2).replace(/\.?0+e/, 'e').replace('e+', 'e');
    return (x < 0 ? '−' : '') + s.replace('e-', 'e−');
  }

  /** The exact value, as JavaScript prints a double (shortest round-trip), keeping −0: the
      hover title of every number, and the data-v of provenance numbers (float() reads it). */
  function exact(x) {
    if (x === 0 && 1 / x < 0) return '-0';
    return String(x);
  }

  /** The diverging scale: blue below zero, red above, transparent at zero (a CSS colour). */
  function colour(x, maxAbs) {
    if (x !== x) return 'transparent';
    if (!isFinite(x)) return x > 0 ? 'rgba(214, 64, 50, 0.9)' : 'rgba(40, 110, 200, 0.9)';
    if (!maxAbs) return 'transparent';
    var t = Math.min(1, Math.abs(x) / maxAbs);
    var alpha = (0.08 + 0.62 * Math.sqrt(t)).toFixed(3);
    return x > 0 ? 'rgba(214, 64, 50, ' + alpha + ')' : 'rgba(40, 110, 200, ' + alpha + ')';
  }

  function numberClass(x) {
    if (x !== x) return 'ut-nan';
    if (!isFinite(x)) return 'ut-inf';
    return '';
  }

  var ICONS = {
    first: 'M6 5h2v14H6zM20 5v14L9 12z',
    prev: 'M16 5v14L5 12z',
    next: 'M8 5v14l11-7z',
    last: 'M16 5h2v14h-2zM4 5v14l11-7z',
    play: 'M7 4v16l13-8z',
    pause: 'M6 4h4v16H6zM14 4h4v16h-4z',
    link: 'M10.6 13.4a1 1 0 0 1 0-1.4l3.3-3.3a1 1 0 1 1 1.4 1.4l-3.3 3.3a1 1 0 0 1-1.4 0zM7 17a3 3 0 0 1 0-4.2l2-2 1.4 1.4-2 2a1 1 0 0 0 1.4 1.4l2-2 1.4 1.4-2 2A3 3 0 0 1 7 17zm10-10a3 3 0 0 1 0 4.2l-2 2-1.4-1.4 2-2a1 1 0 0 0-1.4-1.4l-2 2-1.4-1.4 2-2A3 3 0 0 1 17 7z'
  };
  function icon(name) {
    return '<svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false"><path d="' + ICONS[name] + '"/></svg>';
  }

  var PHASE_TITLES = { forward: 'Forward pass', backward: 'Backward pass', update: 'Update' };
  var OP_SYMBOL = { matmul: '·', add: '+', sub: '−', mul: '⊙', div: '÷' };

  /* ---------- DOM and SVG helpers (the special views build with these) ---------- */

  var SVG_NS = 'http://www.w3.org/2000/svg';

  function html(tag, attrs, parent, text) {
    var node = document.createElement(tag);
    setAttrs(node, attrs);
    if (text != null) node.textContent = text;
    if (parent) parent.appendChild(node);
    return node;
  }

  function svg(tag, attrs, parent, text) {
    var node = document.createElementNS(SVG_NS, tag);
    setAttrs(node, attrs);
    if (text != null) node.textContent = text;
    if (parent) parent.appendChild(node);
    return node;
  }

  function setAttrs(node, attrs) {
    if (!attrs) return;
    for (var key in attrs) {
      if (attrs[key] != null && attrs[key] !== false) node.setAttribute(key, attrs[key]);
    }
  }

  // A <title> child is what SVG offers as an accessible name and a hover text at once.
  function titled(node, text) {
    var title = node.querySelector(':scope > title') || svg('title', null, node);
    if (title.textContent !== text) title.textContent = text;
    return node;
  }

  function toggleClass(node, name, on) {
    if (node.classList.contains(name) !== !!on) node.classList.toggle(name, !!on);
  }

  function setText(node, text) {
    if (node.textContent !== text) node.textContent = text;
  }

  // Every view's host: the class that scopes the styles, no transitions when the reader asked
  // for reduced motion (the media query covers the rest in the CSS), and drawings that fit and
  // read on a phone (views/legible.js).
  function prepare(host, api) {
    if (api && api.reducedMotion) host.classList.add('uv-reduced-motion');
    if (kit.legible) kit.legible(host);
  }

  // A caption line under a view's graphic, updated in place.
  function caption(parent) {
    return html('p', { class: 'uv-caption' }, parent);
  }

  // Ids inside SVGs (patterns, markers, titles) must differ between viewers on a page.
  var uniqueIds = 0;
  function uniqueId() { return ++uniqueIds; }

  /* ---------- vectors and axes ---------- */

  function norm(values) {
    var sum = 0;
    for (var i = 0; i < values.length; i++) sum += values[i] * values[i];
    return Math.sqrt(sum);
  }

  // At most `limit` entries and about `budget` characters, so labels on a diagram stay
  // clear of each other; the hover title has them all.
  function vectorText(api, values, limit, budget) {
    var parts = [], length = 0;
    for (var i = 0; i < values.length && i < limit; i++) {
      var text = api.format(values[i]);
      if (i > 0 && length + text.length > (budget || Infinity)) break;
      parts.push(text);
      length += text.length + 2;
    }
    if (values.length > parts.length) parts.push('…');
    return '[' + parts.join(', ') + ']';
  }

  function exactVector(values) {
    var parts = [];
    for (var i = 0; i < values.length; i++) parts.push(exact(values[i]));
    return '[' + parts.join(', ') + ']';
  }

  // Tick values for an axis from lo to hi: about `count` of them at 1, 2 or 5 times a power of ten.
  function niceTicks(lo, hi, count) {
    if (!(hi > lo)) return [lo];
    var raw = (hi - lo) / count, mag = Math.pow(10, Math.floor(Math.log10(raw)));
    var stepSize = [1, 2, 5, 10].map(function (m) { return m * mag; }).filter(function (x) { return x >= raw; })[0];
    var ticks = [];
    for (var v = Math.ceil(lo / stepSize) * stepSize; v <= hi + stepSize * 1e-9; v += stepSize) ticks.push(+v.toPrecision(12));
    return ticks;
  }

  var kit = {
    reducedMotion: reducedMotion,
    escapeHtml: escapeHtml,
    katexOptions: katexOptions,
    texHtml: texHtml,
    typeset: typeset,
    number: number,
    toNumber: number,
    format: format,
    exact: exact,
    colour: colour,
    numberClass: numberClass,
    icon: icon,
    PHASE_TITLES: PHASE_TITLES,
    OP_SYMBOL: OP_SYMBOL,
    html: html,
    svg: svg,
    setAttrs: setAttrs,
    titled: titled,
    toggleClass: toggleClass,
    setText: setText,
    prepare: prepare,
    caption: caption,
    uniqueId: uniqueId,
    norm: norm,
    vectorText: vectorText,
    exactVector: exactVector,
    niceTicks: niceTicks
  };
  U.viewerKit = U.viewKit = kit;
  U.number = number;
  U.format = format;
  U.colour = colour;
  U.texHtml = texHtml;
})(window.Unrolled);
