/* Unrolled viewer: the Unrolled view's drawing (views/unrolled.js), a file of its own: its geometry and its elements.
   Wide (900 units): the cells t = 1…T in a row per direction, the norms' bars standing under them.
   Narrow, for a phone (350 units): the time steps stacked, a row per t with both directions' cells
   side by side, the bars lying to the right of them, so that the drawing fits the panel and every
   text, 13 units or more, is drawn at 11 px or more down to a 308 px panel (a 360 px phone's).
   Both give the same things (a cell per direction and t, a bar per direction and t, whose length
   runs from 0 to `barLength` units), so the view draws either with the same hooks and values.
   Adds unrolledLayouts and drawUnrolled to U.viewKit; loaded before unrolled.js (file-name order).

   A layout of T steps and `rows` directions ('' for a one-way network, 'f' and 'b'): width, height,
   dense (cells too small for a gap, an arrow or a number), cell(row, t) and bar(row, t, length) as
   rectangles, arrow(row, t) the mark between cell t and t+1 (null when dense), labels (the rows' or
   columns' names, the quantity's, the time axis'), timeTicks, timeAxis, valueAxis and valueTick(length)
   (the mark and the number at a bar length), and how many numbers its value axis holds at most on a
   log scale (`logTicks`) and about on a linear one (`linearTicks`). */
window.Unrolled = window.Unrolled || {};
(function (U) {
  'use strict';
  var BAR_LENGTH = 150;   // units, in both layouts: a bar's full length

  function rowName(d, row, narrow) {
    if (d === 'f') return narrow ? 'forward' : 'forward →';
    if (d === 'b') return narrow ? 'backward' : '← backward';
    return row;
  }

  // Every k-th time step is numbered on a long sequence.
  function tickEvery(T) { return T <= 30 ? 1 : Math.ceil(T / 20 / 5) * 5; }
  function ticked(T, t) { return t === 1 || t % tickEvery(T) === 0; }

  function wide(T, dirs, names) {
    var W = 900, left = 86, right = 16, cellH = 34, rowGap = 10, top = 8;
    var cellW = (W - left - right) / Math.max(T, 1), dense = cellW < 22, pad = dense ? 0 : 3;
    var barTop = top + dirs.length * (cellH + rowGap) + 34, barBottom = barTop + BAR_LENGTH;
    function rowY(row) { return top + row * (cellH + rowGap); }
    var labels = dirs.map(function (d, row) {
      return { cls: 'uv-rowlabel', x: 4, y: rowY(row) + cellH / 2 + 4, text: rowName(d, names.row, false) };
    });
    labels.push({ cls: 'uv-rowlabel', x: 4, y: barTop - 14, text: names.quantity });
    var timeTicks = [];
    for (var t = 1; t <= T; t++) if (ticked(T, t)) timeTicks.push({ t: t, x: left + (t - 0.5) * cellW, y: barBottom + 14, anchor: 'middle' });
    return {
      narrow: false, width: W, height: barBottom + 34, dense: dense, barLength: BAR_LENGTH, logTicks: 6, linearTicks: 4,
      cell: function (row, t) {
        return { x: left + (t - 1) * cellW + pad, y: rowY(row), width: Math.max(cellW - 2 * pad, 0.5), height: cellH, rx: dense ? 0 : 5 };
      },
      number: function (row, t) { return dense ? null : { x: left + (t - 0.5) * cellW, y: rowY(row) + cellH / 2 + 4 }; },
      arrow: function (row, d, t) {
        if (dense) return null;
        // The wire between cells t and t+1, over the gap between them, in either direction's row.
        var ax = left + t * cellW, y = rowY(row) + cellH / 2;
        return { x1: ax - 3, y1: y, x2: ax + 3 + 0.001, y2: y };
      },
      bar: function (row, t, length) {
        var share = (cellW - 2 * pad) / dirs.length;
        return { x: left + (t - 1) * cellW + pad + row * share, width: Math.max(share, 0.5), y: barBottom - length, height: length };
      },
      labels: labels,
      timeTicks: timeTicks,
      timeAxis: { x1: left, y1: barBottom, x2: W - right, y2: barBottom },
      timeTitle: { x: left + (W - left - right) / 2, y: barBottom + 30, anchor: 'middle', text: 't' },
      valueAxis: { x1: left, y1: barTop, x2: left, y2: barBottom },
      valueTick: function (length) {
        var y = barBottom - length;
        return { line: { x1: left - 4, y1: y, x2: left, y2: y }, text: { x: left - 6, y: y + 4, anchor: 'end' } };
      },
      position: dirs.length > 1 ? ['left', 'right'] : null
    };
  }

  // The narrow drawing: t down the left, the directions' columns of cells, then the bars, whose
  // value axis runs along the top under the quantity's name.
  function narrow(T, dirs, names) {
    var W = 350, tRight = 24, cellsLeft = 30, cellsWidth = 130, colGap = 6, top = 46;
    var barLeft = cellsLeft + cellsWidth + 12;
    var rowH = Math.min(40, Math.max(480 / Math.max(T, 1), 1)), dense = rowH < 16, pad = dense ? 0 : 3;
    var colW = (cellsWidth - (dirs.length - 1) * colGap) / dirs.length;
    function colX(row) { return cellsLeft + row * (colW + colGap); }
    function rowY(t) { return top + (t - 1) * rowH; }
    var labels = dirs.map(function (d, row) {
      return { cls: 'uv-rowlabel', x: colX(row) + colW / 2, y: 15, anchor: 'middle', text: rowName(d, names.row, true) };
    });
    labels.push({ cls: 'uv-rowlabel', x: barLeft, y: 15, text: names.quantity });
    var timeTicks = [];
    for (var t = 1; t <= T; t++) if (ticked(T, t)) timeTicks.push({ t: t, x: tRight, y: rowY(t) + rowH / 2 + 4.5, anchor: 'end' });
    return {
      narrow: true, width: W, height: top + T * rowH + 8, dense: dense, barLength: BAR_LENGTH, logTicks: 3, linearTicks: 2,
      cell: function (row, t) {
        return { x: colX(row), y: rowY(t) + pad, width: colW, height: Math.max(rowH - 2 * pad, 0.5), rx: dense ? 0 : 5 };
      },
      number: function () { return null; },   // t is written down the left
      // A chevron between cell t and t+1, pointing the way the direction runs (down forward, up backward).
      arrow: function (row, d, t) {
        if (dense) return null;
        var x = colX(row) + colW / 2, y = rowY(t + 1), turn = d === 'b' ? -2.5 : 2.5;
        return { points: [x - 4, y - turn, x, y + turn, x + 4, y - turn].join(' ') };
      },
      bar: function (row, t, length) {
        var share = (rowH - 2 * pad) / dirs.length;
        return { x: barLeft, width: length, y: rowY(t) + pad + row * share, height: Math.max(share, 0.5) };
      },
      labels: labels,
      timeTicks: timeTicks,
      timeAxis: null,
      timeTitle: { x: tRight, y: 35, anchor: 'end', text: 't' },
      valueAxis: { x1: barLeft, y1: top - 4, x2: barLeft + BAR_LENGTH, y2: top - 4 },
      valueTick: function (length) {
        var x = barLeft + length;
        return { line: { x1: x, y1: top - 8, x2: x, y2: top - 4 }, text: { x: x, y: top - 11, anchor: 'middle' } };
      },
      position: dirs.length > 1 ? ['upper', 'lower'] : null
    };
  }

  /* Draws `layout` into `holder`, emptied: its labels, each direction's cells (each a button that calls
     spec.go(d, t), unless spec.inert; a group of 40 or fewer steps is reached by the keyboard), the
     time steps' numbers and a bar per direction and t, at length 0. Returns the figure, the value
     axis' group (empty) and the cells' and bars' elements by direction and t. */
  function drawUnrolled(holder, layout, spec) {
    var svg = U.viewKit.svg, titled = U.viewKit.titled, T = spec.T;
    holder.textContent = '';
    // A group, not an image: its cells are buttons a keyboard can reach.
    var figure = svg('svg', { class: 'uv-svg' + (layout.narrow ? ' uv-narrow' : ''), viewBox: '0 0 ' + layout.width + ' ' + layout.height,
                              role: 'group', 'aria-label': 'The network unrolled over t = 1…' + T + ', with ' + spec.quantity + ' per time step' }, holder);
    layout.labels.forEach(function (label) {
      svg('text', { class: label.cls, x: label.x, y: label.y, 'text-anchor': label.anchor || null }, figure, label.text);
    });
    var units = {}, bars = {};
    spec.dirs.forEach(function (d, row) {
      for (var t = 1; t < T; t++) {
        var arrow = layout.arrow(row, d, t);
        if (arrow) svg(arrow.points ? 'polyline' : 'line', Object.assign({ class: 'uv-arrow' }, arrow), figure);
      }
      units[d] = [];
      for (var t2 = 1; t2 <= T; t2++) {
        var g = svg('g', { class: 'uv-unit', 'data-t': t2, 'data-dir': d || null }, figure);
        var rect = svg('rect', layout.cell(row, t2), g);
        var number = layout.number(row, t2);
        if (number) svg('text', number, g, String(t2));
        if (!spec.inert) {
          if (T <= 40) { g.setAttribute('tabindex', '0'); g.setAttribute('role', 'button'); }
          g.addEventListener('click', spec.go.bind(null, d, t2));
          g.addEventListener('keydown', function (dd, tt, event) {
            if (event.key === 'Enter' || event.key === ' ') { event.preventDefault(); spec.go(dd, tt); }
          }.bind(null, d, t2));
        }
        titled(g, (d === 'f' ? 'forward direction, ' : d === 'b' ? 'backward direction, ' : '') +
               't = ' + t2 + (spec.inert ? '' : ': click to go to this cell'));
        units[d][t2] = { group: g, rect: rect, lit: false, done: false };
      }
    });
    // Time steps numbered along the cells, every k-th for long sequences.
    var axis = svg('g', { class: 'uv-axis' }, figure);
    if (layout.timeAxis) svg('line', layout.timeAxis, axis);
    layout.timeTicks.forEach(function (tick) {
      svg('text', { x: tick.x, y: tick.y, 'text-anchor': tick.anchor }, axis, String(tick.t));
    });
    var title = layout.timeTitle;
    svg('text', { x: title.x, y: title.y, 'text-anchor': title.anchor }, axis, title.text);
    var yAxis = svg('g', { class: 'uv-axis' }, figure);
    spec.dirs.forEach(function (d, row) {
      bars[d] = [];
      for (var t = 1; t <= T; t++) {
        var bar = svg('rect', Object.assign({ class: 'uv-bar' + (d === 'b' ? ' uv-row-b' : ''), 'data-t': t, 'data-dir': d || null },
                                            layout.bar(row, t, 0)), figure);
        bars[d][t] = { rect: bar, row: row, shown: -2, norm: null };
      }
    });
    return { figure: figure, yAxis: yAxis, units: units, bars: bars };
  }

  U.viewKit.unrolledLayouts = { wide: wide, narrow: narrow };
  U.viewKit.drawUnrolled = drawUnrolled;
})(window.Unrolled);
