/* The markup of an <unrolled-trace>: header (title, model, config, loss), the step controls,
   the timeline, the outline and the panels. The parts find their places in it by class
   (.ut-controls, .ut-scrubber, .ut-outline, .ut-tabs, .ut-panels, .ut-step-panel, .ut-live). */
window.Unrolled = window.Unrolled || {};

(function (U) {
  'use strict';
  const { escapeHtml, texHtml, format, exact, icon } = U.viewerKit;

  var SPEEDS = [1, 2, 5, 10, 25, 60];

  /** The viewer's root element (not yet in the page) for `model`; `uid` keeps its ids unique. */
  U.viewerLayout = function (model, title, uid) {
    var m = model, t = model.trace;
    var root = document.createElement('div');
    root.className = 'ut-root';
    var config = Object.keys(t.config || {}).map(function (k) {
      var v = t.config[k];
      // A long text (an equations program, a corpus) folds into its chip: its first line shows,
      // the whole text opens below it.
      if (typeof v === 'string' && (v.indexOf('\n') >= 0 || v.length > 60)) {
        var lines = v.split('\n');
        var first = lines.filter(function (l) { return l.trim() && l.trim()[0] !== '#'; })[0] || lines[0];
        return '<details class="ut-chip ut-chip-text"><summary><span class="ut-chip-key">' + escapeHtml(k) + '</span> ' +
          escapeHtml(first.length > 40 ? first.slice(0, 40) + '…' : first) + (lines.length > 1 ? ' <span class="ut-chip-key">(' + lines.length + ' lines)</span>' : '') +
          '</summary><pre>' + escapeHtml(v) + '</pre></details>';
      }
      return '<span class="ut-chip"><span class="ut-chip-key">' + escapeHtml(k) + '</span> ' + escapeHtml(Array.isArray(v) ? v.join(', ') : String(v)) + '</span>';
    }).join('');
    var loss = m.lossValue();
    var lossTensor = t.loss !== null && t.loss !== undefined ? m.tensor(t.loss) : null;
    var lossHtml = loss === null ? '' :
      '<span class="ut-loss">loss ' + texHtml(lossTensor.tex, false) + ' = <span class="ut-num" title="' + exact(loss) + '">' + format(loss) + '</span></span>';
    var history = t.history || [];
    // What one history entry is, as the loss series declares it: an iteration or an epoch.
    var lossSeries = (Array.isArray(t.series) ? t.series : []).filter(function (s) { return s && s.key === 'loss'; })[0];
    var unit = lossSeries && lossSeries.per === 'epoch' ? 'epoch' : 'iteration';
    if (loss === null && history.length) {
      var only = U.number(history[history.length - 1].loss);
      lossHtml = '<span class="ut-loss">loss in ' + unit + ' ' + history.length + ': <span class="ut-num" title="' + exact(only) + '">' + format(only) + '</span></span>';
    } else if (history.length > 1) {
      var lastLoss = U.number(history[history.length - 1].loss);
      lossHtml += '<span class="ut-loss ut-loss-final">after ' + history.length + ' ' + unit + 's: <span class="ut-num" title="' + exact(lastLoss) + '">' + format(lastLoss) + '</span></span>';
    }
    var phases = ['forward', 'backward', 'update'].map(function (p) {
      var s = m.phaseStart(p);
      return '<button type="button" class="ut-jump ut-ph-' + p + '" data-act="phase" data-phase="' + p + '"' + (s < 0 ? ' disabled' : '') +
        ' title="' + (s < 0 ? 'no ' + p + ' steps in this trace' : 'Jump to the first ' + p + ' step (' + (s + 1) + ')') + '">' + p + '</button>';
    }).join('');
    var speeds = SPEEDS.map(function (s) { return '<option value="' + s + '"' + (s === 5 ? ' selected' : '') + '>' + s + ' steps/s</option>'; }).join('');
    var n = m.stepCount;
    root.innerHTML =
      '<header class="ut-head">' +
        '<div class="ut-title">' + escapeHtml(title) + '</div>' +
        '<div class="ut-meta"><span class="ut-model">' + escapeHtml(t.model) + '</span>' + config + lossHtml + '</div>' +
      '</header>' +
      '<div class="ut-controls" role="toolbar" aria-label="Step controls">' +
        '<div class="ut-group">' +
          '<button type="button" class="ut-btn" data-act="first" aria-label="First step" title="First step (Home)">' + icon('first') + '</button>' +
          '<button type="button" class="ut-btn" data-act="prev" aria-label="Previous step" title="Previous step (←)">' + icon('prev') + '</button>' +
          '<button type="button" class="ut-btn ut-play" data-act="play" aria-label="Play" aria-pressed="false" title="Play / pause (Space)">' + icon('play') + '</button>' +
          '<button type="button" class="ut-btn" data-act="next" aria-label="Next step" title="Next step (→)">' + icon('next') + '</button>' +
          '<button type="button" class="ut-btn" data-act="last" aria-label="Last step" title="Last step (End)">' + icon('last') + '</button>' +
        '</div>' +
        '<label class="ut-counter">step <input class="ut-step-input" type="number" min="1" max="' + Math.max(1, n) + '" value="1" aria-label="Step number"> of ' + n + '</label>' +
        '<label class="ut-speed"><span class="ut-sr">Speed</span><select class="ut-speed-select" aria-label="Playback speed">' + speeds + '</select></label>' +
        '<div class="ut-group ut-jumps" aria-label="Jump to a phase">' + phases + '</div>' +
        '<button type="button" class="ut-btn ut-copy" data-act="copy" title="Copy a link to this step">' + icon('link') + '<span>copy link</span></button>' +
        '<span class="ut-copied" role="status"></span>' +
      '</div>' +
      '<div class="ut-scrubber" role="slider" tabindex="0" aria-label="Timeline: step" aria-valuemin="1" aria-valuemax="' + n + '" aria-valuenow="1">' +
        '<canvas class="ut-scrub-canvas" aria-hidden="true"></canvas><div class="ut-marker" aria-hidden="true"></div>' +
      '</div>' +
      '<div class="ut-legend" aria-hidden="true"><span class="ut-key ut-ph-forward">forward</span><span class="ut-key ut-ph-backward">backward</span><span class="ut-key ut-ph-update">update</span></div>' +
      '<div class="ut-body">' +
        '<div class="ut-side">' +
          '<div class="ut-outline-tools"><span>Outline</span>' +
            '<button type="button" data-fold="collapse" title="Collapse every scope group to one row">collapse all</button>' +
            '<button type="button" data-fold="expand" title="Expand every scope">expand all</button></div>' +
          '<nav class="ut-outline" aria-label="Outline of the steps" tabindex="0"><div class="ut-outline-spacer"><div class="ut-outline-rows" role="list"></div></div></nav>' +
        '</div>' +
        '<div class="ut-main">' +
          '<div class="ut-tabs" role="tablist" aria-label="Views"></div>' +
          '<div class="ut-panels">' +
            '<section class="ut-panel ut-step-panel" data-view="step" role="tabpanel" id="ut-' + uid + '-panel-0"></section>' +
          '</div>' +
        '</div>' +
      '</div>' +
      '<p class="ut-live" aria-live="polite"></p>';
    if (n === 0) root.classList.add('ut-empty');
    return root;
  };
})(window.Unrolled);
