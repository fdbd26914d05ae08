/* Unrolled viewer: the views' drawings on a phone. A panel narrower than 600 px (viewKit.narrowPanel)
   gets the class `uv-fit`, which the styles and the views' narrow layouts follow, and every text of a
   drawing scaled down so far that it would be drawn under 11 px is drawn at 11 px (its font size
   divided by the drawing's scale). Every view's `prepare(host)` installs it on its panel; it follows
   the panel's width and the texts a view adds or rewrites. Adds legible to U.viewKit. */
window.Unrolled = window.Unrolled || {};
(function (U) {
  'use strict';
  var SMALLEST = 11;     // px on screen, for every text of a drawing
  var declared = new WeakMap();   // a text's font size before this raised it, in the drawing's units

  function legible(panel) {
    if (typeof ResizeObserver !== 'function' || typeof MutationObserver !== 'function') return;
    var queued = false, raised = false;
    function queue() {
      if (queued) return;
      queued = true;
      Promise.resolve().then(function () { queued = false; fit(); });
    }
    function fit() {
      var narrow = U.viewKit.narrowPanel(panel);
      if (panel.classList.contains('uv-fit') !== narrow) panel.classList.toggle('uv-fit', narrow);
      // Wider, nothing to do once every raised text is back to its size: a desktop's step change
      // costs no style look-ups.
      if (!narrow && !raised) return;
      raised = false;
      var drawings = panel.querySelectorAll('svg.uv-svg');
      for (var d = 0; d < drawings.length; d++) raise(drawings[d], narrow);
    }
    // Each text's size on screen is its font size times the drawing's scale (rendered width over
    // the viewBox's); below SMALLEST the font size becomes SMALLEST over the scale.
    function raise(drawing, narrow) {
      var box = drawing.viewBox && drawing.viewBox.baseVal, width = drawing.getBoundingClientRect().width;
      if (!box || !box.width || !width) return;
      var needed = (SMALLEST + 0.05) * box.width / width;   // a hair over, against rounding
      var texts = drawing.querySelectorAll('text, tspan');
      for (var t = 0; t < texts.length; t++) {
        var text = texts[t], own = declared.get(text);
        if (own === undefined) {
          if (text.style.fontSize) continue;   // sized by its view
          own = parseFloat(getComputedStyle(text).fontSize);
          declared.set(text, own);
        }
        var size = narrow && own < needed ? needed.toFixed(2) + 'px' : '';
        if (text.style.fontSize !== size) text.style.fontSize = size;
        if (size) raised = true;
      }
    }
    new ResizeObserver(queue).observe(panel);
    new MutationObserver(queue).observe(panel, { childList: true, subtree: true });
    fit();
  }

  U.viewKit.legible = legible;
})(window.Unrolled);
