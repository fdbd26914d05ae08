import Foundation
import Testing
@testable import Preview

/// The preview server's paths: a site path can only name a file inside the site.
@Suite("Request paths")
struct RequestPathTests {
    @Test("a folder is its index.html; a file is itself, decoded once")
    func sitePaths() {
        #expect(RequestPath("/") == .site("index.html"))
        #expect(RequestPath("/notes/01-a.html") == .site("notes/01-a.html"))
        #expect(RequestPath("/notes/") == .site("notes/index.html"))
        #expect(RequestPath("/notes/a%20b.html") == .site("notes/a b.html"))
        // Decoded once: `%252e%252e` is the literal name `%2e%2e`, which no site holds, never `..`.
        #expect(RequestPath("/%252e%252e/secret") == .site("%2e%2e/secret"))
        #expect(RequestPath("/__unrolled/events") == .events)
        #expect(RequestPath("/__unrolled/reload.js") == .reloadScript)
    }

    @Test("a path that climbs, plain or percent-encoded, is refused", arguments: [
        "/../secret.txt", "/notes/../../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E/secret.txt", "/notes/..%2f..%2fsecret.txt",
        "/notes/%2e%2e%2f%2e%2e%2fsecret.txt", "/./index.html", "/notes/..", "/..\\secret.txt", "/a%00b.html", "/%ff.html", "notes/a.html",
    ])
    func climbing(path: String) {
        guard case .refused = RequestPath(path) else {
            Issue.record("\(path) is not refused: \(RequestPath(path))")
            return
        }
    }

    @Test("content types are those a static host sends")
    func contentTypes() {
        #expect(contentType(of: "index.html") == "text/html; charset=utf-8")
        #expect(contentType(of: "assets/site.css") == "text/css; charset=utf-8")
        #expect(contentType(of: "assets/viewer/viewer.js") == "text/javascript; charset=utf-8")
        #expect(contentType(of: "notes/img/a.svg") == "image/svg+xml")
        #expect(contentType(of: "notes/img/a.PNG") == "image/png")
        #expect(contentType(of: "assets/katex/fonts/KaTeX_Main-Regular.woff2") == "font/woff2")
        #expect(contentType(of: "traces/x.json") == "application/json")
        #expect(contentType(of: "notes/data/blob") == "application/octet-stream")
    }

    @Test("the reload script goes before the page's last </body>, or at its end")
    func injection() {
        let page = Data("<html><body><p>x</p></body></html>".utf8)
        #expect(String(decoding: ReloadScript.inject(into: page, generation: 3), as: UTF8.self)
            == "<html><body><p>x</p><script src=\"/__unrolled/reload.js\" data-generation=\"3\"></script>\n</body></html>")
        #expect(String(decoding: ReloadScript.inject(into: Data("<p>x".utf8), generation: 1), as: UTF8.self)
            == "<p>x<script src=\"/__unrolled/reload.js\" data-generation=\"1\"></script>\n")
    }
}
