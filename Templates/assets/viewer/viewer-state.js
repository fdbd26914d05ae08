/* Unrolled.ViewerState: the one state object of an <unrolled-trace>. The element's parts
   (outline, step panel, timeline, links, tabs) read it and change it; none of them calls
   another. Fields:
   - step      the current step, 0-based (0 in a trace without steps)
   - selected  the flat index of the selected element of the step's result (provenance)
   - playing   whether playback runs; speed, its steps per second
   - tab       the index of the shown view (0 is the step panel)
   - history   the trace.history entry the views show (an index), or null: each view's own
               default (the current step's values, or the last entry of a history-only trace)
   Each change notifies the subscribers in the order they subscribed, with the changed
   fields and how the change came about ({reader: the reader asked for it (follow in the
   URL), force: notify although nothing changed}). Classic script, no dependencies. */
window.Unrolled = window.Unrolled || {};

(function (U) {
  'use strict';

  function ViewerState(stepCount) {
    this.stepCount = stepCount;
    this.step = 0;
    this.selected = 0;
    this.playing = false;
    this.speed = 5;
    this.tab = 0;
    this.history = null;
    this.stopped = false;   // after a failure: nothing is notified any more
    this.onError = null;    // what a subscriber's exception becomes (the element's error box)
    this._subscribers = [];
  }

  /** Calls fn(changed, how, state) after every change; returns the function that unsubscribes. */
  ViewerState.prototype.subscribe = function (fn) {
    var list = this._subscribers;
    list.push(fn);
    return function () {
      var at = list.indexOf(fn);
      if (at >= 0) list.splice(at, 1);
    };
  };

  /** Sets the fields of `patch` and notifies when one of them changed (or `how.force`). */
  ViewerState.prototype.set = function (patch, how) {
    var changed = {}, any = false;
    for (var key in patch) {
      if (this[key] !== patch[key]) { this[key] = patch[key]; changed[key] = true; any = true; }
    }
    if (any || (how && how.force)) this._notify(changed, how || {});
    return any;
  };

  /** Goes to step i (0-based, clamped); a new step unselects the result's element. */
  ViewerState.prototype.go = function (i, how) {
    var n = this.stepCount;
    i = n ? Math.min(Math.max(Math.floor(i), 0), n - 1) : 0;
    if (isNaN(i) || this.stopped) return;
    if (i === this.step && !(how && how.force)) return;
    var changed = { step: true };
    if (i !== this.step) { this.step = i; this.selected = 0; changed.selected = true; }
    this._notify(changed, how || {});
  };

  /** A step change the reader asked for: stops playback, follows in the URL hash. */
  ViewerState.prototype.userGo = function (i) {
    this.set({ playing: false });
    this.go(i, { reader: true });
  };

  ViewerState.prototype._notify = function (changed, how) {
    var list = this._subscribers.slice();
    for (var k = 0; k < list.length && !this.stopped; k++) {
      try {
        list[k](changed, how, this);
      } catch (err) {
        if (!this.onError) throw err;
        this.onError(err);
      }
    }
  };

  U.ViewerState = ViewerState;
})(window.Unrolled);
