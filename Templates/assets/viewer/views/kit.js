/* Unrolled viewer: what the special views share (DOM and SVG helpers, numbers), U.viewKit;
   views/structure.js adds the per-trace index of the declared structure. The views, "views
   that teach where a generic matrix view does not", are a file each beside this one: cell.js,
   unrolled.js, attention.js, word2vec.js, training.js. Each appears only for traces whose
   declared structure it can draw (and which suggest it, when the trace lists its views). Each view is a spec pushed onto Unrolled.views (see the viewer contract):
   applies(model), create(host, model, api) → {update(stepIndex), destroy()}.
   Every view builds its indexes once in create() so that update() only looks things up:
   it must stay under 5 ms on a 20,000-step trace. Classic script, no dependencies.

   Hooks that tests and other scripts may rely on (inside the panel [data-view="<id>"]):
   - lstm-cell, gru-cell: .uv-wire[data-wire][data-tensor="f_2"][data-tensor-id] (the id of
     the tensor or gradient shown, empty when not computed yet; its <title> has the exact
     values), .uv-node[data-node].uv-lit; the panel has .uv-backward during backward.
   - unrolled: .uv-unit[data-t][data-dir] (click: first step of that cell),
     .uv-bar[data-t][data-dir][data-norm] (data-norm absent while not computed).
   - attention: .uv-heatcell[data-row][data-col][data-value], .uv-rowtoken, .uv-coltoken,
     .uv-rowlit[visibility], rects .uv-masked and .uv-pending; a <select> of heads.
   - word2vec: .uv-stage[data-stage="<tensor name>"].uv-lit, .uv-w2vcell[data-value], and
     for stages with a gradient .uv-w2vgrad[data-value] (empty until computed).
   - training: .uv-curve (one point per finite history loss), .uv-traced circles,
     .uv-hover-text; .uv-word[data-word] and .uv-point with a range input per epoch. */
window.Unrolled = window.Unrolled || {};
(function (U) {
  'use strict';
  var SVG_NS = 'http://www.w3.org/2000/svg';

  // ---------------------------------------------------------------- DOM helpers

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

  // ---------------------------------------------------------------- numbers

  function toNumber(x) {
    if (typeof x === 'number') return x;
    if (x === 'NaN') return NaN;
    if (x === 'Infinity') return Infinity;
    if (x === '-Infinity') return -Infinity;
    return Number(x);
  }

  function norm(values) {
    var sum = 0;
    for (var i = 0; i < values.length; i++) sum += values[i] * values[i];
    return Math.sqrt(sum);
  }

  // Exact decimal text for hover titles: the shortest string that reads back to the double.
  function exact(x) {
    if (x !== x) return 'NaN';
    if (x === Infinity) return '∞';
    if (x === -Infinity) return '−∞';
    return String(x);
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

  // Largest index i with list[i].step <= step, or -1. Lists are in step order.
  function lastAtOrBefore(list, step) {
    var lo = 0, hi = list.length - 1, found = -1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (list[mid].step <= step) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
    }
    return found;
  }

  function values(model, id) {
    return id < 0 ? null : model.values(id);
  }

  function phaseOf(index, s) {
    return s >= 0 && s < index.steps.length ? index.steps[s].phase : null;
  }

  // Every view's host: the class that scopes the styles, and no transitions when the
  // reader asked for reduced motion (the media query covers the rest in the CSS).
  function prepare(host, api) {
    if (api && api.reducedMotion) host.classList.add('uv-reduced-motion');
  }

  // A caption line under a view's graphic, updated in place.
  function caption(parent) {
    return html('p', { class: 'uv-caption' }, parent);
  }

  /* The equation of the current step's scope (or of the nearest enclosing scope that has
     one), rendered with the viewer's api.tex, and only re-rendered when it changes. */
  function equationLine(parent, index, api) {
    // Above the graphic, where the reader looks first.
    var node = parent.insertBefore(html('div', { class: 'uv-equation' }), parent.firstChild);
    var shown = null, rendered = {};   // TeX source → rendered element, copied on reuse
    return function (scopeId) {
      while (scopeId != null && !index.scopes[scopeId].equation) scopeId = index.scopes[scopeId].parent;
      var tex = scopeId == null ? '' : index.scopes[scopeId].equation;
      if (tex === shown) return;
      shown = tex;
      node.textContent = '';
      if (!tex) return;
      if (!rendered[tex]) {
        rendered[tex] = document.createElement('div');
        api.tex(rendered[tex], tex, true);
      }
      node.appendChild(rendered[tex].cloneNode(true));
    };
  }

  function setText(node, text) {
    if (node.textContent !== text) node.textContent = text;
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

  // Ids inside SVGs (patterns, markers, titles) must differ between viewers on a page.
  var uniqueIds = 0;
  function uniqueId() { return ++uniqueIds; }

  U.viewKit = {
    html: html,
    svg: svg,
    setAttrs: setAttrs,
    titled: titled,
    toggleClass: toggleClass,
    toNumber: toNumber,
    norm: norm,
    exact: exact,
    vectorText: vectorText,
    exactVector: exactVector,
    lastAtOrBefore: lastAtOrBefore,
    values: values,
    phaseOf: phaseOf,
    prepare: prepare,
    caption: caption,
    equationLine: equationLine,
    setText: setText,
    niceTicks: niceTicks,
    uniqueId: uniqueId
  };
})(window.Unrolled);
