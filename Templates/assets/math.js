// Renders every .math element with KaTeX (a classic script: works from file:// too).
// `span.math.inline` is inline math, `div.math.display` display math; the element holds the TeX.
// A TeX error shows the source, marked in the error colour, never a blank.
(function () {
  "use strict";
  function render() {
    if (typeof katex === "undefined") return;
    var elements = document.querySelectorAll(".math");
    for (var i = 0; i < elements.length; i++) {
      var element = elements[i];
      var tex = element.textContent;
      try {
        katex.render(tex, element, {
          displayMode: element.classList.contains("display"),
          throwOnError: false,
          errorColor: "#cc0000",
          output: "htmlAndMathml"
        });
      } catch (error) {
        element.textContent = tex;
        element.classList.add("math-error");
        element.title = String(error);
      }
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", render);
  } else {
    render();
  }
})();
