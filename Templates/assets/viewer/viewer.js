/* <unrolled-trace>: step through one trace, forward and backward, number by number.
   Reads its trace from the shared script named by data-src (a site's traces/<id>.js, see
   viewer-data.js), or from a child <script type="application/json" class="unrolled-trace-data">
   (or the script named by data-trace), renders in the light DOM (so KaTeX's and the page's
   CSS apply), and keeps every step change cheap: the outline is virtualized, matrices show
   a window of at most 12×12 cells, the scrubber's phases are drawn once.

   The element owns the lifecycle only. What the reader sees is one state object
   (viewer-state.js) and the parts that show and change it. Each part is a component made by
   Unrolled.viewerParts.<name>(context), context = {element, root, model, state, kit, uid},
   returning {update(changed, how), destroy()} and, when it needs them, start() (once, after
   the first step is shown), connect() and disconnect() (the element entering and leaving
   the page). They hear a change in the order of PARTS: timeline (controls, keys, playback,
   scrubber), outline, step (the step panel) and live (the step in words; both
   viewer-step.js), tabs (the special views), links (the URL hash, copy link). All are
   loaded first, as partials/head.mustache lists them; uses the global `katex` when present. */
window.Unrolled = window.Unrolled || {};

(function (U) {
  'use strict';

  var PARTS = ['timeline', 'outline', 'step', 'live', 'tabs', 'links'];
  var counter = 0;

  class UnrolledTrace extends HTMLElement {
    constructor() {
      super();
      var self = this;
      this.ready = new Promise(function (resolve) { self._resolveReady = resolve; });
      this._built = false;
      this._state = null;
      this._parts = [];
    }

    get model() { return this._model || null; }
    /** The viewer's one state (viewer-state.js): read it, subscribe to it, or set it as the parts do. */
    get state() { return this._state; }
    get step() { return this._model && this._model.stepCount ? this._state.step + 1 : 0; }

    /** Goes to 1-based step k (clamped). */
    goTo(k) { if (this._model) this._state.go(Number(k) - 1); }
    next() { if (this._model) this._state.go(this._state.step + 1); }
    previous() { if (this._model) this._state.go(this._state.step - 1); }

    connectedCallback() {
      if (this._built) { this._each('connect'); return; }
      var self = this;
      if (document.readyState === 'loading' && !this.hasAttribute('data-src') && !this._dataScript()
          && !(window.UnrolledTraceData && this.getAttribute('trace-id') in window.UnrolledTraceData)) {
        document.addEventListener('DOMContentLoaded', function () { self._load(); }, { once: true });
      } else {
        this._load();
      }
    }

    disconnectedCallback() { this._each('disconnect'); }

    _each(method) {
      this._parts.forEach(function (part) { if (part[method]) part[method](); });
    }

    _dataScript() {
      var id = this.getAttribute('data-trace');
      if (id) return document.getElementById(id);
      return this.querySelector(':scope > script.unrolled-trace-data, script.unrolled-trace-data');
    }

    /** Reads the trace (from its shared script, or from the page) and builds the viewer on it. */
    _load() {
      if (this._built) return;
      this._built = true;
      this._uid = ++counter;
      this.traceId = this.getAttribute('trace-id') || this.id || 'trace-' + this._uid;
      if (!this.hasAttribute('tabindex')) this.setAttribute('tabindex', '0');
      // A region of its own, named for the trace (its title once read), not by all its text.
      if (!this.hasAttribute('role')) this.setAttribute('role', 'region');
      if (!this.hasAttribute('aria-label')) this.setAttribute('aria-label', 'Trace viewer');
      var self = this;
      var src = this.getAttribute('data-src');
      // The data's script is named (a site), or already ran in the page (an embed).
      if (src || (window.UnrolledTraceData && Object.prototype.hasOwnProperty.call(window.UnrolledTraceData, this.traceId))) {
        this.setAttribute('aria-busy', 'true');
        U.loadTrace(src, this.traceId).then(function (trace) {
          self.removeAttribute('aria-busy');
          self._build(trace);
        }, function (err) {
          self.removeAttribute('aria-busy');
          self._fail(err);
        });
        return;
      }
      var script = this._dataScript();
      var trace;
      try {
        if (!script) throw new Error('no trace data: expected data-src or a child <script type="application/json" class="unrolled-trace-data">');
        trace = JSON.parse(script.textContent);
      } catch (err) {
        this._fail(err);
        return;
      }
      this._build(trace);
    }

    _build(trace) {
      var uid = this._uid;
      // Whatever the trace holds, a failure ends in the error box, never as an uncaught exception.
      try {
        var model = this._model = new U.TraceModel(trace);
        var title = this.getAttribute('data-title') || model.trace.title;
        if (this.getAttribute('aria-label') === 'Trace viewer' && title) this.setAttribute('aria-label', 'Trace: ' + title);
        var root = this._root = U.viewerLayout(model, title, uid);
        this.appendChild(root);
        var state = this._state = new U.ViewerState(model.stepCount);
        var self = this;
        var context = { element: this, root: root, model: model, state: state, kit: U.viewerKit, uid: uid };
        PARTS.forEach(function (name) {
          var part = U.viewerParts[name](context);
          self._parts.push(part);
          state.subscribe(part.update);
        });
        state.subscribe(function (changed) {
          if (changed.step) self.dispatchEvent(new CustomEvent('unrolled-step', { detail: { step: self.step }, bubbles: true }));
        });
        state.onError = function (err) { self._fail(err); };
        var start = parseInt(this.getAttribute('step'), 10);
        state.go(isNaN(start) ? 0 : start - 1, { force: true });
        if (this._model) this._each('start');
        if (!this._model) return; // a part met a step it cannot show and failed (see _fail)
      } catch (err) {
        this._fail(err);
        return;
      }
      var fallback = this.querySelector('.unrolled-fallback');
      if (fallback) fallback.hidden = true;
      this._each('connect');
      this._resolveReady(this);
    }

    /** Replaces the viewer by its error box (the static fallback stays visible) and lets go of
        everything that could call back into it: each part's timers, observers and listeners. */
    _fail(err) {
      if (this._state) this._state.stopped = true;
      this._each('destroy');
      this._parts = [];
      if (this._root) this._root.remove();
      this._root = null;
      this._model = null;
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
  }

  if (window.customElements && !customElements.get('unrolled-trace')) customElements.define('unrolled-trace', UnrolledTrace);
})(window.Unrolled);
