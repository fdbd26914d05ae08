/* Unrolled viewer, special view: a word's nearest neighbours per epoch (view neighbours).
   Shares U.viewKit (views/kit.js, loaded first), whose header lists the hooks tests rely on. */
window.Unrolled = window.Unrolled || {};
(function (U) {
  'use strict';
  const { html, toNumber, exact, prepare, caption, setText, suggests, followEpochs } = U.viewKit;
  var views = (U.views = U.views || []);

  /* For each described `nearest_neighbours` series (one per word the author asked about), the
     word's nearest words by cosine over the rows of the embedding, after the epoch the viewer's
     history position names: a ranked list with each cosine as a number and a bar. Declared: the
     series (quantity nearest_neighbours, of embedding; a snapshot is (k + 1)×2, per row a row
     index of the tensor tagged `embedding` and a cosine, the asked word itself first) and that
     tensor's row labels (the words). Nothing is read from a series key or a tensor name. */

  views.push({
    id: 'neighbours',
    title: 'Neighbours',
    applies: function (model) {
      return suggests(model, 'neighbours') && neighbourSeries(model).length > 0 && epochsOf(model).length > 0;
    },
    create: createNeighbours
  });

  function neighbourSeries(model) {
    return (Array.isArray(model.trace.series) ? model.trace.series : []).filter(function (s) {
      return s && s.quantity === 'nearest_neighbours' && s.of === 'embedding' && typeof s.key === 'string';
    });
  }

  // The history entries holding at least one of the series: the epochs the view can show.
  function epochsOf(model) {
    var keys = neighbourSeries(model).map(function (s) { return s.key; });
    return (model.trace.history || []).filter(function (e) {
      return e.tensors && keys.some(function (k) { return e.tensors[k]; });
    });
  }

  function createNeighbours(host, model, api) {
    prepare(host, api);
    host.classList.add('uv-view', 'uv-neighbours');
    var history = model.trace.history, epochs = epochsOf(model), series = neighbourSeries(model);
    var embedding = (model.trace.tensors || []).filter(function (t) { return t.tags && t.tags.quantity === 'embedding'; })[0];
    var words = embedding && embedding.labels && embedding.labels[0];
    function wordOf(row) { return words && words[row] != null ? String(words[row]) : 'row ' + (row + 1); }

    var controls = html('div', { class: 'uv-controls' }, host);
    var label = html('label', null, controls);
    html('span', null, label, 'after epoch');
    var slider = html('input', { type: 'range', class: 'uv-nb-epoch', min: 0, max: epochs.length - 1,
                                 value: epochs.length - 1, 'aria-label': 'epoch' }, label);
    var out = html('output', { class: 'uv-nb-epoch-text' }, label);
    var grid = html('div', { class: 'uv-nb-grid' }, host);
    var lists = series.map(function (s) {
      var box = html('section', { class: 'uv-nb-list' }, grid);
      var heading = html('h3', null, box);
      var table = html('table', { class: 'uv-nb-table' }, box);
      var head = html('tr', null, html('thead', null, table));
      ['rank', 'word', 'cosine'].forEach(function (name) { html('th', { scope: 'col' }, head, name); });
      return { series: s, box: box, heading: heading, body: html('tbody', null, table) };
    });
    var note = caption(host);
    setText(note, 'Cosine similarity of the rows of the embedding W_in: 1 is the same direction, 0 unrelated, −1 opposite. ' +
      'The words move as training makes words used in the same contexts alike.');

    function show(k) {
      var e = epochs[k], before = k > 0 ? epochs[k - 1] : null;
      setText(out, e.iteration + ' of ' + epochs[epochs.length - 1].iteration + ' (loss ' + api.format(toNumber(e.loss)) + ')');
      lists.forEach(function (list) {
        var rows = rowsOf(e, list.series.key);
        list.body.textContent = '';
        if (!rows.length) { setText(list.heading, 'not recorded after this epoch'); return; }
        var word = wordOf(rows[0].row), earlier = before ? rowsOf(before, list.series.key).slice(1).map(function (r) { return r.row; }) : null;
        setText(list.heading, 'Nearest to ' + word);
        list.box.setAttribute('data-word', word);
        rows.slice(1).forEach(function (r, i) {
          var tr = html('tr', { class: 'uv-nb-row', 'data-rank': i + 1, 'data-word': wordOf(r.row), 'data-cosine': String(r.cosine) }, list.body);
          html('td', null, tr, String(i + 1));
          // A word that was not among the neighbours one epoch before is marked, so change reads at a glance.
          var cell = html('td', null, tr, wordOf(r.row));
          if (earlier && earlier.indexOf(r.row) < 0) html('span', { class: 'uv-nb-new', title: 'new since epoch ' + before.iteration }, cell, ' new');
          var value = html('td', { class: 'uv-nb-cosine', title: exact(r.cosine) }, tr);
          var bar = html('span', { class: 'uv-nb-bar', 'aria-hidden': 'true' }, value);
          // The bar runs from the middle: right for a positive cosine, left for a negative one.
          var width = Math.min(1, Math.abs(r.cosine)) * 50;
          bar.style.left = (r.cosine < 0 ? 50 - width : 50) + '%';
          bar.style.width = width + '%';
          bar.classList.toggle('uv-nb-negative', r.cosine < 0);
          html('span', { class: 'uv-nb-number' }, value, api.format(r.cosine));
        });
      });
    }

    var unsubscribe = followEpochs(api, history, epochs, slider, show);
    return { update: function () {}, destroy: function () { unsubscribe(); host.textContent = ''; } };
  }

  // A snapshot's rows: {row, cosine}, the asked word first.
  function rowsOf(entry, key) {
    var t = entry.tensors && entry.tensors[key], rows = [];
    if (!t || !t.data) return rows;
    for (var i = 0; i + 1 < t.data.length; i += 2) rows.push({ row: toNumber(t.data[i]), cosine: toNumber(t.data[i + 1]) });
    return rows;
  }
})(window.Unrolled);
