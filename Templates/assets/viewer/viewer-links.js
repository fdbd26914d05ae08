/* The links part of <unrolled-trace>: the URL hash `#<trace-id>:<step>` opens a viewer at that
   step and follows the reader as they step (replaceState, at most every 250 ms); "copy link"
   puts the link on the clipboard, with fallbacks for file:// where the clipboard API is
   refused. A component over the viewer's state (viewer.js). */
window.Unrolled = window.Unrolled || {};

(function (U) {
  'use strict';

  (U.viewerParts = U.viewerParts || {}).links = function (context) {
    var element = context.element, state = context.state;
    var copied = context.root.querySelector('.ut-copied');
    var hashTimer = 0, hashWritten = 0, copiedTimer = 0;

    function follow(initial) {
      var hash;
      try { hash = decodeURIComponent((location.hash || '').slice(1)); } catch (err) { return; } // a malformed %-escape
      var colon = hash.lastIndexOf(':');
      if (colon < 0 || hash.slice(0, colon) !== element.traceId) return;
      var k = parseInt(hash.slice(colon + 1), 10);
      if (isNaN(k)) return;
      state.go(k - 1, { force: initial });
      var reveal = function () { element.scrollIntoView({ block: 'start', behavior: 'auto' }); };
      if (initial) requestAnimationFrame(reveal); else reveal();
    }
    function onHash() { follow(false); }

    function hash() { return '#' + encodeURIComponent(element.traceId) + ':' + element.step; }

    /** Follows the reader in the URL hash: at once, but at most every 250 ms (playing at
        60 steps/s or dragging the timeline would otherwise make Chromium throttle
        history.replaceState); the last step always lands. */
    function writeHash() {
      var wait = 250 - (Date.now() - hashWritten);
      clearTimeout(hashTimer);
      function write() {
        hashWritten = Date.now();
        try { history.replaceState(history.state, '', hash()); } catch (err) { /* some embeddings forbid it */ }
      }
      if (wait <= 0) write(); else hashTimer = setTimeout(write, wait);
    }

    function copyLink() {
      var link = location.href.split('#')[0] + hash();
      function done(ok) {
        copied.textContent = ok ? 'link copied' : 'copy this link: ' + link;
        clearTimeout(copiedTimer);
        copiedTimer = setTimeout(function () { copied.textContent = ''; }, ok ? 2500 : 15000);
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
        element.focus({ preventScroll: true });
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

    context.root.querySelector('.ut-controls').addEventListener('click', function (e) {
      if (e.target.closest('button[data-act="copy"]')) copyLink();
    });

    return {
      update: function (changed, how) { if (changed.step && how.reader) writeHash(); },
      start: function () { follow(true); },
      connect: function () { window.addEventListener('hashchange', onHash); },
      disconnect: function () { window.removeEventListener('hashchange', onHash); },
      destroy: function () { clearTimeout(hashTimer); window.removeEventListener('hashchange', onHash); }
    };
  };
})(window.Unrolled);
