/* The timeline part of <unrolled-trace>: the step controls (first, previous, play, next, last,
   the step number, the speed, the phase jumps), the keys, playback at the chosen speed, and
   the scrubber, one canvas with each step a sliver in its phase's colour (drawn once, so a
   step change only moves the marker). A component over the viewer's state (viewer.js). */
window.Unrolled = window.Unrolled || {};

(function (U) {
  'use strict';

  (U.viewerParts = U.viewerParts || {}).timeline = function (context) {
    var element = context.element, root = context.root, m = context.model, state = context.state;
    var icon = context.kit.icon;
    var n = m.stepCount, timer = 0, observer = null;
    var controls = root.querySelector('.ut-controls');
    var stepInput = root.querySelector('.ut-step-input');
    var speed = root.querySelector('.ut-speed-select');
    var playButton = root.querySelector('.ut-play');
    var scrubber = root.querySelector('.ut-scrubber');
    var canvas = root.querySelector('.ut-scrub-canvas');
    var marker = root.querySelector('.ut-marker');
    var buttons = root.querySelectorAll('.ut-controls .ut-btn[data-act]');
    var scheme = window.matchMedia ? window.matchMedia('(prefers-color-scheme: dark)') : null;

    function play() {
      if (!n) return;
      if (state.step >= n - 1) state.go(0, { reader: true });
      state.set({ playing: true });
    }
    function pause() { state.set({ playing: false }); }
    function tick() {
      if (!state.playing) return;
      if (state.step >= n - 1) { pause(); return; }
      state.go(state.step + 1, { reader: true });
      if (state.playing && !state.stopped) timer = setTimeout(tick, 1000 / state.speed);
    }

    function onClick(e) {
      var b = e.target.closest('button[data-act]');
      if (!b) return;
      var act = b.getAttribute('data-act'), i = state.step;
      if (act === 'first') state.userGo(0);
      else if (act === 'prev') state.userGo(i - 1);
      else if (act === 'next') state.userGo(i + 1);
      else if (act === 'last') state.userGo(n - 1);
      else if (act === 'play') { if (state.playing) pause(); else play(); }
      else if (act === 'phase') state.userGo(m.phaseStart(b.getAttribute('data-phase')));
    }
    function onStepInput() {
      var k = parseInt(stepInput.value, 10);
      if (!isNaN(k)) state.userGo(k - 1);
    }
    function onSpeed() {
      state.set({ speed: Number(speed.value) });
      if (state.playing) { pause(); play(); }
    }
    function onKey(e) {
      if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey) return;
      var tag = e.target && e.target.tagName;
      if (tag === 'INPUT' || tag === 'SELECT' || tag === 'TEXTAREA') return;
      if (!n) return;
      var i = state.step, to = null;
      if (e.key === 'ArrowRight') to = e.shiftKey ? m.nextScopeStart(i) : i + 1;
      else if (e.key === 'ArrowLeft') to = e.shiftKey ? m.previousScopeStart(i) : i - 1;
      else if (e.key === 'Home') to = 0;
      else if (e.key === 'End') to = n - 1;
      else if (e.key === ' ' || e.key === 'Spacebar') {
        if (tag === 'BUTTON') return; // the button's own activation
        e.preventDefault();
        if (state.playing) pause(); else play();
        return;
      } else return;
      e.preventDefault();
      state.userGo(to);
    }

    // Scrubber: click or drag to seek.
    var dragging = false;
    function seek(e) {
      var r = scrubber.getBoundingClientRect();
      if (!n || r.width <= 0) return;
      var x = Math.min(Math.max(e.clientX - r.left, 0), r.width - 0.001);
      state.userGo(Math.floor(x / r.width * n));
    }
    function onDown(e) {
      dragging = true;
      if (scrubber.setPointerCapture) try { scrubber.setPointerCapture(e.pointerId); } catch (err) { /* synthetic events have no capture */ }
      seek(e);
    }
    function onMove(e) { if (dragging) seek(e); }
    function onUp() { dragging = false; }

    function draw() {
      var w = scrubber.clientWidth, h = scrubber.clientHeight;
      if (!w || !h) return;
      var dpr = window.devicePixelRatio || 1;
      canvas.width = Math.round(w * dpr);
      canvas.height = Math.round(h * dpr);
      var ctx = canvas.getContext('2d');
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.clearRect(0, 0, w, h);
      if (!n) return;
      var style = getComputedStyle(root);
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

    function showStep() {
      var i = state.step;
      stepInput.value = n ? i + 1 : 0;
      scrubber.setAttribute('aria-valuenow', String(n ? i + 1 : 0));
      scrubber.setAttribute('aria-valuetext', n ? 'step ' + (i + 1) + ' of ' + n + ', ' + m.steps[i].phase : 'no steps');
      marker.style.left = n ? ((i + 0.5) / n * 100) + '%' : '0';
      var markerClass = n ? 'ut-marker ut-ph-' + m.steps[i].phase : marker.className;
      if (marker.className !== markerClass) marker.className = markerClass;
      for (var b = 0; b < buttons.length; b++) {
        var act = buttons[b].getAttribute('data-act');
        buttons[b].disabled = !n || ((act === 'first' || act === 'prev') && i === 0) || ((act === 'next' || act === 'last') && i === n - 1);
        if (act === 'play' || act === 'copy') buttons[b].disabled = !n;
      }
    }

    function showPlaying() {
      clearTimeout(timer);
      playButton.innerHTML = icon(state.playing ? 'pause' : 'play');
      playButton.setAttribute('aria-label', state.playing ? 'Pause' : 'Play');
      playButton.setAttribute('aria-pressed', String(state.playing));
      if (state.playing) timer = setTimeout(tick, 1000 / state.speed);
    }

    controls.addEventListener('click', onClick);
    stepInput.addEventListener('change', onStepInput);
    speed.addEventListener('change', onSpeed);
    element.addEventListener('keydown', onKey);
    scrubber.addEventListener('pointerdown', onDown);
    scrubber.addEventListener('pointermove', onMove);
    scrubber.addEventListener('pointerup', onUp);
    scrubber.addEventListener('pointercancel', onUp);
    if (scheme && scheme.addEventListener) scheme.addEventListener('change', draw);
    draw();

    return {
      update: function (changed) {
        if (changed.step) showStep();
        if (changed.playing) showPlaying();
      },
      connect: function () {
        if (!observer && window.ResizeObserver) observer = new ResizeObserver(draw);
        if (observer) observer.observe(scrubber);
      },
      disconnect: function () {
        pause();
        if (observer) observer.disconnect();
      },
      destroy: function () {
        state.playing = false;
        clearTimeout(timer);
        if (observer) observer.disconnect();
        element.removeEventListener('keydown', onKey);
        if (scheme && scheme.removeEventListener) scheme.removeEventListener('change', draw);
      }
    };
  };
})(window.Unrolled);
