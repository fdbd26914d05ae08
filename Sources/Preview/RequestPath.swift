/// A request's path as the preview server reads it: the server's own paths, or a site path,
/// decoded once, that can only name a file inside the site. A path that climbs (`..`, also
/// percent-encoded as `%2e%2e` or with `%2f` for `/`), holds a backslash or a NUL byte, or does not
/// decode is refused before anything is looked up.
public enum RequestPath: Equatable, Sendable {
    /// The reload script (`/__unrolled/reload.js`).
    case reloadScript
    /// The reload channel (`/__unrolled/events`), server-sent events.
    case events
    /// A file of the site: relative to its root, decoded; `index.html` for a folder.
    case site(String)
    /// Not a path of the site; why.
    case refused(String)

    /// The prefix of the server's own paths, which no site file can have: a site never holds a
    /// `__unrolled` folder at its root (pages are `.html`, linked files keep their names, but the
    /// course would need that folder, which `unrolled build` would then publish as it is).
    public static let ownPrefix = "/__unrolled/"

    /// `raw`: the request's path as sent (without the query), percent-encoded.
    public init(_ raw: String) {
        if raw == Self.ownPrefix + "reload.js" {
            self = .reloadScript
            return
        }
        if raw == Self.ownPrefix + "events" {
            self = .events
            return
        }
        guard raw.hasPrefix("/") else {
            self = .refused("the path does not start with /")
            return
        }
        guard let decoded = raw.removingPercentEncoding else {
            self = .refused("the path is not valid percent-encoded UTF-8")
            return
        }
        let segments = decoded.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
        if let bad = segments.first(where: { $0 == ".." || $0 == "." || $0.contains("\\") || $0.contains("\0") }) {
            self = .refused("the path segment '\(bad)' would leave the site")
            return
        }
        var path = segments.joined(separator: "/")
        if path.isEmpty || path.hasSuffix("/") { path += "index.html" }
        self = .site(path)
    }
}

/// The `Content-Type` of a site file, by its extension: what a static host sends for the files a
/// site holds (pages, styles, scripts, images, fonts, traces).
public func contentType(of path: String) -> String {
    let name = path.split(separator: "/").last.map(String.init) ?? path
    let suffix = name.contains(".") ? String(name.split(separator: ".").last!).lowercased() : ""
    switch suffix {
    case "html", "htm": return "text/html; charset=utf-8"
    case "css": return "text/css; charset=utf-8"
    case "js", "mjs": return "text/javascript; charset=utf-8"
    case "json": return "application/json"
    case "svg": return "image/svg+xml"
    case "png": return "image/png"
    case "jpg", "jpeg": return "image/jpeg"
    case "gif": return "image/gif"
    case "webp": return "image/webp"
    case "ico": return "image/x-icon"
    case "woff2": return "font/woff2"
    case "woff": return "font/woff"
    case "ttf": return "font/ttf"
    case "txt", "md", "csv": return "text/plain; charset=utf-8"
    case "pdf": return "application/pdf"
    default: return "application/octet-stream"
    }
}
