import Foundation

/// What the preview adds to the pages it serves, and only to them (a built site never holds it):
/// one script tag, naming the build the page comes from, before `</body>`. The script listens to
/// the reload channel (server-sent events): a `reload` event reloads the page where the reader
/// was (scroll position kept), a `failure` event shows the build's errors over the page, each at
/// its file:line. Fixing the error reloads the page, which drops the overlay.
///
/// When only notes' text changed (the event names the pages rendered again), a page not among
/// them stays as it is, and one among them fetches itself and swaps in its new `<main>`, the
/// viewers, math and code in it drawn again, instead of reloading: a reload asks the server again
/// for each of the forty files a page loads, which is most of the time from saving to seeing.
/// Anything else of the page that differs (its title, the sidebar, the scripts) reloads it.
enum ReloadScript {
    static let path = RequestPath.ownPrefix + "reload.js"

    /// `html` with the script tag added before its last `</body>` (at its end when it has none).
    static func inject(into html: Data, generation: Int) -> Data {
        let tag = Data("<script src=\"\(path)\" data-generation=\"\(generation)\"></script>\n".utf8)
        guard let end = html.range(of: Data("</body>".utf8), options: .backwards) else { return html + tag }
        var page = html
        page.insert(contentsOf: tag, at: end.lowerBound)
        return page
    }

    /// The script. It asks the channel for the builds after its page's (`since`): a build that
    /// ended between the page's request and the channel's opening still reloads it.
    static let source = #"""
        (function () {
          "use strict";
          var script = document.currentScript;
          var generation = script ? script.getAttribute("data-generation") : "0";
          var key = "unrolled-serve-scroll:" + location.pathname;
          var saved = sessionStorage.getItem(key);
          if (saved !== null) {
            sessionStorage.removeItem(key);
            var place = JSON.parse(saved);
            var restore = function () { window.scrollTo(place.x, place.y); };
            restore();
            // Math and viewers lay the page out after it loads: put the reader back once more then.
            window.addEventListener("load", restore);
          }
          var events = new EventSource("/__unrolled/events?since=" + encodeURIComponent(generation));
          // The page as served, apart from its <main> and this script: what a text-only change must leave alone.
          var frame = outside(document);
          function reload() {
            sessionStorage.setItem(key, JSON.stringify({ x: window.scrollX, y: window.scrollY }));
            events.close();
            location.reload();
          }
          events.addEventListener("reload", function (event) {
            var pages = null;
            try { pages = JSON.parse(event.data).pages || null; } catch (err) { pages = null; }
            // After a failure the overlay goes with a reload, whichever page was fixed.
            if (!pages || document.getElementById("unrolled-serve-errors")) return reload();
            var here = decodeURIComponent(location.pathname).replace(/^\//, "").replace(/(^|\/)$/, "$1index.html");
            if (pages.indexOf(here) < 0) return;
            refresh().catch(function (err) {
              if (window.console) console.info("unrolled serve: the page reloads (" + (err && err.message) + ")");
              reload();
            });
          });

          // What the old <main> has drawn and the new one holds unchanged moves across: each
          // viewer of the same trace (its data is the same, or the page would have reloaded), at
          // the reader's step, and each equation's KaTeX drawing (math.js marks it data-tex).
          function keep(old, main) {
            var viewers = {};
            old.querySelectorAll("unrolled-trace[id]").forEach(function (v) { viewers[v.id] = v; });
            main.querySelectorAll("unrolled-trace[id]").forEach(function (v) {
              var was = viewers[v.id];
              if (was && was.getAttribute("data-src") === v.getAttribute("data-src")) v.replaceWith(was);
            });
            var drawn = {};
            old.querySelectorAll(".math[data-tex]").forEach(function (m) { drawn[m.className + "\u0000" + m.getAttribute("data-tex")] = m; });
            main.querySelectorAll(".math:not([data-tex])").forEach(function (m) {
              var was = drawn[m.className + "\u0000" + m.textContent];
              if (!was) return;
              m.setAttribute("data-tex", m.textContent);
              m.innerHTML = was.innerHTML;
            });
          }

          function outside(doc) {
            var head = doc.head ? doc.head.innerHTML : "";
            var body = doc.body ? doc.body.cloneNode(true) : null;
            if (!body) return head.replace(/\s+/g, " ").trim();
            var main = body.querySelector("main");
            if (main) main.textContent = "";
            body.querySelectorAll("script[data-generation], #unrolled-serve-errors").forEach(function (el) { el.remove(); });
            // Whitespace aside: the page was captured while it was still being read, before the
            // line break after this script.
            return (head + body.innerHTML).replace(/\s+/g, " ").trim();
          }

          function refresh() {
            return fetch(location.href, { cache: "no-store" }).then(function (response) {
              if (!response.ok) throw new Error("HTTP " + response.status);
              return response.text();
            }).then(function (html) {
              var doc = new DOMParser().parseFromString(html, "text/html");
              var main = doc.querySelector("main"), old = document.querySelector("main");
              var needsLibrary = main && main.querySelector("pre > code[class*='language-']") && typeof hljs === "undefined";
              if (!main || !old) throw new Error("no <main> to refresh");
              if (needsLibrary) throw new Error("code to colour and no highlight.js loaded yet");
              if (outside(doc) !== frame) throw new Error("more than the text of <main> changed");
              var x = window.scrollX, y = window.scrollY;
              keep(old, main);
              var fresh = document.adoptNode(main);
              old.replaceWith(fresh);
              var U = window.Unrolled || {};
              if (U.renderMath) U.renderMath(fresh);
              if (U.renderCode) U.renderCode(fresh);
              if (U.startExercises) U.startExercises(fresh);
              window.scrollTo(x, y);
              var errors = document.getElementById("unrolled-serve-errors");
              if (errors) errors.remove();
              document.dispatchEvent(new CustomEvent("unrolled-serve-refreshed"));
            });
          }
          events.addEventListener("failure", function (event) { show(JSON.parse(event.data)); });

          function show(failure) {
            var old = document.getElementById("unrolled-serve-errors");
            if (old) old.remove();
            var box = document.createElement("div");
            box.id = "unrolled-serve-errors";
            box.setAttribute("role", "alert");
            box.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;background:rgba(20,20,24,.94);" +
              "color:#f3f3f3;font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,monospace;padding:2rem;";
            var title = document.createElement("h2");
            title.style.cssText = "margin:0 0 1rem;font:600 1.2rem system-ui,sans-serif;color:#ff8a80;";
            title.textContent = failure.title;
            box.appendChild(title);
            var list = document.createElement("ul");
            list.style.cssText = "list-style:none;margin:0;padding:0;";
            failure.diagnostics.forEach(function (diagnostic) {
              var item = document.createElement("li");
              item.className = "unrolled-serve-diagnostic " + diagnostic.severity;
              item.style.cssText = "margin:0 0 .75rem;white-space:pre-wrap;";
              var place = document.createElement("strong");
              place.className = "place";
              place.style.color = diagnostic.severity === "error" ? "#ff8a80" : "#ffd180";
              place.textContent = diagnostic.place ? diagnostic.place + ": " : "";
              item.appendChild(place);
              item.appendChild(document.createTextNode(diagnostic.severity + ": " + diagnostic.message));
              list.appendChild(item);
            });
            box.appendChild(list);
            var note = document.createElement("p");
            note.style.cssText = "margin:1rem 0 0;color:#bbb;font-family:system-ui,sans-serif;";
            note.textContent = "The page below is the last good build. Save a fix and it reloads.";
            box.appendChild(note);
            document.body.appendChild(box);
          }
        })();
        """#
}
