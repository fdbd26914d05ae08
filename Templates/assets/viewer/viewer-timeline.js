/* The timeline: playback (play/pause at the chosen speed) and the scrubber, one canvas with
   each step a sliver in its phase's colour (drawn once, so a step change only moves the marker). */
window.Unrolled = window.Unrolled || {};

(function (U) {
  'use strict';
  const { icon } = U.viewerKit;

  /* Methods of <unrolled-trace> (viewer.js puts them on its prototype). */
  (U.viewerParts = U.viewerParts || {}).timeline = {
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
    },

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
    },

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
  };
})(window.Unrolled);
