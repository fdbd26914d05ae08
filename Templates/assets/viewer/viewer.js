/* <unrolled-trace>: step through one trace, forward and backward, number by number.
   Reads its trace from a child <script type="application/json" class="unrolled-trace-data">
   (or the script named by data-trace), renders in the light DOM (so KaTeX's and the page's
   CSS apply), and keeps every step change cheap: the outline is virtualized, matrices show
   a window of at most 12×12 cells, the scrubber's phases are drawn once.
   Needs viewer-model.js; uses the global `katex` when present; hosts Unrolled.views. */
window.Unrolled = window.Unrolled || {};

(function (U) {
  'use strict';

  var ROW_HEIGHT = 26;      // px, one outline row (CSS .ut-row uses the same)
  var WINDOW = 12;          // matrix cells shown per axis
  var SPEEDS = [1, 2, 5, 10, 25, 60];
  var counter = 0;
  var texCache = new Map();

  var reducedMotionQuery = window.matchMedia ? window.matchMedia('(prefers-reduced-motion: reduce)') : null;
  function reducedMotion() { return !!(reducedMotionQuery && reducedMotionQuery.matches); }

  /* ---------- small helpers shared with the views API ---------- */

  function escapeHtml(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }

  /** KaTeX's HTML for `source` (cached), or the TeX in a <code> when KaTeX is absent or fails. */
  function texHtml(source, display) {
    return typeset(source, display, 'htmlAndMathml');
  }

  /** A tensor's name, typeset without KaTeX's MathML copy (half the elements, and a step
      shows several names) and read to screen readers as its plain name instead. */
  function nameHtml(tensor) {
    return '<span class="ut-tex" role="img" aria-label="' + escapeHtml(tensor.name) + '">' + typeset(tensor.tex, false, 'html') + '</span>';
  }

  function typeset(source, display, output) {
    var key = output + (display ? 'D' : 'I') + source;
    var hit = texCache.get(key);
    if (hit !== undefined) return hit;
    var html;
    if (window.katex && typeof window.katex.renderToString === 'function') {
      try {
        html = window.katex.renderToString(source, { displayMode: !!display, throwOnError: false, output: output });
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

  /** The exact value, as JavaScript prints a double (shortest round-trip), keeping −0. */
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

  /* ---------- the element ---------- */

  class UnrolledTrace extends HTMLElement {
    constructor() {
      super();
      var self = this;
      this.ready = new Promise(function (resolve) { self._resolveReady = resolve; });
      this._index = 0;
      this._built = false;
      this._playing = false;
      this._timer = 0;
      this._collapsed = new Set();
      this._visible = null;
      this._selected = 0;
      this._windows = {};
      this._views = [];
      this._activeView = 0;
      this._onHash = function () { self._followHash(false); };
    }

    get model() { return this._model || null; }
    get step() { return this._model && this._model.stepCount ? this._index + 1 : 0; }

    /** Goes to 1-based step k (clamped). */
    goTo(k) { this._go(Number(k) - 1, false); }
    next() { this._go(this._index + 1, false); }
    previous() { this._go(this._index - 1, false); }

    connectedCallback() {
      if (this._built) { window.addEventListener('hashchange', this._onHash); return; }
      var self = this;
      if (document.readyState === 'loading' && !this._dataScript()) {
        document.addEventListener('DOMContentLoaded', function () { self._build(); }, { once: true });
      } else {
        this._build();
      }
    }

    disconnectedCallback() {
      this._pause();
      window.removeEventListener('hashchange', this._onHash);
      if (this._resizeObserver) this._resizeObserver.disconnect();
    }

    _dataScript() {
      var id = this.getAttribute('data-trace');
      if (id) return document.getElementById(id);
      return this.querySelector(':scope > script.unrolled-trace-data, script.unrolled-trace-data');
    }

    _build() {
      if (this._built) return;
      this._built = true;
      this._uid = ++counter;
      this.traceId = this.getAttribute('trace-id') || this.id || 'trace-' + this._uid;
      if (!this.hasAttribute('tabindex')) this.setAttribute('tabindex', '0');
      var script = this._dataScript();
      try {
        if (!script) throw new Error('no trace data: expected a child <script type="application/json" class="unrolled-trace-data">');
        this._model = new U.TraceModel(JSON.parse(script.textContent));
      } catch (err) {
        this._fail(err);
        return;
      }
      this._render();
      var fallback = this.querySelector('.unrolled-fallback');
      if (fallback) fallback.hidden = true;
      var start = parseInt(this.getAttribute('step'), 10);
      this._index = -1;
      this._go(isNaN(start) ? 0 : start - 1, false, true);
      this._followHash(true);
      if (!this._model.stepCount && this._views.length > 1) {
        // A history-only trace: its teaching is in the views (the loss curve first).
        var training = this._views.findIndex(function (v) { return v.id === 'training'; });
        this._showView(training > 0 ? training : 1);
      }
      window.addEventListener('hashchange', this._onHash);
      this._resolveReady(this);
    }

    _fail(err) {
      var box = document.createElement('p');
      box.className = 'ut-error';
      box.setAttribute('role', 'alert');
      box.textContent = 'This trace cannot be shown: ' + err.message;
      this.appendChild(box);
      this._resolveReady(this);
    }

    /* ----- layout ----- */

    _render() {
      var m = this._model, t = m.trace, uid = this._uid;
      var root = document.createElement('div');
      root.className = 'ut-root';
      var title = this.getAttribute('data-title') || t.title;
      var config = Object.keys(t.config || {}).map(function (k) {
        var v = t.config[k];
        return '<span class="ut-chip"><span class="ut-chip-key">' + escapeHtml(k) + '</span> ' + escapeHtml(Array.isArray(v) ? v.join(', ') : String(v)) + '</span>';
      }).join('');
      var loss = m.lossValue();
      var lossTensor = t.loss !== null && t.loss !== undefined ? m.tensor(t.loss) : null;
      var lossHtml = loss === null ? '' :
        '<span class="ut-loss">loss ' + texHtml(lossTensor.tex, false) + ' = <span class="ut-num" title="' + exact(loss) + '">' + format(loss) + '</span></span>';
      var history = t.history || [];
      if (loss === null && history.length) {
        var only = U.number(history[history.length - 1].loss);
        lossHtml = '<span class="ut-loss">loss in iteration ' + history.length + ': <span class="ut-num" title="' + exact(only) + '">' + format(only) + '</span></span>';
      } else if (history.length > 1) {
        var lastLoss = U.number(history[history.length - 1].loss);
        lossHtml += '<span class="ut-loss ut-loss-final">after ' + history.length + ' iterations: <span class="ut-num" title="' + exact(lastLoss) + '">' + format(lastLoss) + '</span></span>';
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
            '<nav class="ut-outline" aria-label="Outline of the steps"><div class="ut-outline-spacer"><div class="ut-outline-rows" role="list"></div></div></nav>' +
          '</div>' +
          '<div class="ut-main">' +
            '<div class="ut-tabs" role="tablist" aria-label="Views"></div>' +
            '<div class="ut-panels">' +
              '<section class="ut-panel ut-step-panel" data-view="step" role="tabpanel" id="ut-' + uid + '-panel-0"></section>' +
            '</div>' +
          '</div>' +
        '</div>' +
        '<p class="ut-live" aria-live="polite"></p>';
      this.appendChild(root);
      this._root = root;
      this._stepPanel = root.querySelector('.ut-step-panel');
      this._outline = root.querySelector('.ut-outline');
      this._rows = root.querySelector('.ut-outline-rows');
      this._spacer = root.querySelector('.ut-outline-spacer');
      this._canvas = root.querySelector('.ut-scrub-canvas');
      this._scrubber = root.querySelector('.ut-scrubber');
      this._marker = root.querySelector('.ut-marker');
      this._live = root.querySelector('.ut-live');
      this._stepInput = root.querySelector('.ut-step-input');
      this._speed = root.querySelector('.ut-speed-select');
      this._playButton = root.querySelector('.ut-play');
      this._copied = root.querySelector('.ut-copied');
      if (n === 0) root.classList.add('ut-empty');
      this._outlineHeight = this._outline.clientHeight || 480;
      this._scrollTop = 0;
      this._buttons = root.querySelectorAll('.ut-controls .ut-btn[data-act]');
      this._setupViews();
      this._wire();
      this._computeVisible();
      this._drawScrubber();
    }

    _wire() {
      var self = this, root = this._root;
      root.querySelector('.ut-controls').addEventListener('click', function (e) {
        var b = e.target.closest('button[data-act]');
        if (!b) return;
        var act = b.getAttribute('data-act');
        if (act === 'first') self._userGo(0);
        else if (act === 'prev') self._userGo(self._index - 1);
        else if (act === 'next') self._userGo(self._index + 1);
        else if (act === 'last') self._userGo(self._model.stepCount - 1);
        else if (act === 'play') self._togglePlay();
        else if (act === 'phase') self._userGo(self._model.phaseStart(b.getAttribute('data-phase')));
        else if (act === 'copy') self._copyLink();
      });
      this._stepInput.addEventListener('change', function () {
        var k = parseInt(self._stepInput.value, 10);
        if (!isNaN(k)) self._userGo(k - 1);
      });
      this._speed.addEventListener('change', function () { if (self._playing) { self._pause(); self._play(); } });
      this.addEventListener('keydown', function (e) { self._key(e); });

      // Scrubber: click or drag to seek.
      var scrub = this._scrubber, dragging = false;
      function seek(e) {
        var r = scrub.getBoundingClientRect(), n = self._model.stepCount;
        if (!n || r.width <= 0) return;
        var x = Math.min(Math.max(e.clientX - r.left, 0), r.width - 0.001);
        self._userGo(Math.floor(x / r.width * n));
      }
      scrub.addEventListener('pointerdown', function (e) {
        dragging = true;
        if (scrub.setPointerCapture) try { scrub.setPointerCapture(e.pointerId); } catch (err) { /* synthetic events have no capture */ }
        seek(e);
      });
      scrub.addEventListener('pointermove', function (e) { if (dragging) seek(e); });
      scrub.addEventListener('pointerup', function () { dragging = false; });
      scrub.addEventListener('pointercancel', function () { dragging = false; });

      root.querySelector('.ut-outline-tools').addEventListener('click', function (e) {
        var b = e.target.closest('button[data-fold]');
        if (b) self._fold(b.getAttribute('data-fold') === 'collapse');
      });

      // Outline: virtualized rows; click a step to go there, a caret to collapse.
      this._outline.addEventListener('scroll', function () {
        self._scrollTop = self._outline.scrollTop;
        self._renderRows();
      }, { passive: true });
      this._rows.addEventListener('click', function (e) {
        var row = e.target.closest('.ut-row');
        if (!row) return;
        var node = Number(row.getAttribute('data-node')), o = self._model.outline;
        if (e.target.closest('.ut-caret')) { self._toggle(node); return; }
        self._userGo(o.first[node]);
      });

      // Result cells: click to see how the element was computed; pager buttons.
      this._stepPanel.addEventListener('click', function (e) {
        var pager = e.target.closest('button[data-page]');
        if (pager) { self._page(pager); return; }
        var flow = e.target.closest('button[data-goto]');
        if (flow) { self._userGo(Number(flow.getAttribute('data-goto'))); return; }
        var cell = e.target.closest('td[data-i]');
        if (cell && cell.closest('.ut-card[data-slot="out"]')) {
          self._selected = Number(cell.getAttribute('data-i'));
          self._renderStep();
        }
      });
      this._stepPanel.addEventListener('keydown', function (e) {
        var cell = e.target.closest && e.target.closest('td[data-i]');
        if (cell && (e.key === 'Enter' || e.key === ' ')) { e.preventDefault(); e.stopPropagation(); cell.click(); }
      });

      if (window.ResizeObserver) {
        this._resizeObserver = new ResizeObserver(function () {
          self._outlineHeight = self._outline.clientHeight || self._outlineHeight;
          self._drawScrubber();
          self._revealCurrent();
        });
        this._resizeObserver.observe(this._scrubber);
        this._resizeObserver.observe(this._outline);
      }
      if (window.matchMedia) {
        var scheme = window.matchMedia('(prefers-color-scheme: dark)');
        if (scheme.addEventListener) scheme.addEventListener('change', function () { self._drawScrubber(); });
      }
    }

    _key(e) {
      if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey) return;
      var tag = e.target && e.target.tagName;
      if (tag === 'INPUT' || tag === 'SELECT' || tag === 'TEXTAREA') return;
      var m = this._model;
      if (!m || !m.stepCount) return;
      var i = this._index, to = null;
      if (e.key === 'ArrowRight') to = e.shiftKey ? m.nextScopeStart(i) : i + 1;
      else if (e.key === 'ArrowLeft') to = e.shiftKey ? m.previousScopeStart(i) : i - 1;
      else if (e.key === 'Home') to = 0;
      else if (e.key === 'End') to = m.stepCount - 1;
      else if (e.key === ' ' || e.key === 'Spacebar') {
        if (tag === 'BUTTON') return; // the button's own activation
        e.preventDefault();
        this._togglePlay();
        return;
      } else return;
      e.preventDefault();
      this._userGo(to);
    }

    /* ----- stepping ----- */

    /** A step change the reader asked for: stops playback, follows in the URL hash. */
    _userGo(i) {
      if (this._playing) this._pause();
      this._go(i, true);
    }

    _go(i, byReader, force) {
      var m = this._model;
      if (!m) return;
      var n = m.stepCount;
      i = n ? Math.min(Math.max(Math.floor(i), 0), n - 1) : 0;
      if (isNaN(i)) return;
      if (i === this._index && !force) return;
      var fromIndex = this._index;
      this._index = i;
      if (fromIndex !== i) this._selected = 0;
      this._windows = {};
      this._update();
      if (byReader) this._writeHash();
      this.dispatchEvent(new CustomEvent('unrolled-step', { detail: { step: this.step }, bubbles: true }));
    }

    _update() {
      var m = this._model, i = this._index, n = m.stepCount;
      this._stepInput.value = n ? i + 1 : 0;
      this._scrubber.setAttribute('aria-valuenow', String(n ? i + 1 : 0));
      this._scrubber.setAttribute('aria-valuetext', n ? 'step ' + (i + 1) + ' of ' + n + ', ' + m.steps[i].phase : 'no steps');
      this._marker.style.left = n ? ((i + 0.5) / n * 100) + '%' : '0';
      if (n) this._marker.className = 'ut-marker ut-ph-' + m.steps[i].phase;
      var buttons = this._buttons;
      for (var b = 0; b < buttons.length; b++) {
        var act = buttons[b].getAttribute('data-act');
        buttons[b].disabled = !n || ((act === 'first' || act === 'prev') && i === 0) || ((act === 'next' || act === 'last') && i === n - 1);
        if (act === 'play' || act === 'copy') buttons[b].disabled = !n;
      }
      this._revealCurrent();
      this._renderStep();
      this._announce();
      var view = this._views[this._activeView];
      if (view && view.instance && view.instance.update && n) {
        try { view.instance.update(i); } catch (err) { this._viewError(view, err); }
      }
    }

    _announce() {
      var self = this, text = this._model.describe(this._index);
      // While playing, a screen reader would hear every step: say the latest one each second.
      if (this._playing) {
        this._pendingLive = text;
        if (!this._liveTimer) {
          this._liveTimer = setTimeout(function () { self._liveTimer = 0; self._live.textContent = self._pendingLive; }, 1000);
        }
      } else {
        this._live.textContent = text;
      }
    }

    _togglePlay() { if (this._playing) this._pause(); else this._play(); }

    _play() {
      var self = this, m = this._model;
      if (!m.stepCount) return;
      if (this._index >= m.stepCount - 1) this._go(0, true);
      this._playing = true;
      this._playButton.innerHTML = icon('pause');
      this._playButton.setAttribute('aria-label', 'Pause');
      this._playButton.setAttribute('aria-pressed', 'true');
      function tick() {
        if (!self._playing) return;
        if (self._index >= m.stepCount - 1) { self._pause(); return; }
        self._go(self._index + 1, true);
        self._timer = setTimeout(tick, 1000 / Number(self._speed.value));
      }
      this._timer = setTimeout(tick, 1000 / Number(this._speed.value));
    }

    _pause() {
      if (!this._playing) return;
      this._playing = false;
      clearTimeout(this._timer);
      clearTimeout(this._liveTimer);
      this._liveTimer = 0;
      this._playButton.innerHTML = icon('play');
      this._playButton.setAttribute('aria-label', 'Play');
      this._playButton.setAttribute('aria-pressed', 'false');
      this._announce();
    }

    /* ----- deep links ----- */

    _followHash(initial) {
      var hash;
      try { hash = decodeURIComponent((location.hash || '').slice(1)); } catch (err) { return; } // a malformed %-escape
      var colon = hash.lastIndexOf(':');
      if (colon < 0 || hash.slice(0, colon) !== this.traceId) return;
      var k = parseInt(hash.slice(colon + 1), 10);
      if (isNaN(k)) return;
      this._go(k - 1, false, initial);
      var self = this;
      var reveal = function () { self.scrollIntoView({ block: 'start', behavior: 'auto' }); };
      if (initial) requestAnimationFrame(reveal); else reveal();
    }

    _link() {
      var base = location.href.split('#')[0];
      return base + '#' + encodeURIComponent(this.traceId) + ':' + this.step;
    }

    /** Follows the reader in the URL hash: at once, but at most every 250 ms (playing at
        60 steps/s or dragging the timeline would otherwise make Chromium throttle
        history.replaceState); the last step always lands. */
    _writeHash() {
      var self = this, now = Date.now(), wait = 250 - (now - (this._hashWritten || 0));
      clearTimeout(this._hashTimer);
      function write() {
        self._hashWritten = Date.now();
        try { history.replaceState(history.state, '', '#' + encodeURIComponent(self.traceId) + ':' + self.step); } catch (err) { /* some embeddings forbid it */ }
      }
      if (wait <= 0) write(); else this._hashTimer = setTimeout(write, wait);
    }

    _copyLink() {
      var self = this, link = this._link();
      function done(ok) {
        self._copied.textContent = ok ? 'link copied' : 'copy this link: ' + link;
        clearTimeout(self._copiedTimer);
        self._copiedTimer = setTimeout(function () { self._copied.textContent = ''; }, ok ? 2500 : 15000);
      }
      function fallback() {
        var area = document.createElement('textarea');
        area.value = link;
        area.setAttribute('readonly', '');
        area.style.position = 'fixed';
        area.style.opacity = '0';
        document.body.appendChild(area);
        area.select();
        var ok = false;
        try { ok = document.execCommand('copy'); } catch (err) { ok = false; }
        area.remove();
        self.focus({ preventScroll: true });
        done(ok);
      }
      try {
        if (navigator.clipboard && navigator.clipboard.writeText) {
          navigator.clipboard.writeText(link).then(function () { done(true); }, fallback);
          return;
        }
      } catch (err) { /* fall through */ }
      fallback();
    }

    /* ----- scrubber ----- */

    _drawScrubber() {
      var canvas = this._canvas, m = this._model, n = m.stepCount;
      var w = this._scrubber.clientWidth, h = this._scrubber.clientHeight;
      if (!w || !h) return;
      var dpr = window.devicePixelRatio || 1;
      canvas.width = Math.round(w * dpr);
      canvas.height = Math.round(h * dpr);
      var ctx = canvas.getContext('2d');
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.clearRect(0, 0, w, h);
      if (!n) return;
      var style = getComputedStyle(this._root);
      var fills = ['--ut-forward', '--ut-backward', '--ut-update'].map(function (v) { return style.getPropertyValue(v).trim() || '#888'; });
      // One rectangle per run of equal phase: a few runs even on 24,000 steps.
      var codes = m.phaseCodes, start = 0;
      for (var i = 1; i <= n; i++) {
        if (i === n || codes[i] !== codes[start]) {
          ctx.fillStyle = fills[codes[start]];
          var x0 = start / n * w, x1 = i / n * w;
          ctx.fillRect(x0, 0, Math.max(x1 - x0, 1), h);
          start = i;
        }
      }
      // Faint ticks where a top-level scope (an iteration, a time step) begins.
      var o = m.outline;
      ctx.fillStyle = style.getPropertyValue('--ut-tick').trim() || 'rgba(0,0,0,0.25)';
      var lastX = -10;
      for (var node = 0; node < o.count; node++) {
        if (o.kind[node] === 1 && o.depth[node] <= 2 && o.first[node] > 0) {
          var x = o.first[node] / n * w;
          if (x - lastX >= 3) { ctx.fillRect(x, h * 0.55, 1, h * 0.45); lastX = x; }
        }
      }
    }

    /* ----- outline (virtualized) ----- */

    _computeVisible() {
      var o = this._model.outline, list = new Int32Array(o.count), count = 0, collapsed = this._collapsed;
      for (var node = 0; node < o.count;) {
        list[count++] = node;
        node = collapsed.has(node) ? o.end[node] : node + 1;
      }
      this._visible = list.subarray(0, count);
      this._rowOf = new Int32Array(o.count).fill(-1);
      for (var r = 0; r < count; r++) this._rowOf[this._visible[r]] = r;
      this._spacer.style.height = (count * ROW_HEIGHT) + 'px';
      this._renderRows();
    }

    _toggle(node) {
      if (this._collapsed.has(node)) this._collapsed.delete(node); else this._collapsed.add(node);
      this._computeVisible();
    }

    /** Collapses every scope group, or expands all. A scope that is its parent's only child
        (an `iteration 1` around everything) stays open, so collapsing shows the time steps,
        layers or gates that the pass is made of. */
    _fold(collapse) {
      var o = this._model.outline, node;
      this._collapsed = new Set();
      if (collapse) {
        var children = new Int32Array(o.count);
        for (node = 0; node < o.count; node++) if (o.parent[node] >= 0) children[o.parent[node]]++;
        for (node = 0; node < o.count; node++) {
          if (o.kind[node] === 1 && children[o.parent[node]] > 1) this._collapsed.add(node);
        }
      }
      this._computeVisible();
      this._revealCurrent();
    }

    /** The visible row that stands for the current step: its own, or its nearest visible ancestor's. */
    _currentRow() {
      var o = this._model.outline;
      if (!this._model.stepCount) return -1;
      var node = o.stepNode[this._index];
      while (node >= 0 && this._rowOf[node] < 0) node = o.parent[node];
      return node < 0 ? -1 : this._rowOf[node];
    }

    /** Keeps the current row in view. Geometry comes from caches (the scroll handler and
        the resize observer), so a step change forces no extra layout. */
    _revealCurrent() {
      var row = this._currentRow();
      if (row >= 0) {
        var top = row * ROW_HEIGHT, h = this._outlineHeight;
        if (top < this._scrollTop || top + ROW_HEIGHT > this._scrollTop + h) {
          this._scrollTop = Math.max(0, top - h / 2 + ROW_HEIGHT / 2);
          this._outline.scrollTop = this._scrollTop;
        }
      }
      this._renderRows();
    }

    _renderRows() {
      if (!this._visible) return;
      var m = this._model, o = m.outline;
      var h = this._outlineHeight, top = this._scrollTop;
      var from = Math.max(0, Math.floor(top / ROW_HEIGHT) - 4);
      var to = Math.min(this._visible.length, Math.ceil((top + h) / ROW_HEIGHT) + 4);
      var current = this._currentRow();
      var rendered = this._rendered;
      if (rendered && rendered.from === from && rendered.to === to && rendered.visible === this._visible) {
        // Same rows on screen (the usual case when stepping): move the highlight only.
        if (rendered.current !== current) {
          this._markRow(rendered.current, false);
          this._markRow(current, true);
          rendered.current = current;
        }
        return;
      }
      var html = [];
      for (var r = from; r < to; r++) {
        var node = this._visible[r], kind = o.kind[node], depth = o.depth[node];
        var phase = m.steps[o.first[node]].phase;
        var cls = 'ut-row ut-k' + kind + ' ut-ph-' + phase + (r === current ? ' ut-current' : '');
        var label, caret = '';
        if (kind === 2) {
          var s = m.steps[o.ref[node]], out = m.tensors[s.output];
          label = '<span class="ut-row-n">' + (o.ref[node] + 1) + '</span><span class="ut-row-op">' + escapeHtml(s.op) + '</span><span class="ut-row-out">→ ' + escapeHtml(out.name) + '</span>';
        } else {
          var open = !this._collapsed.has(node);
          caret = '<span class="ut-caret" role="button" aria-label="' + (open ? 'Collapse' : 'Expand') + '" aria-expanded="' + open + '">' + (open ? '▾' : '▸') + '</span>';
          var name = kind === 0 ? PHASE_TITLES[phase] : m.scopes[o.ref[node]].name;
          label = '<span class="ut-row-name">' + escapeHtml(name) + '</span><span class="ut-row-range">' +
            (o.first[node] + 1) + (o.last[node] > o.first[node] ? '–' + (o.last[node] + 1) : '') + '</span>';
        }
        html.push('<div class="' + cls + '" role="listitem" data-row="' + r + '" data-node="' + node + '" style="top:' + (r * ROW_HEIGHT) + 'px;padding-left:' + (0.4 + depth * 0.85) + 'rem"' +
          (r === current ? ' aria-current="step"' : '') + '>' + caret + label + '</div>');
      }
      this._rows.innerHTML = html.join('');
      this._rendered = { from: from, to: to, visible: this._visible, current: current };
    }

    _markRow(r, on) {
      if (r < 0) return;
      var row = this._rows.querySelector('[data-row="' + r + '"]');
      if (!row) return;
      row.classList.toggle('ut-current', on);
      if (on) row.setAttribute('aria-current', 'step'); else row.removeAttribute('aria-current');
    }

    /* ----- the step panel ----- */

    _renderStep() {
      var m = this._model, panel = this._stepPanel;
      if (!m.stepCount) {
        panel.innerHTML = '<p class="ut-note">This trace records no steps' + ((m.trace.history || []).length ? '; its training history is in the other views.' : '.') + '</p>';
        return;
      }
      if (!this._parts) {
        // Parts replaced separately: the typeset equation stays while the scope's equation does.
        panel.innerHTML = '<div class="ut-step-head"></div><div class="ut-eq" hidden></div><div class="ut-explain"></div><div class="ut-tensors"></div><div class="ut-prov-box"></div>';
        this._parts = { head: panel.children[0], eq: panel.children[1], explain: panel.children[2], tensors: panel.children[3], prov: panel.children[4], equation: null };
      }
      var parts = this._parts;
      var i = this._index, step = m.steps[i], out = m.tensor(step.output);
      var path = m.scopePath(step.scope);
      var eq = m.equationScope(i);
      parts.head.innerHTML =
        '<span class="ut-badge ut-ph-' + step.phase + '">' + step.phase + '</span>' +
        '<span class="ut-step-n">step ' + (i + 1) + '</span>' +
        '<code class="ut-op">' + escapeHtml(step.op) + '</code>' +
        '<span class="ut-path">' + (path.length ? path.map(function (s) { return escapeHtml(s.name); }).join(' <span aria-hidden="true">›</span> ') : 'top level') + '</span>';
      var equation = eq ? eq.equation : null;
      if (equation !== parts.equation) {
        parts.equation = equation;
        parts.eq.hidden = !eq;
        parts.eq.innerHTML = eq ? texHtml(eq.equation, true) : '';
      }
      if (eq) parts.eq.title = eq.name;
      parts.explain.innerHTML = this._explainStepHtml(i);
      var sel = Math.min(this._selected, m.values(out.id).length - 1);
      var explanation = sel >= 0 ? U.explain(m, i, sel) : null;
      var sources = {};
      if (explanation) explanation.sources.forEach(function (s) { (sources['in' + s.input] = sources['in' + s.input] || []).push(s.index); });
      var html = [];
      var symbol = OP_SYMBOL[step.op], self = this;
      if (!symbol) html.push('<span class="ut-opname">' + escapeHtml(step.op) + '(</span>');
      // Each symbol stays on the line of the card after it when the row wraps.
      step.inputs.forEach(function (id, k) {
        html.push('<span class="ut-term">' + (k > 0 ? '<span class="ut-sym">' + (symbol || ',') + '</span>' : '') +
          self._cardHtml(id, 'in' + k, -1, sources['in' + k] || null) + '</span>');
      });
      if (!symbol) html.push('<span class="ut-opname">)</span>');
      html.push('<span class="ut-term"><span class="ut-sym ut-eq-sign">=</span>' + this._cardHtml(out.id, 'out', sel, null) + '</span>');
      parts.tensors.innerHTML = html.join('');
      parts.prov.innerHTML = explanation ? this._provenanceHtml(explanation) : '';
    }

    /** The teaching line under the equation: attrs, and for gradients what they are of. */
    _explainStepHtml(i) {
      var m = this._model, step = m.steps[i], out = m.tensor(step.output), parts = [];
      var attrs = Object.keys(step.attrs || {});
      if (attrs.length) {
        parts.push('<p class="ut-attrs">' + attrs.map(function (k) {
          var v = step.attrs[k];
          var text = Array.isArray(v) ? '[' + (v.length > 24 ? v.slice(0, 24).join(', ') + ', …' : v.join(', ')) + ']' : String(v);
          return '<span class="ut-chip"><span class="ut-chip-key">' + escapeHtml(k) + '</span> ' + escapeHtml(text) + '</span>';
        }).join('') + '</p>');
      }
      var grad = m.gradientInfo(i);
      if (grad) {
        var text = 'This step produces ' + nameHtml(out) + ', ' +
          (grad.sums ? 'the sum of two contributions to the gradient of ' : (grad.final ? 'the final gradient of ' : 'a contribution to the gradient of ')) +
          nameHtml(grad.of) + ' <span class="ut-muted">(' + escapeHtml(grad.of.name) + ', ' + grad.of.role + ')</span>.';
        if (grad.sums) text += ' ' + escapeHtml(grad.of.name) + ' is used in more than one place, so its gradient arrives along several paths and the contributions are summed.';
        else if (grad.final && !grad.sums) text += ' It is the complete gradient.';
        parts.push('<p class="ut-grad' + (grad.sums ? ' ut-sums' : '') + '">' + text + '</p>');
      } else if (step.op === 'sgd') {
        parts.push('<p class="ut-grad">Update: the new version ' + (out.version ? out.version : '') + ' of ' + nameHtml(out) + ' is the old one minus the learning rate times its gradient.</p>');
      } else if (step.phase === 'backward') {
        parts.push('<p class="ut-grad ut-muted">An intermediate value of a gradient rule (not a gradient itself).</p>');
      }
      return parts.join('');
    }

    /** One tensor as a matrix: a window of at most WINDOW×WINDOW cells around `selected`
        (a flat index, or -1) or the first of `highlight` (flat indices to mark as sources). */
    _cardHtml(id, slot, selected, highlight) {
      var m = this._model, t = m.tensor(id), values = m.values(id), shape = t.shape;
      var rank = shape.length;
      var cols = rank === 0 ? 1 : shape[rank - 1];
      var rows = cols === 0 ? 0 : values.length / cols;
      var win = this._windows[slot];
      if (!win) {
        win = { r: 0, c: 0 };
        var focus = selected >= 0 ? selected : (highlight && highlight.length ? highlight[0] : -1);
        if (focus >= 0 && cols > 0) {
          var fr = Math.floor(focus / cols), fc = focus % cols;
          if (fr >= WINDOW) win.r = Math.min(fr - Math.floor(WINDOW / 2), rows - WINDOW);
          if (fc >= WINDOW) win.c = Math.min(fc - Math.floor(WINDOW / 2), cols - WINDOW);
        }
        this._windows[slot] = win;
      }
      var r1 = Math.min(rows, win.r + WINDOW), c1 = Math.min(cols, win.c + WINDOW);
      var labels = t.labels || [];
      var colLabels = rank >= 1 ? labels[rank - 1] : null;
      var rowLabels = rank === 2 ? labels[0] : null;
      var maxAbs = m.maxAbs(id), hl = highlight ? new Set(highlight) : null;
      var h = [];
      h.push('<figure class="ut-card ut-role-' + t.role + '" data-slot="' + slot + '" data-tensor="' + id + '">');
      h.push('<figcaption><span class="ut-name">' + nameHtml(t) + '</span><span class="ut-shape">' + U.shapeText(shape) + '</span>' +
        '<span class="ut-role">' + t.role + (t.version ? ' v' + t.version : '') + '</span></figcaption>');
      h.push('<div class="ut-mat-wrap"><table class="ut-mat' + (slot === 'out' ? ' ut-pickable' : '') + '">');
      if (rank >= 1 && cols > 1) {
        h.push('<thead><tr><th class="ut-corner"></th>');
        for (var c = win.c; c < c1; c++) {
          var cl = colLabels ? colLabels[c] : String(c + 1);
          h.push('<th scope="col"' + (colLabels ? ' class="ut-label" title="' + escapeHtml(cl) + '"' : '') + '>' + escapeHtml(cl) + '</th>');
        }
        h.push('</tr></thead>');
      }
      h.push('<tbody>');
      for (var r = win.r; r < r1; r++) {
        h.push('<tr>');
        if (rank >= 1 && cols > 1 || rank >= 2) {
          var rl = rowLabels ? rowLabels[r] : rank > 2 ? U.unravel(r, shape.slice(0, rank - 1)).map(function (x) { return x + 1; }).join(',') : String(r + 1);
          h.push('<th scope="row"' + (rowLabels ? ' class="ut-label" title="' + escapeHtml(rl) + '"' : '') + '>' + escapeHtml(rl) + '</th>');
        }
        for (var cc = win.c; cc < c1; cc++) {
          var f = r * cols + cc, x = values[f];
          var cls = numberClass(x);
          if (f === selected) cls += ' ut-selected';
          if (hl && hl.has(f)) cls += ' ut-source';
          h.push('<td data-i="' + f + '" title="' + exact(x) + '"' + (cls ? ' class="' + cls.trim() + '"' : '') +
            (slot === 'out' ? ' tabindex="0"' : '') +
            ' style="background:' + colour(x, maxAbs) + '">' + format(x) + '</td>');
        }
        h.push('</tr>');
      }
      h.push('</tbody></table></div>');
      if (rows > WINDOW || cols > WINDOW) {
        h.push('<div class="ut-pager">');
        if (rows > WINDOW) {
          h.push('<span>rows ' + (win.r + 1) + '–' + r1 + ' of ' + rows + '</span>' +
            '<button type="button" data-page="up" data-slot="' + slot + '"' + (win.r === 0 ? ' disabled' : '') + ' aria-label="Previous rows">↑</button>' +
            '<button type="button" data-page="down" data-slot="' + slot + '"' + (r1 >= rows ? ' disabled' : '') + ' aria-label="Next rows">↓</button>');
        }
        if (cols > WINDOW) {
          h.push('<span>columns ' + (win.c + 1) + '–' + c1 + ' of ' + cols + '</span>' +
            '<button type="button" data-page="left" data-slot="' + slot + '"' + (win.c === 0 ? ' disabled' : '') + ' aria-label="Previous columns">←</button>' +
            '<button type="button" data-page="right" data-slot="' + slot + '"' + (c1 >= cols ? ' disabled' : '') + ' aria-label="Next columns">→</button>');
        }
        h.push('</div>');
      }
      h.push(this._flowHtml(id, slot));
      h.push('</figure>');
      return h.join('');
    }

    /** Where an operand was made, and where a result is used first: buttons that follow the data. */
    _flowHtml(id, slot) {
      var m = this._model, here = this._index;
      var made = m.producer(id), used = m.firstUse(id);
      if (slot !== 'out' && made >= 0 && made !== here) {
        return '<button type="button" class="ut-flow" data-goto="' + made + '" title="Go to the step that computed it">from step ' + (made + 1) + '</button>';
      }
      if (slot === 'out' && used > here) {
        return '<button type="button" class="ut-flow" data-goto="' + used + '" title="Go to the first step that uses it">used in step ' + (used + 1) + ' →</button>';
      }
      return '';
    }

    _page(button) {
      var slot = button.getAttribute('data-slot'), dir = button.getAttribute('data-page');
      var win = this._windows[slot];
      if (!win) return;
      if (dir === 'up') win.r = Math.max(0, win.r - WINDOW);
      if (dir === 'down') win.r += WINDOW;
      if (dir === 'left') win.c = Math.max(0, win.c - WINDOW);
      if (dir === 'right') win.c += WINDOW;
      this._renderStep();
      var again = this._stepPanel.querySelector('button[data-slot="' + slot + '"][data-page="' + dir + '"]');
      if (again && !again.disabled) again.focus({ preventScroll: true });
    }

    _provenanceHtml(e) {
      var h = ['<section class="ut-prov" aria-label="How the selected element was computed">'];
      h.push('<h4>How ' + escapeHtml(e.label) + ' was computed <span class="ut-muted">(click any result cell)</span></h4>');
      h.push('<p class="ut-formula">' + escapeHtml(e.formula) + '</p>');
      e.notes.forEach(function (n) { h.push('<p class="ut-note">' + escapeHtml(n) + '</p>'); });
      // The terms scroll when there are many; the sum and the result below them stay in view.
      var split = e.lines.length;
      function totals(line) { return line.some(function (t) { return t && (t.kind === 'sum' || t.kind === 'result'); }); }
      while (split > 0 && totals(e.lines[split - 1])) split--;
      h.push('<div class="ut-prov-lines">');
      e.lines.forEach(function (line, k) {
        if (k === split && k > 0) h.push('</div><div class="ut-prov-lines ut-prov-totals">');
        h.push('<div class="ut-prov-line">');
        line.forEach(function (tok) {
          if (typeof tok === 'string') { h.push(escapeHtml(tok)); return; }
          h.push('<span class="ut-num ut-k-' + tok.kind + ' ' + numberClass(tok.v) + '" data-kind="' + tok.kind + '" data-v="' + exact(tok.v) + '"' +
            (tok.ref ? ' data-input="' + tok.ref.input + '" data-index="' + tok.ref.index + '"' : '') +
            ' title="' + escapeHtml((tok.label ? tok.label + ' = ' : '') + exact(tok.v)) + '">' +
            (tok.label && tok.kind !== 'result' ? '<span class="ut-num-label">' + escapeHtml(tok.label) + '</span>' : '') + format(tok.v) + '</span>');
        });
        h.push('</div>');
      });
      h.push('</div>');
      h.push('<p class="ut-check ' + (e.agrees ? 'ut-ok' : 'ut-off') + '">' + (e.agrees ?
        '✓ equals the recorded value ' + '<span class="ut-num" data-kind="recorded" data-v="' + exact(e.recorded) + '" title="' + exact(e.recorded) + '">' + format(e.recorded) + '</span>' :
        'the trace records <span class="ut-num" data-kind="recorded" data-v="' + exact(e.recorded) + '" title="' + exact(e.recorded) + '">' + exact(e.recorded) + '</span> (recomputed here: ' + exact(e.value) + '; exp, log and tanh may differ in the last digit between math libraries)') + '</p>');
      h.push('</section>');
      return h.join('');
    }

    /* ----- special views (tabs) ----- */

    _setupViews() {
      var self = this, m = this._model, uid = this._uid;
      var specs = (U.views || []).filter(function (spec) {
        try { return spec && typeof spec.applies === 'function' && spec.applies(m); } catch (err) { return false; }
      });
      this._views = [{ id: 'step', title: 'Step', panel: this._stepPanel, instance: null }];
      var tabs = this._root.querySelector('.ut-tabs'), panels = this._root.querySelector('.ut-panels');
      specs.forEach(function (spec) {
        var panel = document.createElement('section');
        panel.className = 'ut-panel ut-view';
        panel.setAttribute('data-view', spec.id);
        panel.setAttribute('role', 'tabpanel');
        panel.hidden = true;
        panels.appendChild(panel);
        self._views.push({ id: spec.id, title: spec.title || spec.id, spec: spec, panel: panel, instance: null });
      });
      if (this._views.length === 1) { tabs.hidden = true; return; }
      tabs.innerHTML = this._views.map(function (v, k) {
        v.panel.id = 'ut-' + uid + '-panel-' + k;
        v.panel.setAttribute('aria-labelledby', 'ut-' + uid + '-tab-' + k);
        return '<button type="button" role="tab" class="ut-tab" id="ut-' + uid + '-tab-' + k + '" data-tab="' + k + '" data-view="' + escapeHtml(v.id) + '" aria-controls="ut-' + uid + '-panel-' + k + '" aria-selected="' + (k === 0) + '" tabindex="' + (k === 0 ? 0 : -1) + '">' + escapeHtml(v.title) + '</button>';
      }).join('');
      tabs.addEventListener('click', function (e) {
        var b = e.target.closest('[data-tab]');
        if (b) self._showView(Number(b.getAttribute('data-tab')));
      });
      tabs.addEventListener('keydown', function (e) {
        if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
        e.preventDefault();
        e.stopPropagation();
        var k = (self._activeView + (e.key === 'ArrowRight' ? 1 : -1) + self._views.length) % self._views.length;
        self._showView(k);
        tabs.querySelector('[data-tab="' + k + '"]').focus();
      });
    }

    _viewApi() {
      var self = this;
      return {
        goTo: function (i0) { self._userGo(i0); },
        tex: function (el, source, display) { el.innerHTML = texHtml(source, display); },
        format: format,
        colour: colour,
        reducedMotion: reducedMotion()
      };
    }

    _showView(k) {
      var v = this._views[k];
      if (!v) return;
      this._activeView = k;
      this._views.forEach(function (w, j) { w.panel.hidden = j !== k; });
      var tabs = this._root.querySelectorAll('.ut-tab');
      for (var j = 0; j < tabs.length; j++) {
        tabs[j].setAttribute('aria-selected', String(j === k));
        tabs[j].tabIndex = j === k ? 0 : -1;
      }
      if (v.spec && !v.instance) {
        try { v.instance = v.spec.create(v.panel, this._model, this._viewApi()) || {}; } catch (err) { this._viewError(v, err); return; }
      }
      if (v.instance && v.instance.update && this._model.stepCount) {
        try { v.instance.update(this._index); } catch (err) { this._viewError(v, err); }
      }
    }

    _viewError(view, err) {
      view.instance = { update: function () {} };
      view.panel.innerHTML = '<p class="ut-error">This view failed: ' + escapeHtml(err && err.message) + '</p>';
      if (window.console) console.warn('unrolled view "' + view.id + '":', err);
    }
  }

  U.format = format;
  U.colour = colour;
  U.texHtml = texHtml;
  if (window.customElements && !customElements.get('unrolled-trace')) customElements.define('unrolled-trace', UnrolledTrace);
})(window.Unrolled);
