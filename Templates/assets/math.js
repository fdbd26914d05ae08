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
        nameLink(element);
      } catch (error) {
        element.textContent = tex;
        element.classList.add("math-error");
        element.title = String(error);
      }
    }
    // Display math wider than the column scrolls in its box: focusable, so a keyboard can scroll it.
    var displays = (root && root.querySelectorAll ? root : document).querySelectorAll(".math.display[data-tex]");
    for (var j = 0; j < displays.length; j++) {
      var box = displays[j];
      if (box.scrollWidth > box.clientWidth + 1 && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "group");
        box.setAttribute("aria-label", "Equation (scrolls sideways)");
      }
    }
  }

  // A link whose only text is math (`[$\partial Q/\partial z_1$](#trace:dQ/dz_1)`) is named by
  // the math as MathML reads it (∂Q/∂z1): not every reader of the page computes a name from MathML.
  function nameLink(element) {
    var link = element.closest && element.closest("a");
    if (!link || link.hasAttribute("aria-label")) return;
    var other = link.textContent.replace(element.textContent, "").trim();
    var spoken = element.querySelector(".katex-mathml semantics > :first-child");
    if (!other && spoken) link.setAttribute("aria-label", spoken.textContent);
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
