/* Deep links: the URL hash `#<trace-id>:<step>` opens a viewer at that step and follows the
   reader as they step (replaceState, at most every 250 ms); "copy link" puts the link on the
   clipboard, with fallbacks for file:// where the clipboard API is refused. */
window.Unrolled = window.Unrolled || {};

(function (U) {
  'use strict';

  /* Methods of <unrolled-trace> (viewer.js puts them on its prototype). */
  (U.viewerParts = U.viewerParts || {}).links = {
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
    },

    _link() {
      var base = location.href.split('#')[0];
      return base + '#' + encodeURIComponent(this.traceId) + ':' + this.step;
    },

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
    },

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
  };
})(window.Unrolled);
