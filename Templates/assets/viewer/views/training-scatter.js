/* Unrolled viewer: the word2vec embedding scatter of the training view (views/training.js), a
   file of its own: the rows of W_in projected to 2-D per epoch, each word labelled where its label
   overlaps no other (king and queen end up close together; their labels must both read).
   Declared: the embedding_projection series and the tensor tagged embedding (its words). Adds
   embeddingScatter to U.viewKit; loaded before training.js (file-name order), used at create. */
window.Unrolled = window.Unrolled || {};
(function (U) {
  'use strict';
  const { html, svg, titled, toNumber, seriesOf, followEpochs } = U.viewKit;

  function embeddingScatter(host, model, api, history) {
    var series = seriesOf(model, 'embedding_projection');
    var key = series && series.key;
    var epochs = !series ? [] : history.filter(function (e) { return e.tensors && e.tensors[key]; });
    if (!epochs.length) return null;
    var wIn = (model.trace.tensors || []).filter(function (t) { return t.tags && t.tags.quantity === 'embedding'; })[0];
    var words = wIn && wIn.labels && wIn.labels[0];
    var section = html('div', { class: 'uv-scatter' }, host);
    html('h3', null, section, 'Word embeddings: the rows of W_in projected to 2-D (PCA), per epoch');
    var controls = html('div', { class: 'uv-controls' }, section);
    var label = html('label', null, controls);
    html('span', null, label, 'epoch');
    var slider = html('input', { type: 'range', min: 0, max: epochs.length - 1, value: epochs.length - 1,
                                 'aria-label': 'epoch' }, label);
    var out = html('output', null, label);
    var S = 460, pad = 40;
    var figure = svg('svg', { class: 'uv-svg uv-embedding', viewBox: '0 0 ' + S + ' ' + S, role: 'img',
                              style: 'max-width:' + S + 'px', 'aria-label': 'Embeddings scatter' }, section);
    svg('rect', { class: 'uv-scatter-frame', x: 1, y: 1, width: S - 2, height: S - 2, rx: 6 }, figure);
    var layer = svg('g', null, figure);
    var dots = [];
    var n = epochs[0].tensors[key].shape[0];
    for (var i = 0; i < n; i++) {
      var g = svg('g', { class: 'uv-word', 'data-word': words ? words[i] : String(i + 1) }, layer);
      dots.push({ group: g, circle: svg('circle', { class: 'uv-point', r: 4 }, g),
                  text: svg('text', { class: 'uv-point-label' }, g, words ? words[i] : String(i + 1)) });
    }
    function show(k) {
      var e = epochs[k], data = e.tensors[key].data.map(toNumber);
      var lo = [Infinity, Infinity], hi = [-Infinity, -Infinity];
      for (var i = 0; i < data.length; i++) {
        if (isFinite(data[i])) { lo[i % 2] = Math.min(lo[i % 2], data[i]); hi[i % 2] = Math.max(hi[i % 2], data[i]); }
      }
      // Each epoch fills the frame with one scale for both axes: PCA axes are recomputed per
      // epoch, so shapes compare across epochs, sizes do not.
      var span = Math.max(hi[0] - lo[0], hi[1] - lo[1]) || 1;
      var scale = (S - 2 * pad) / span, mx = (lo[0] + hi[0]) / 2, my = (lo[1] + hi[1]) / 2;
      dots.forEach(function (d, i) {
        var x = S / 2 + (data[2 * i] - mx) * scale, y = S / 2 - (data[2 * i + 1] - my) * scale;
        d.circle.setAttribute('cx', x); d.circle.setAttribute('cy', y);
        d.x = x; d.y = y;
        titled(d.group, d.group.getAttribute('data-word') + ': (' + api.format(data[2 * i]) + ', ' + api.format(data[2 * i + 1]) + ')');
      });
      // The labels' type: 12 px, or on a phone as large as 11 px on screen takes (set here rather
      // than by views/legible.js, so that they are placed at the size they are drawn).
      var drawn = figure.getBoundingClientRect().width, size = Math.max(12, drawn ? 11.05 * S / drawn : 12);
      dots.forEach(function (d) { d.text.style.fontSize = size.toFixed(2) + 'px'; });
      placeLabels(dots, S, size / 12);
      out.textContent = e.iteration + ' of ' + epochs[epochs.length - 1].iteration + ' (loss ' + api.format(toNumber(e.loss)) + ')';
      figure.setAttribute('aria-label', 'Embeddings after epoch ' + e.iteration + ', projected to 2-D');
    }
    var unsubscribe = followEpochs(api, history, epochs, slider, show);
    return { destroy: unsubscribe };
  }

  /* Labels placed greedily, in word order: each takes the first of eight places around its
     point (right, left, above, below and the corners) whose box overlaps no label placed before
     it and no other point; failing that, the right or the left nudged up or down a line at a
     time; failing that too, the place that overlaps least. Boxes are the texts' measured widths
     and 14 px high for 12 px type (`f` times both for larger type, and the offsets); a label stays
     inside the frame. */
  function placeLabels(dots, S, f) {
    var placed = [], H = 14 * f, R = 4;
    function box(d, w, dx, dy) { return { x: d.x + dx, y: d.y + dy - H + 3 * f, w: w, h: H }; }
    function overlap(a, b) {
      var x = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x), y = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
      return x > 0 && y > 0 ? x * y : 0;
    }
    function cost(b, self) {
      if (b.x < 2 || b.y < 2 || b.x + b.w > S - 2 || b.y + b.h > S - 2) return Infinity;
      var total = 0;
      placed.forEach(function (p) { total += overlap(b, p); });
      dots.forEach(function (d) { if (d !== self) total += overlap(b, { x: d.x - R, y: d.y - R, w: 2 * R, h: 2 * R }); });
      return total;
    }
    dots.forEach(function (d) {
      var w = (d.text.getComputedTextLength && d.text.getComputedTextLength()) || 7 * d.text.textContent.length;
      var places = [[7, 4], [-7 - w / f, 4], [-w / 2 / f, -8], [-w / 2 / f, 16], [6, -5], [-6 - w / f, -5], [6, 14], [-6 - w / f, 14]]
        .map(function (p) { return [p[0] * f, p[1] * f]; });
      for (var k = 1; k <= 6; k++) places.push([7 * f, 4 * f - k * H], [7 * f, 4 * f + k * H], [-7 * f - w, 4 * f - k * H], [-7 * f - w, 4 * f + k * H]);
      var best = null, bestCost = Infinity;
      for (var i = 0; i < places.length && bestCost > 0; i++) {
        var b = box(d, w, places[i][0], places[i][1]), c = cost(b, d);
        if (c < bestCost) { best = { b: b, dx: places[i][0], dy: places[i][1] }; bestCost = c; }
      }
      if (!best) best = { b: box(d, w, 7 * f, 4 * f), dx: 7 * f, dy: 4 * f };
      d.text.setAttribute('x', d.x + best.dx);
      d.text.setAttribute('y', d.y + best.dy);
      placed.push(best.b);
    });
  }

  U.viewKit.embeddingScatter = embeddingScatter;
})(window.Unrolled);
