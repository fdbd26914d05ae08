/* The links part of <unrolled-trace>: the URL hash `#<trace-id>:<step>` opens a viewer at that
   step and follows the reader as they step (replaceState, at most every 250 ms); a click on a
   link to such a hash on the same page (a reference the build wrote) goes there even when the
   hash is already the address's; "copy link" puts the link on the clipboard, with fallbacks
   for file:// where the clipboard API is refused. A component over the viewer's state
   (viewer.js). */
window.Unrolled = window.Unrolled || {};

(function (U) {
  'use strict';

  (U.viewerParts = U.viewerParts || {}).links = function (context) {
    var element = context.element, state = context.state;
    var copied = context.root.querySelector('.ut-copied');
    var hashTimer = 0, hashWritten = 0, copiedTimer = 0;

    /** The 1-based step a hash (`#n:12`, %-escaped or not) names in this viewer, or null. */
    function stepIn(hash) {
      var text;
      try { text = decodeURIComponent((hash || '').slice(1)); } catch (err) { return null; } // a malformed %-escape
      var colon = text.lastIndexOf(':');
      if (colon < 0 || text.slice(0, colon) !== element.traceId) return null;
      var k = parseInt(text.slice(colon + 1), 10);
      return isNaN(k) ? null : k;
    }

    function follow(initial) {
      var k = stepIn(location.hash);
      if (k === null) return;
      state.go(k - 1, { force: initial });
      if (initial) requestAnimationFrame(reveal); else reveal();
    }
    function onHash() { follow(false); }

    /** Scrolls the viewer to the top of its own window, less its CSS scroll-margin-top. In an
        <iframe> (a trace's own page embedded in notes or slides) scrollIntoView would scroll
        every page around the frame too, taking the reader away from where they were there;
        so a frame scrolls only its own document. */
    function reveal() {
      if (window.self === window.top) { element.scrollIntoView({ block: 'start', behavior: 'auto' }); return; }
      var margin = parseFloat(getComputedStyle(element).scrollMarginTop) || 0;
      window.scrollTo(0, element.getBoundingClientRect().top + window.scrollY - margin);
    }

    /** A click on a link to one of this viewer's steps on this same page. The browser fires no
        hashchange when the link's hash is already the address's (the viewer rewrote it as the
        reader stepped: a reference clicked twice, or one to the step the hash names after
        scrolling away), so that case is followed here; otherwise the browser's own navigation
        and hashchange do it (and Back returns to the previous step). Either way the viewer
        takes the focus, so the arrow keys go on from that step, and a hash write still pending
        from the reader's stepping is dropped (it would overwrite the link's hash). Links
        anywhere else, and clicks that open a new tab or window, are left alone. */
    function onClick(e) {
      if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      var link = e.target.closest ? e.target.closest('a[href]') : null;
      if (!link || typeof link.href !== 'string' || (link.target && link.target !== '_self') || link.hasAttribute('download')) return;
      if (link.href.split('#')[0] !== location.href.split('#')[0] || stepIn(link.hash) === null) return;
      clearTimeout(hashTimer);
      element.focus({ preventScroll: true });
      if (link.hash === location.hash) follow(false);
    }

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

    function listen() {
      window.addEventListener('hashchange', onHash);
      document.addEventListener('click', onClick);
    }
    function unlisten() {
      window.removeEventListener('hashchange', onHash);
      document.removeEventListener('click', onClick);
    }

    return {
      update: function (changed, how) { if (changed.step && how.reader) writeHash(); },
      start: function () { follow(true); },
      connect: listen,
      disconnect: unlisten,
      destroy: function () { clearTimeout(hashTimer); unlisten(); }
    };
  };
})(window.Unrolled);
