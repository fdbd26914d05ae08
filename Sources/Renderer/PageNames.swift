/// What a page's file name can do wrong that this machine's file system does not show: a name
/// whose `.html` is too long to write, two names that are one name elsewhere.
///
/// - A file name holds at most 255 bytes (ext4, APFS, NTFS): `x.md` of 253 or 254 bytes has no
///   `x.html`. An error, before any page is rendered, instead of a failed write.
/// - `café.md` written composed (NFC, as Linux editors do) and decomposed (NFD, as macOS's older
///   file systems did) are two files on Linux but one name for macOS, for Swift's strings and for
///   a reader: an error naming both and what differs.
/// - `Intro.md` and `intro.md` are two files on Linux but one on macOS and Windows, where the site
///   is often unzipped or served from: a warning (one of the two pages would replace the other).
///
/// - Returns: the pages that can be written (a page with an error is left out), in their order.
func checkPageNames(_ pages: [PageSource]) -> (pages: [PageSource], diagnostics: [Diagnostic]) {
    var diagnostics: [Diagnostic] = []
    var byName: [String: PageSource] = [:]
    var byFoldedName: [String: PageSource] = [:]
    let kept = pages.filter { page in
        let name = page.output.split(separator: "/").last.map(String.init) ?? page.output
        if name.utf8.count > maximumFileNameBytes {
            diagnostics.append(.error(page.source, "its page would be named \(name.excerpt), \(name.utf8.count) bytes, over the \(maximumFileNameBytes) bytes a file name may have; shorten the file name"))
            return false
        }
        // Swift compares strings by canonical equivalence: equal but for their bytes is NFC against NFD.
        if let other = byName[page.output] {
            diagnostics.append(.error(page.source, "its name and \(other.source)'s differ only in how accented letters are encoded (one precomposed, NFC, the other decomposed, NFD): they look alike and are one name on macOS; rename one (as NFC: `convmv -f utf8 -t utf8 --nfc`)"))
            return false
        }
        byName[page.output] = page
        let folded = page.output.lowercased()
        if let other = byFoldedName[folded] {
            diagnostics.append(.warning(page.source, "its name and \(other.source)'s differ only in case: on macOS and Windows (a site unzipped or served there) one page replaces the other; rename one"))
        } else {
            byFoldedName[folded] = page
        }
        return true
    }
    return (kept, diagnostics)
}

/// The longest file name (one path segment) common file systems hold, in bytes.
let maximumFileNameBytes = 255
