// Renders every .math element with KaTeX (a classic script: works from file:// too).
// `span.math.inline` is inline math, `div.math.display` display math; the element holds the TeX.
// A TeX error shows the source, marked in the error colour, never a blank.
// KaTeX's options are the viewer's (Unrolled.viewerKit.katexOptions: limits for TeX that
// anyone may have written); viewer-kit.js comes after this script in partials/head.mustache,
// and both are deferred, so it has run by DOMContentLoaded. Without it the TeX stays as text.
(function () {
  "use strict";
  function render(root) {
    var kit = window.Unrolled && window.Unrolled.viewerKit;
    if (typeof katex === "undefined" || !kit) return;
    // data-tex: drawn already (it keeps the source, so a page refreshed in place reuses the drawing).
    var elements = (root && root.querySelectorAll ? root : document).querySelectorAll(".math:not([data-tex])");
    for (var i = 0; i < elements.length; i++) {
      var element = elements[i];
      var tex = element.textContent;
      element.setAttribute("data-tex", tex);
      if (!element.classList.contains("display")) keepPunctuation(element);
      try {
        katex.render(tex, element, kit.katexOptions(element.classList.contains("display"), "htmlAndMathml"));
      } catch (error) {
        element.textContent = tex;
        element.classList.add("math-error");
        element.title = String(error);
      }
    }
  }
  // Punctuation right after inline math (`$x$.`, `$y$),`) goes into one unbreakable span with the
  // math, so that a line never starts with the comma or full stop the math ends.
  var PUNCTUATION = /^[.,;:!?)\]}\u2019\u201D\u2026]+/;
  function keepPunctuation(element) {
    var next = element.nextSibling;
    if (!next || next.nodeType !== 3) return;
    var match = PUNCTUATION.exec(next.data);
    if (!match) return;
    var span = document.createElement("span");
    span.className = "math-nowrap";
    element.parentNode.insertBefore(span, element);
    span.appendChild(element);
    next.data = next.data.slice(match[0].length);
    span.appendChild(document.createTextNode(match[0]));
  }

  // Also for content put in the page later (`unrolled serve` refreshes a page's text in place).
  window.Unrolled = window.Unrolled || {};
  window.Unrolled.renderMath = render;
  if (window.Unrolled.viewerKit) {
    render();
  } else {
    document.addEventListener("DOMContentLoaded", function () { render(); });
  }
})();
