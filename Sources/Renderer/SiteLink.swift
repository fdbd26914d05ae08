/// Every link the build makes to one of the site's own files (sidebar, index, pager, search
/// results, a page's links to other pages, trace pages) goes through `siteLink`: a file name is
/// the author's text, and `javascript:alert(1).md`, `x#y.md` or `Week 1: Intro.md` written into an
/// `href` as they are would be read as a script URL, a fragment or a scheme.
///
/// The result is relative and percent-encoded segment by segment (UTF-8), keeping only the
/// characters that mean nothing special in a path: letters, digits and `-._~!$()*+,;=@`. A `:` is
/// always encoded, so the link can never start with a scheme; `#`, `?`, `%`, spaces and every
/// non-ASCII byte are encoded too. Browsers decode the path back to the file's name, on a server
/// and over `file://` alike.
///
/// - Parameters:
///   - from: the site path of the page the link is on (`notes/a.html`).
///   - to: the site path of the target (`notes/Week 1: Intro.html`).
///   - fragment: an id on the target, without `#` (encoded as well), or nil.
func siteLink(from: String, to: String, fragment: String? = nil) -> String {
    var link = percentEncodedPath(relativePath(from: from, to: to))
    if let fragment { link += "#" + percentEncoded(fragment) }
    return link
}

/// A site path written as a link from the site's root (`index.html`, the search index).
func siteLink(fromRoot to: String, fragment: String? = nil) -> String {
    siteLink(from: "index.html", to: to, fragment: fragment)
}

/// `a b/c:d` → `a%20b/c%3Ad`: every segment encoded, the `/` between them kept.
func percentEncodedPath(_ path: String) -> String {
    path.split(separator: "/", omittingEmptySubsequences: false).map { percentEncoded(String($0)) }.joined(separator: "/")
}

/// One path segment (or a fragment) with every byte outside the safe set as `%XX`. In bytes:
/// every heading id of a big course goes through here (for the search index).
func percentEncoded(_ segment: String) -> String {
    var encoded: [UInt8] = []
    encoded.reserveCapacity(segment.utf8.count)
    for byte in segment.utf8 {
        if isSafeInLink(byte) {
            encoded.append(byte)
        } else {
            encoded += [UInt8(ascii: "%"), hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0xF)]]
        }
    }
    return String(decoding: encoded, as: UTF8.self)
}

private let hexDigits = Array("0123456789ABCDEF".utf8)

private func isSafeInLink(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
        UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "!"), UInt8(ascii: "$"), UInt8(ascii: "("),
        UInt8(ascii: ")"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "="), UInt8(ascii: "@"):
        return true
    default:
        return false
    }
}
