import Foundation

/// What the preview adds to the pages it serves, and only to them (a built site never holds it):
/// one script tag, naming the build the page comes from, before `</body>`. The script listens to
/// the reload channel (server-sent events): a `reload` event reloads the page where the reader
/// was (scroll position kept), a `failure` event shows the build's errors over the page, each at
/// its file:line. Fixing the error reloads the page, which drops the overlay.
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
          events.addEventListener("reload", function () {
            sessionStorage.setItem(key, JSON.stringify({ x: window.scrollX, y: window.scrollY }));
            events.close();
            location.reload();
          });
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
