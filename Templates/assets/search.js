// Search over page titles, headings and text, from the index the build wrote
// (assets/search-index.js). A classic script: works from file:// and any static host.
(function () {
  "use strict";
  var input = document.getElementById("search");
  var list = document.getElementById("search-results");
  if (!input || !list) return;
  // The way from this page to the site's folder, "../" or, on the index, "./" (never empty:
  // the index of a course without notes/ lists "javascript:x.html" for javascript:x.md, which
  // would be a URL of its own, but "./javascript:x.html" is a file of the site).
  var root = input.getAttribute("data-root") || "./";

  function score(entry, terms) {
    var title = entry.title.toLowerCase();
    var text = entry.text.toLowerCase();
    var total = 0;
    var heading = null;
    for (var i = 0; i < terms.length; i++) {
      var term = terms[i];
      var found = false;
      if (title.indexOf(term) >= 0) { total += 10; found = true; }
      for (var j = 0; j < entry.headings.length; j++) {
        if (entry.headings[j].text.toLowerCase().indexOf(term) >= 0) {
          total += 5; found = true;
          if (!heading) heading = entry.headings[j];
          break;
        }
      }
      if (text.indexOf(term) >= 0) { total += 1; found = true; }
      if (!found) return null;
    }
    return { entry: entry, score: total, heading: heading };
  }

  function snippet(text, term) {
    var at = text.toLowerCase().indexOf(term);
    if (at < 0) return "";
    var start = Math.max(0, at - 40);
    return (start > 0 ? "…" : "") + text.slice(start, at + term.length + 60) + "…";
  }

  function show() {
    var terms = input.value.toLowerCase().split(/\s+/).filter(function (t) { return t.length > 0; });
    list.textContent = "";
    if (terms.length === 0 || !window.unrolledSearchIndex) { list.hidden = true; return; }
    var hits = window.unrolledSearchIndex.map(function (e) { return score(e, terms); })
      .filter(function (h) { return h !== null; })
      .sort(function (a, b) { return b.score - a.score; })
      .slice(0, 10);
    if (hits.length === 0) {
      var none = document.createElement("li");
      none.textContent = "No page matches.";
      list.appendChild(none);
    }
    hits.forEach(function (hit) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = root + hit.entry.href + (hit.heading ? "#" + hit.heading.id : "");
      link.textContent = hit.entry.title + (hit.heading ? " › " + hit.heading.text : "");
      item.appendChild(link);
      var words = snippet(hit.entry.text, terms[0]);
      if (words) {
        var context = document.createElement("p");
        context.textContent = words;
        item.appendChild(context);
      }
      list.appendChild(item);
    });
    list.hidden = false;
  }

  input.addEventListener("input", show);
  input.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { input.value = ""; show(); }
  });
})();
