/* Unrolled viewer, special view: the feature maps of a CNN as heatmaps (view feature-maps).
   Shares U.viewKit (views/kit.js, loaded first), whose header lists the hooks tests rely on. */
window.Unrolled = window.Unrolled || {};
(function (U) {
  'use strict';
  const { html, svg, titled, toggleClass, exact, traceIndex, prepare, caption, setText, hasTag, seriesOf } = U.viewKit;
  var views = (U.views = U.views || []);

  /* The input image and every tensor tagged feature_map in the iteration the viewer is at, in
     the order the steps first use them, one channel each as a heatmap (a channel picker for all of them), blank
     until the step that makes it; and, when the trace describes a feature_map series in its
     history, one image's maps per entry with a slider. */

  views.push({
    id: 'feature-maps',
    title: 'Feature maps',
    applies: function (model) {
      var listed = model.trace.views;
      if (Array.isArray(listed) ? listed.indexOf('feature-maps') < 0 : !hasTag(model, 'feature_map')) return false;
      return hasTag(model, 'feature_map', isImage) || !!seriesOf(model, 'feature_map');
    },
    create: createFeatureMaps
  });

  // N×C×H×W, or N×C after global pooling (drawn as one row of C cells per sample).
  function isImage(tensor) { return tensor.shape.length === 4 || tensor.shape.length === 2; }

  var CONTEXT = ['layer', 'stage', 'branch', 'variant'];

  function mapTitle(tensor) {
    var tags = tensor.tags || {}, parts = [];
    if (tags.quantity === 'image') return 'input image (' + tensor.name + ')';
    CONTEXT.forEach(function (key) { if (tags[key] != null) parts.push(key === 'layer' ? 'layer ' + tags[key] : String(tags[key])); });
    return (parts.length ? parts.join(', ') + ' ' : '') + '(' + tensor.name + ')';
  }

  /* A channel of an image as a grid: rows × cols values read by at(r, c), cells with data hooks. */
  function heatmap(parent, api, label, rows, cols, at, attrs) {
    var cell = Math.max(14, Math.min(34, Math.floor(240 / Math.max(rows, cols))));
    var box = html('figure', Object.assign({ class: 'uv-fmap' }, attrs), parent);
    html('figcaption', null, box, label);
    var sv = svg('svg', { class: 'uv-svg uv-fgrid', viewBox: '0 0 ' + (cols * cell + 2) + ' ' + (rows * cell + 2),
                          style: 'width:' + (cols * cell + 2) + 'px; max-width: 100%', role: 'img',
                          'aria-label': label + ', ' + rows + ' by ' + cols }, box);
    var maxAbs = 0, cells = [];
    for (var r = 0; r < rows; r++) for (var c = 0; c < cols; c++) { var v0 = at(r, c); if (isFinite(v0)) maxAbs = Math.max(maxAbs, Math.abs(v0)); }
    for (var i = 0; i < rows; i++) {
      for (var j = 0; j < cols; j++) {
        var v = at(i, j);
        var rect = svg('rect', { class: 'uv-fcell', x: j * cell + 1, y: i * cell + 1, width: cell, height: cell,
                                 'data-row': i, 'data-col': j, 'data-value': exact(v) }, sv);
        titled(rect, label + ' [' + (i + 1) + ',' + (j + 1) + '] = ' + exact(v));
        cells.push({ rect: rect, fill: api.colour(v, maxAbs) });
      }
    }
    return { box: box, cells: cells };
  }

  function createFeatureMaps(host, model, api) {
    var index = traceIndex(model);
    prepare(host, api);
    host.classList.add('uv-view', 'uv-feature-maps');
    var controls = html('div', { class: 'uv-controls' }, host);
    var label = html('label', null, controls);
    html('span', null, label, 'channel');
    var picker = html('select', { class: 'uv-fchannel', 'aria-label': 'channel shown in every map' }, label);
    var holder = html('div', { class: 'uv-fmaps' }, host);
    var note = caption(host);
    var seriesBox = html('div', { class: 'uv-fseries' }, host);
    var channel = 0, shownRoot = null, maps = [], lastStep = -1;

    function channels() {
      var most = 1;
      maps.forEach(function (m) { most = Math.max(most, m.tensor.shape[1]); });
      return most;
    }

    function build(root) {
      holder.textContent = '';
      // The input image first, for comparison, then the maps in the order the steps use them.
      maps = index.withQuantity(root, 'image').concat(index.withQuantity(root, 'feature_map'))
        .map(function (id) { return { tensor: index.tensors[id] }; })
        .filter(function (m) { return isImage(m.tensor); });
      var count = channels();
      if (picker.options.length !== count) {
        picker.textContent = '';
        for (var c = 0; c < count; c++) html('option', { value: c }, picker, String(c + 1));
      }
      if (channel >= count) channel = 0;
      picker.value = String(channel);
      label.style.display = count < 2 ? 'none' : '';
      maps.forEach(function (m) {
        var t = m.tensor, values = model.values(t.id), flat = t.shape.length === 2;
        var c = Math.min(channel, t.shape[1] - 1);
        var rows = flat ? 1 : t.shape[2], cols = flat ? t.shape[1] : t.shape[3];
        var at = flat ? function (r, j) { return values[j]; } : function (r, j) { return values[(c * rows + r) * cols + j]; };
        var drawn = heatmap(holder, api, mapTitle(t) + (flat ? ', all channels' : ', channel ' + (c + 1)), rows, cols, at,
                            { 'data-tensor-id': t.id, 'data-channel': flat ? '' : c });
        m.cells = drawn.cells;
        m.box = drawn.box;
        m.made = index.producer[t.id];
        m.state = null;
      });
      if (!maps.length) setText(note, 'No feature maps in this iteration.');
    }

    function update(s) {
      lastStep = s;
      if (s < 0 || s >= index.steps.length) return;
      var root = index.stepRoot[s];
      if (root !== shownRoot) { shownRoot = root; build(root); }
      var pending = 0;
      maps.forEach(function (m) {
        var done = m.made <= s;
        if (!done) pending++;
        toggleClass(m.box, 'uv-lit', m.made === s);
        if (m.state === done) return;
        m.state = done;
        m.cells.forEach(function (cell) {
          cell.rect.setAttribute('fill', done ? cell.fill : 'none');
          toggleClass(cell.rect, 'uv-pending', !done);
        });
      });
      if (maps.length) {
        setText(note, (pending ? pending + ' of ' + maps.length + ' maps are not computed yet at this step. ' : '') +
                'Red is positive, blue negative; each map has its own scale.');
      }
    }

    picker.addEventListener('change', function () { channel = +picker.value; build(shownRoot); update(lastStep); });
    historySeries(seriesBox, model, api);
    return { update: update, destroy: function () { host.textContent = ''; } };
  }

  /* The described feature_map series: one C×H×W snapshot per history entry that has one, a
     slider over those entries and a channel picker. */
  function historySeries(box, model, api) {
    var series = seriesOf(model, 'feature_map');
    var key = series && series.key;
    var entries = !series ? [] : (model.trace.history || []).filter(function (e) { return e.tensors && e.tensors[key]; });
    if (!entries.length) return;
    var unit = series.per === 'epoch' ? 'epoch' : 'iteration';
    html('h3', null, box, 'Feature maps of one image after each ' + unit + (series.meaning ? ': ' + series.meaning : ''));
    var controls = html('div', { class: 'uv-controls' }, box);
    var sliderLabel = html('label', null, controls);
    html('span', null, sliderLabel, unit);
    var slider = html('input', { type: 'range', min: 0, max: entries.length - 1, value: entries.length - 1, 'aria-label': unit }, sliderLabel);
    var shown = html('output', null, sliderLabel);
    var channelLabel = html('label', null, controls);
    html('span', null, channelLabel, 'channel');
    var picker = html('select', { class: 'uv-fseries-channel', 'aria-label': 'channel of the series' }, channelLabel);
    var C = entries[0].tensors[key].shape[0];
    for (var c = 0; c < C; c++) html('option', { value: c }, picker, String(c + 1));
    var holder = html('div', null, box);

    function draw() {
      holder.textContent = '';
      var entry = entries[+slider.value], snap = entry.tensors[key], shape = snap.shape;
      var data = snap.data.map(U.number), ch = +picker.value;
      var rows = shape.length === 3 ? shape[1] : 1, cols = shape.length === 3 ? shape[2] : shape[shape.length - 1];
      var number = entry[unit] != null ? entry[unit] : entry.iteration;
      setText(shown, String(number));
      box.setAttribute('data-entry', String(number));
      var drawn = heatmap(holder, api, key + ' after ' + unit + ' ' + number + ', channel ' + (ch + 1), rows, cols,
                          function (r, j) { return data[(ch * rows + r) * cols + j]; }, { 'data-channel': ch });
      drawn.cells.forEach(function (cell) { cell.rect.setAttribute('fill', cell.fill); });
    }
    slider.addEventListener('input', draw);
    picker.addEventListener('change', draw);
    draw();
  }
})(window.Unrolled);
