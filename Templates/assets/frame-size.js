/* Inside an <iframe>, tells the page around it how tall this page's content is, so the iframe can
   fit it with no scroll bar of its own: posts {unrolled: "frame-size", height} to the parent
   whenever the height changes (a view opened, the window resized). The host page listens with the
   snippet in docs/site.md, "Embedding a trace elsewhere". Outside an iframe it does nothing. Loaded
   by a trace's own page and inlined by `unrolled embed`. */
(function () {
  'use strict';
  if (window.parent === window) return;
  var last = -1;
  function post() {
    // The document's own height, not the viewport's: html has no height set, so its box is its content.
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height === last) return;
    last = height;
    window.parent.postMessage({ unrolled: 'frame-size', height: height }, '*');
  }
  if (window.ResizeObserver) new ResizeObserver(post).observe(document.documentElement);
  window.addEventListener('load', post);
  post();
})();
