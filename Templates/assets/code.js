// Colours a page's fenced code with highlight.js: Debian's libjs-highlight.js, which the build
// copies to assets/highlight/ (docs/site.md, "Markdown extensions"). The library is 850 KB, so it
// is loaded only on pages that have a block in a language (`class="language-python"`), as a
// classic script next to this one (works from file:// too). A block in a language it does not
// know, or longer than LIMIT characters (highlighting is regular-expression work in the reader's
// browser), stays plain; so does every block when the library is missing.
(function () {
  "use strict";
  var PLAIN = /^(text|txt|plain|plaintext|nohighlight|unrolled|math)$/i;
  var LIMIT = 100000;
  var self = document.currentScript;

  function codeBlocks(root) {
    var found = [];
    var codes = (root || document).querySelectorAll("pre > code[class*='language-']");
    for (var i = 0; i < codes.length; i++) {
      var match = /(?:^|\s)language-(\S+)/.exec(codes[i].className);
      if (match && !PLAIN.test(match[1]) && codes[i].textContent.length <= LIMIT) {
        found.push({ code: codes[i], language: match[1] });
      }
    }
    return found;
  }

  function colour(blocks) {
    if (typeof hljs === "undefined") return;
    // Debian ships 9.18, whose first call logs that version 9 is no longer developed upstream;
    // Debian maintains the package, and the reader has nothing to do about it.
    hljs.configure({ hideUpgradeWarningAcceptNoSupportOrSecurityUpdates: true });
    for (var i = 0; i < blocks.length; i++) {
      var block = blocks[i];
      if (!hljs.getLanguage(block.language)) continue;
      // highlight() escapes the text it is given and adds only its own <span class="hljs-…">.
      var result = hljs.highlight(block.language, block.code.textContent, true);
      block.code.innerHTML = result.value;
      block.code.classList.add("hljs");
    }
  }

  // A code block wider than the column scrolls sideways in its box: it takes the focus, so a
  // keyboard can scroll it too (WCAG 2.1.1).
  function focusWide(root) {
    var pres = (root || document).querySelectorAll("pre");
    for (var i = 0; i < pres.length; i++) {
      if (pres[i].scrollWidth > pres[i].clientWidth + 1 && !pres[i].hasAttribute("tabindex")) pres[i].setAttribute("tabindex", "0");
    }
  }

  function start(root) {
    focusWide(root);
    var blocks = codeBlocks(root);
    if (!blocks.length) return;
    if (typeof hljs !== "undefined" || !self) return colour(blocks);
    var script = document.createElement("script");
    script.src = self.src.replace(/code\.js(?:[?#].*)?$/, "highlight/highlight.min.js");
    script.onload = function () { colour(blocks); };
    document.head.appendChild(script);
  }

  // Also for content put in the page later (`unrolled serve` refreshes a page's text in place).
  window.Unrolled = window.Unrolled || {};
  window.Unrolled.renderCode = start;

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { start(); });
  } else {
    start();
  }
})();
