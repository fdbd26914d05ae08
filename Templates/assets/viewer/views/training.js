/* Unrolled viewer, special view: The loss curve and the word2vec embedding scatter (view training).
   Shares U.viewKit (views/kit.js, loaded first), whose header lists the hooks tests rely on. */
window.Unrolled = window.Unrolled || {};
(function (U) {
  'use strict';
  const { html, svg, titled, toNumber, exact, traceIndex, prepare, caption, niceTicks, suggests,
          seriesOf, narrowPanel } = U.viewKit;
  var views = (U.views = U.views || []);

  /* The loss per training iteration from `history` as a line chart (log scale offered
     when the losses span more than two decades), the traced iterations marked, the one
     the viewer is in ringed, hover for the numbers; the validation loss beside it (dashed,
     with a legend) when the trace describes a validation_loss series, and its `marks` (early
     stopping's best epoch and stop) as labelled vertical lines; the accuracy and validation
     accuracy on a 0–1 chart below when described; and when the trace describes a series
     of 2-D projections of the embedding (embedding_projection, one point per word), a scatter
     per epoch with a slider (views/training-scatter.js). A history of one entry is a number, not
     a chart of one point. Declared: the loss series (its `per` says iteration or epoch),
     the iteration scopes, the projection, validation and accuracy series and the tensor tagged
     embedding (its words). */

  views.push({
    id: 'training',
    title: 'Training',
    applies: function (model) {
      return suggests(model, 'training') && (model.trace.history || []).length > 0 && !!seriesOf(model, 'loss');
    },
    create: createTraining
  });

  function createTraining(host, model, api) {
    var index = traceIndex(model);
    prepare(host, api);
    host.classList.add('uv-view', 'uv-training');
    var history = model.trace.history;
    // Beside the training loss: every other described loss series (one value per entry): the
    // validation loss, and the same losses of another variant (a network trained from scratch).
    var extras = lossSeries(model);
    var validation = extras.filter(function (c) { return c.series.quantity === 'validation_loss'; })[0];
    var marks = validation && validation.series.marks && typeof validation.series.marks === 'object' ? validation.series.marks : {};
    var points = history.map(function (e) {
      var p = { iteration: e.iteration, loss: toNumber(e.loss), traced: e.traced };
      extras.forEach(function (c) { p[c.field] = valueOf(e, c.series.key); });
      return p;
    });
    var finite = points.filter(function (p) { return isFinite(p.loss); });
    var shown = finite.map(function (p) { return p.loss; });
    extras.forEach(function (c) {
      shown = shown.concat(points.filter(function (p) { return isFinite(p[c.field]); }).map(function (p) { return p[c.field]; }));
    });
    var stages = stageChanges(model, history);
    var positive = shown.filter(function (v) { return v > 0; });
    var lo = Math.min.apply(null, shown);
    var hi = Math.max.apply(null, shown);
    var pmin = positive.length ? Math.min.apply(null, positive) : 0;
    var wide = positive.length === shown.length && pmin > 0 && hi / pmin > 100;

    var controls = html('div', { class: 'uv-controls' }, host);
    var logBox = null;
    if (wide) {
      var label = html('label', null, controls);
      logBox = html('input', { type: 'checkbox' }, label);
      logBox.checked = true;
      html('span', null, label, 'log scale');
    }
    var unit = seriesOf(model, 'loss').per === 'epoch' ? 'epoch' : 'iteration';
    var missing = points.length - finite.length;
    var markText = Object.keys(marks).sort().map(function (k) { return (k === 'stop' ? 'stopped after ' : k + ' ') + unit + ' ' + marks[k]; });
    var traced = points.filter(function (p) { return p.traced; }).length;
    // No entry traced: the trace's steps (if any) are an example run before the entries, as
    // word2vec traces one example and then trains its epochs without recording.
    var tracedText = traced ? traced + ' traced step by step (marked)'
      : index.steps.length ? 'run without recording after the traced steps' : 'none traced step by step';
    if (points.length === 1) {
      var only = points[0];
      html('p', { class: 'uv-single' }, host, 'One ' + unit + ' (' + unit + ' ' + only.iteration + (only.traced ? ', traced step by step' : '') +
        '): loss ' + api.format(only.loss) + extras.map(function (c) {
          return isFinite(only[c.field]) ? ', ' + c.label + ' ' + api.format(only[c.field]) : ''; }).join('') +
        described(model, ['accuracy', 'validation_accuracy'], 'uv-acc-curve').map(function (c) {
          var v = valueOf(history[0], c.series.key);
          return isFinite(v) ? ', ' + c.label + ' ' + api.format(v) : ''; }).join('') + '.');
      var scatter1 = U.viewKit.embeddingScatter(host, model, api, history);
      return { update: function () {}, destroy: function () { host.textContent = ''; if (scatter1) scatter1.destroy(); } };
    }
    html('span', { class: 'uv-caption' }, controls, points.length + ' ' + unit + (points.length === 1 ? '' : 's') +
      ', ' + tracedText +
      (markText.length ? '; ' + markText.join(', ') : '') +
      (stages.length ? '; the dotted lines divide the stages (' + stages.meaning + ')' : '') +
      (missing ? '; ' + missing + ' with a loss of NaN or ±∞, not drawn' : ''));

    var W = narrowPanel(host) ? 440 : 900, H = 300, left = 70, right = 20, top = 14, bottom = 40;   // 440: a phone's
    var figure = svg('svg', { class: 'uv-svg uv-loss', viewBox: '0 0 ' + W + ' ' + H, role: 'img',
                              'aria-label': 'Training loss over ' + points.length + ' ' + unit + 's, from ' +
                              api.format(finite.length ? finite[0].loss : NaN) + ' to ' +
                              api.format(finite.length ? finite[finite.length - 1].loss : NaN) +
                              extras.map(function (c) { return '; ' + c.label; }).join('') + (markText.length ? '; ' + markText.join(', ') : '') }, host);
    var plot = svg('g', null, figure);
    var hover = svg('g', { visibility: 'hidden', 'pointer-events': 'none' }, figure);
    var hoverLine = svg('line', { class: 'uv-hover-line', y1: top, y2: H - bottom }, hover);
    var hoverDot = svg('circle', { class: 'uv-hover-dot', r: 4 }, hover);
    var hoverBg = svg('rect', { class: 'uv-hover-bg', height: 20, rx: 3 }, hover);
    var hoverText = svg('text', { class: 'uv-hover-text' }, hover);
    var overlay = svg('rect', { x: left, y: top, width: W - left - right, height: H - top - bottom, fill: 'transparent' }, figure);
    var ring = null, xOf, yOf;
    var first = points.length ? points[0].iteration : 1, last = points.length ? points[points.length - 1].iteration : 1;

    // One polyline per run of finite values: a NaN or ∞ breaks the curve instead of being
    // bridged by a straight line (a log scale drops values ≤ 0 the same way).
    function curve(field, cls, log) {
      var runs = [[]];
      points.forEach(function (p) {
        var v = p[field];
        if (isFinite(v) && (!log || v > 0)) runs[runs.length - 1].push(xOf(p.iteration).toFixed(2) + ',' + yOf(v).toFixed(2));
        else if (runs[runs.length - 1].length) runs.push([]);
      });
      runs.forEach(function (coords) {
        if (coords.length) svg('polyline', { class: cls, points: coords.join(' '), 'data-count': coords.length }, plot);
        // A run of one value (a single iteration, or one between two NaNs) is a point, not a line.
        if (coords.length === 1) {
          var xy = coords[0].split(',');
          svg('circle', { class: cls + '-point', cx: xy[0], cy: xy[1], r: 3.5 }, plot);
        }
      });
    }

    function draw() {
      plot.textContent = '';
      if (!finite.length) {
        svg('text', { x: left, y: H / 2 }, plot, 'No iteration has a finite loss: nothing to draw.');
        return;
      }
      var log = logBox && logBox.checked;
      var ylo = log ? Math.log10(pmin) : lo, yhi = log ? Math.log10(hi) : hi;
      if (!(yhi > ylo)) { ylo -= 0.5; yhi += 0.5; }
      var margin = (yhi - ylo) * 0.06;   // the curve's own range, so small improvements show
      ylo -= margin; yhi += margin;
      var inner = 10;   // keeps the first point off the axis
      xOf = function (it) { return left + inner + (last > first ? (it - first) / (last - first) : 0.5) * (W - left - right - inner); };
      yOf = function (loss) {
        var v = log ? Math.log10(loss) : loss;
        return H - bottom - (v - ylo) / (yhi - ylo) * (H - top - bottom);
      };
      var axis = svg('g', { class: 'uv-axis' }, plot);
      svg('line', { x1: left, y1: H - bottom, x2: W - right, y2: H - bottom }, axis);
      svg('line', { x1: left, y1: top, x2: left, y2: H - bottom }, axis);
      niceTicks(first, last, 8).filter(function (t) { return Math.round(t) === t; }).forEach(function (t) {
        svg('line', { x1: xOf(t), y1: H - bottom, x2: xOf(t), y2: H - bottom + 4 }, axis);
        svg('text', { x: xOf(t), y: H - bottom + 16, 'text-anchor': 'middle' }, axis, String(t));
      });
      svg('text', { x: (left + W - right) / 2, y: H - 6, 'text-anchor': 'middle' }, axis, unit);
      var yTicks = log ? niceTicks(Math.ceil(ylo), Math.floor(yhi), 6).filter(function (e) { return Math.round(e) === e; })
                          .map(function (e) { return Math.pow(10, e); })
                       : niceTicks(ylo, yhi, 5);
      // Tick labels carry as many decimals as the tick spacing needs, so neighbours differ.
      var spacing = yTicks.length > 1 ? Math.abs(yTicks[1] - yTicks[0]) : 1;
      var decimals = Math.max(0, Math.min(10, -Math.floor(Math.log10(spacing))));
      yTicks.forEach(function (v) {
        svg('line', { x1: left - 4, y1: yOf(v), x2: left, y2: yOf(v) }, axis);
        var text = log || v === 0 || Math.abs(v) >= 1e5 || Math.abs(v) < 1e-4 ? api.format(v) : v.toFixed(decimals).replace('-', '−');
        svg('text', { x: left - 6, y: yOf(v) + 4, 'text-anchor': 'end' }, axis, text);
      });
      svg('text', { x: 8, y: top + 4 }, axis, 'loss');
      stageDividers(plot, stages, xOf, top, H - bottom);
      // Early stopping's marks: a vertical line at the best entry and at the stop, labelled.
      Object.keys(marks).sort().forEach(function (name, k) {
        var at = marks[name];
        if (typeof at !== 'number' || at < first || at > last) return;
        var g = svg('g', { class: 'uv-mark', 'data-mark': name, 'data-iteration': at }, plot);
        svg('line', { x1: xOf(at), x2: xOf(at), y1: top, y2: H - bottom }, g);
        // Near the right edge the label goes to the line's left, so it is not cut off.
        var leftward = xOf(at) > W - right - 80;
        svg('text', { x: xOf(at) + (leftward ? -4 : 4), y: top + 12 + 14 * k, 'text-anchor': leftward ? 'end' : 'start' }, g,
            name === 'stop' ? 'stopped' : name);
        titled(g, (name === 'stop' ? 'training stopped after ' : name + ': ') + unit + ' ' + at);
      });
      curve('loss', 'uv-curve', log);
      extras.forEach(function (c) { curve(c.field, c.cls, log); });
      // Several curves need a legend; the dash (validation) and the dots (another variant) tell
      // them apart without colour.
      var own = seriesOf(model, 'loss').variant;
      if (extras.length) {
        legendOf(plot, [{ cls: 'uv-curve', label: 'training loss' + (own && variantsOf(model).length > 1 ? ' (' + own + ')' : '') }].concat(extras),
                 W - right - 290, top + 4);
      }
      points.forEach(function (p) {
        if (p.traced && isFinite(p.loss)) {
          titled(svg('circle', { class: 'uv-traced', cx: xOf(p.iteration), cy: yOf(p.loss), r: 4,
                                 'data-iteration': p.iteration }, plot), 'iteration ' + p.iteration + ' (traced): loss ' + exact(p.loss));
        }
      });
      ring = svg('circle', { class: 'uv-current-iteration', r: 8, visibility: 'hidden' }, plot);
      positionMark = svg('line', { class: 'uv-history-mark', y1: top, y2: H - bottom, visibility: 'hidden' }, plot);
      markPosition();
      update(lastStep);
    }

    // The history position the views show (api.state.history): a click on the chart sets it to the
    // nearest entry, and a line marks it, so the loss curve drives the views that follow it.
    var positionMark = null;
    function markPosition() {
      var h = api.state.history, e = h == null ? null : history[h];
      if (!positionMark) return;
      positionMark.setAttribute('visibility', e ? 'visible' : 'hidden');
      if (!e) return;
      positionMark.setAttribute('x1', xOf(e.iteration)); positionMark.setAttribute('x2', xOf(e.iteration));
      positionMark.setAttribute('data-iteration', e.iteration);
      titled(positionMark, 'the views show ' + unit + ' ' + e.iteration + ' (click the chart to change it)');
    }
    overlay.addEventListener('click', function (event) {
      var box = figure.getBoundingClientRect();
      var x = (event.clientX - box.left) / box.width * W;
      var it = first + Math.round((x - left - 10) / (W - left - right - 10) * (last - first));
      var best = 0;
      for (var i = 1; i < history.length; i++) if (Math.abs(history[i].iteration - it) < Math.abs(history[best].iteration - it)) best = i;
      api.state.set({ history: best });
    });
    var unsubscribeMark = api.state.subscribe(function (changed) { if (changed.history) markPosition(); });

    overlay.addEventListener('mousemove', function (event) {
      var box = figure.getBoundingClientRect();
      var x = (event.clientX - box.left) / box.width * W;
      var it = first + Math.round((x - left) / (W - left - right) * (last - first));
      var best = null;
      for (var i = 0; i < finite.length; i++) {
        if (!best || Math.abs(finite[i].iteration - it) < Math.abs(best.iteration - it)) best = finite[i];
      }
      if (!best) return;
      var px = xOf(best.iteration), py = yOf(best.loss);
      hoverLine.setAttribute('x1', px); hoverLine.setAttribute('x2', px);
      hoverDot.setAttribute('cx', px); hoverDot.setAttribute('cy', py);
      hoverText.textContent = unit + ' ' + best.iteration + ': loss ' + api.format(best.loss) +
        extras.map(function (c) { return isFinite(best[c.field]) ? ', ' + c.label + ' ' + api.format(best[c.field]) : ''; }).join('');
      var tx = px + 8 > W - 300 ? px - 300 : px + 8;
      hoverText.setAttribute('x', tx + 5); hoverText.setAttribute('y', top + 16);
      hoverBg.setAttribute('x', tx); hoverBg.setAttribute('y', top + 2);
      hoverBg.setAttribute('width', hoverText.getComputedTextLength() + 10);
      hover.setAttribute('visibility', 'visible');
    });
    overlay.addEventListener('mouseleave', function () { hover.setAttribute('visibility', 'hidden'); });
    if (logBox) logBox.addEventListener('change', draw);

    // The iteration the viewer is in, from the root scope of kind iteration.
    var rootIteration = {};
    index.roots().forEach(function (r) {
      var it = index.attribute(r, 'iteration', 'iteration');
      if (typeof it === 'number') rootIteration[r] = it;
    });
    var lastStep = -1;
    function update(s) {
      lastStep = s;
      if (!ring) return;
      var it = s >= 0 && s < index.steps.length ? rootIteration[index.stepRoot[s]] : undefined;
      var p = it == null ? null : points.filter(function (q) { return q.iteration === it; })[0];
      if (p && isFinite(p.loss)) {
        ring.setAttribute('cx', xOf(p.iteration)); ring.setAttribute('cy', yOf(p.loss));
        ring.setAttribute('visibility', 'visible');
        titled(ring, 'the viewer is in iteration ' + it);
      } else {
        ring.setAttribute('visibility', 'hidden');
      }
    }
    draw();
    accuracyChart(host, model, api, history, unit, stages);
    var scatter = U.viewKit.embeddingScatter(host, model, api, history);
    return { update: update, destroy: function () { unsubscribeMark(); host.textContent = ''; if (scatter) scatter.destroy(); } };
  }

  /* The accuracy per entry (and the validation accuracy, dashed; another variant's dotted) on a
     fixed 0–1 scale, when the trace describes an accuracy series. */
  function accuracyChart(host, model, api, history, unit, stages) {
    var series = described(model, ['accuracy', 'validation_accuracy'], 'uv-acc-curve');
    if (!series.length || !history.length) return;
    var W = narrowPanel(host) ? 440 : 900, H = 200, left = 70, right = 20, top = 24, bottom = 40, inner = 10;
    var first = history[0].iteration, last = history[history.length - 1].iteration;
    var figure = svg('svg', { class: 'uv-svg uv-accuracy', viewBox: '0 0 ' + W + ' ' + H, role: 'img',
                              'aria-label': series.map(function (s) { return s.label; }).join(' and ') + ' per ' + unit }, host);
    function xOf(it) { return left + inner + (last > first ? (it - first) / (last - first) : 0.5) * (W - left - right - inner); }
    function yOf(a) { return H - bottom - a * (H - top - bottom); }
    var axis = svg('g', { class: 'uv-axis' }, figure);
    svg('line', { x1: left, y1: H - bottom, x2: W - right, y2: H - bottom }, axis);
    svg('line', { x1: left, y1: top, x2: left, y2: H - bottom }, axis);
    [0, 0.25, 0.5, 0.75, 1].forEach(function (v) {
      svg('line', { x1: left - 4, y1: yOf(v), x2: left, y2: yOf(v) }, axis);
      svg('text', { x: left - 6, y: yOf(v) + 4, 'text-anchor': 'end' }, axis, String(v));
    });
    niceTicks(first, last, 8).filter(function (t) { return Math.round(t) === t; }).forEach(function (t) {
      svg('text', { x: xOf(t), y: H - bottom + 16, 'text-anchor': 'middle' }, axis, String(t));
    });
    svg('text', { x: (left + W - right) / 2, y: H - 6, 'text-anchor': 'middle' }, axis, unit);
    // The axis's name above its top tick, clear of the tick labels.
    svg('text', { x: 8, y: 12 }, axis, 'accuracy');
    stageDividers(figure, stages, xOf, top, H - bottom);
    series.forEach(function (s) {
      var coords = [];
      history.forEach(function (e) {
        var v = valueOf(e, s.series.key);
        if (isFinite(v)) coords.push(xOf(e.iteration).toFixed(2) + ',' + yOf(v).toFixed(2));
      });
      if (coords.length) svg('polyline', { class: s.cls, points: coords.join(' '), 'data-count': coords.length }, figure);
    });
    legendOf(figure, series, W - right - 290, H - bottom - 12 - 18 * series.length);
  }

  /* An entry's value of a scalar series (its snapshot's first number), NaN when it has none. */
  function valueOf(e, key) {
    var t = key && e.tensors && e.tensors[key];
    return t && t.data && t.data.length ? toNumber(t.data[0]) : NaN;
  }

  /* The described series of these quantities, in the trace's order, each with its curve's class
     (dashed for a validation series, dotted for a variant other than the first) and legend label.
     The variants count in the order the trace's series name them, so the `loss` series, the one
     the traced iterations belong to, comes first. */
  function described(model, quantities, base, training) {
    var variants = variantsOf(model);
    var all = (model.trace.series || []).filter(function (s) { return s && quantities.indexOf(s.quantity) >= 0 && s.key !== 'loss'; });
    return all.map(function (s, k) {
      var validation = s.quantity.indexOf('validation_') === 0;
      var name = (validation ? 'validation ' : 'training ') + s.quantity.replace('validation_', '');
      return { series: s, field: 'series' + k, label: name + (s.variant && variants.length > 1 ? ' (' + s.variant + ')' : ''),
               cls: (validation ? base + '-validation' : training || base) + (variants.indexOf(s.variant) > 0 ? ' uv-curve-other' : '') };
    });
  }

  function variantsOf(model) {
    var variants = [];
    (model.trace.series || []).forEach(function (s) { if (s && s.variant && variants.indexOf(s.variant) < 0) variants.push(s.variant); });
    return variants;
  }

  // A training loss beside the trace's own (another variant's) is not `uv-curve`: that class is the loss curve.
  function lossSeries(model) { return described(model, ['loss', 'validation_loss'], 'uv-curve', 'uv-curve-more'); }

  /* One legend row per curve: a swatch drawn with the curve's classes, and its label. */
  function legendOf(parent, curves, x, y) {
    var legend = svg('g', { class: 'uv-legend', transform: 'translate(' + x + ',' + y + ')' }, parent);
    // A backdrop, so curves passing under the legend do not cross its words.
    svg('rect', { class: 'uv-legend-bg', x: -6, y: -4, width: 290, height: 18 * curves.length + 6, rx: 4 }, legend);
    curves.forEach(function (c, k) {
      svg('line', { class: c.cls.split(' ').map(function (name) { return name === 'uv-curve-other' ? name : name + '-swatch'; }).join(' '),
                    x1: 0, x2: 28, y1: 6 + 18 * k, y2: 6 + 18 * k }, legend);
      svg('text', { x: 34, y: 10 + 18 * k }, legend, c.label);
    });
  }

  /* The entries where a `training_stage` series changes value (transfer learning's pretraining,
     new head, fine-tuning), with the series' meaning for the caption. */
  function stageChanges(model, history) {
    var series = seriesOf(model, 'training_stage'), changes = [];
    if (!series) return changes;
    var previous = null;
    history.forEach(function (e, k) {
      var v = valueOf(e, series.key);
      if (isFinite(v) && previous !== null && v !== previous && k > 0) changes.push({ before: history[k - 1].iteration, at: e.iteration, stage: v });
      if (isFinite(v)) previous = v;
    });
    changes.meaning = series.meaning || 'training stages';
    return changes;
  }

  /* A dotted vertical line between the last entry of a stage and the first of the next, labelled
     with the stage's number. */
  function stageDividers(parent, stages, xOf, y1, y2) {
    stages.forEach(function (c) {
      var x = (xOf(c.before) + xOf(c.at)) / 2;
      var g = svg('g', { class: 'uv-stage', 'data-stage': c.stage, 'data-iteration': c.at }, parent);
      svg('line', { x1: x, x2: x, y1: y1, y2: y2 }, g);
      svg('text', { x: x + 4, y: y2 - 6 }, g, 'stage ' + c.stage);
      titled(g, 'stage ' + c.stage + ' starts at entry ' + c.at);
    });
  }
})(window.Unrolled);
