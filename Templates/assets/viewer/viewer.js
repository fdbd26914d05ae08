/* <unrolled-trace>: step through one trace, forward and backward, number by number.
   Reads its trace from a child <script type="application/json" class="unrolled-trace-data">
   (or the script named by data-trace), renders in the light DOM (so KaTeX's and the page's
   CSS apply), and keeps every step change cheap: the outline is virtualized, matrices show
   a window of at most 12×12 cells, the scrubber's phases are drawn once.
   Its parts (loaded first, as partials/head.mustache lists them) put their methods on its
   prototype: viewer-outline, viewer-step, viewer-links, viewer-timeline, viewer-tabs; it
   needs viewer-kit, viewer-model and viewer-provenance; uses the global `katex` when present. */
window.Unrolled = window.Unrolled || {};

(function (U) {
  'use strict';
  const { escapeHtml, texHtml, format, exact, icon } = U.viewerKit;

  var SPEEDS = [1, 2, 5, 10, 25, 60];
  var counter = 0;

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
      // Whatever the trace holds, a failure ends in the error box, never as an uncaught exception.
      try {
        if (!script) throw new Error('no trace data: expected a child <script type="application/json" class="unrolled-trace-data">');
        this._model = new U.TraceModel(JSON.parse(script.textContent));
        this._render();
        var start = parseInt(this.getAttribute('step'), 10);
        this._index = -1;
        this._go(isNaN(start) ? 0 : start - 1, false, true);
        this._followHash(true);
        if (!this._model) return; // _go met a step it cannot show and failed (see _fail)
        if (!this._model.stepCount && this._views.length > 1) {
          // A history-only trace: its teaching is in the views (the loss curve first).
          var training = this._views.findIndex(function (v) { return v.id === 'training'; });
          this._showView(training > 0 ? training : 1);
        }
      } catch (err) {
        this._fail(err);
        return;
      }
      var fallback = this.querySelector('.unrolled-fallback');
      if (fallback) fallback.hidden = true;
      window.addEventListener('hashchange', this._onHash);
      this._resolveReady(this);
    }

    /** Replaces the viewer by its error box (the static fallback stays visible) and lets go of
        everything that could call back into it: timers, the resize observer, the hash listener,
        the outline's scroll handler. */
    _fail(err) {
      this._playing = false;
      clearTimeout(this._timer);
      clearTimeout(this._liveTimer);
      if (this._resizeObserver) this._resizeObserver.disconnect();
      window.removeEventListener('hashchange', this._onHash);
      if (this._root) this._root.remove();
      this._root = null;
      this._model = null;
      this._visible = null; // a scroll event already queued for the outline then draws nothing
      var fallback = this.querySelector('.unrolled-fallback');
      if (fallback) fallback.hidden = false;
      var box = document.createElement('p');
      box.className = 'ut-error';
      box.setAttribute('role', 'alert');
      box.textContent = 'This trace cannot be shown: ' + (err && err.message || String(err));
      this.appendChild(box);
      if (window.console) console.warn('unrolled-trace "' + this.traceId + '":', err);
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
      try {
        this._update();
      } catch (err) {
        this._fail(err);
        return;
      }
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

  }

  Object.assign(UnrolledTrace.prototype, U.viewerParts.outline, U.viewerParts.step, U.viewerParts.links,
                U.viewerParts.timeline, U.viewerParts.tabs);
  if (window.customElements && !customElements.get('unrolled-trace')) customElements.define('unrolled-trace', UnrolledTrace);
})(window.Unrolled);
