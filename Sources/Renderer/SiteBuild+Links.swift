import Foundation

/// Links, images and other files the pages refer to.
extension SiteBuild {
    /// The new destination of a link or image on `page` (`lstm.md#gates` → `lstm.html#gates`), or nil
    /// to keep it; notes a local image or file to copy, and warns about one that is missing.
    func resolve(_ reference: LinkReference, on page: Page, pages: [String: Page]) -> String? {
        let destination = reference.destination
        if destination.count > 1, destination.hasPrefix("#") {
            checkFragment(String(destination.dropFirst()), of: page, link: reference, from: page)
            return nil
        }
        if destination.isEmpty || destination.hasPrefix("#") || destination.hasPrefix("/") || destination.hasPrefix("//")
            || hasURLScheme(destination)
        {
            return nil
        }
        let (pathPart, fragment) = splitFragment(destination)
        let path = pathPart.removingPercentEncoding ?? pathPart
        let target: String
        switch folder.locate(path, from: page.sourceFolder) {
        case .success(let found):
            target = found
        case .failure(.missing(let missing)) where !path.hasSuffix(".md"):
            let what = reference.kind == .image ? "image" : "linked file"
            report(.warning(page.source, line: reference.line, "\(what) '\(destination.excerpt)' not found (looked for \(missing.excerpt)); the page shows \(reference.kind == .image ? "its alt text" : "a dead link")"))
            return nil
        case .failure(.missing(let missing)):
            target = missing
        case .failure(let problem):
            report(.error(page.source, line: reference.line, "'\(destination.excerpt)': \(problem.message)"))
            return nil
        }
        if path.hasSuffix(".md") {
            guard let other = pages[target] else {
                report(.warning(page.source, line: reference.line, "broken link '\(destination.excerpt)': no page \(target.excerpt) in the course"))
                return nil
            }
            if fragment.count > 1 { checkFragment(String(fragment.dropFirst()), of: other, link: reference, from: page) }
            return siteLink(from: page.output, to: other.output) + fragment
        }
        files.insert(target)
        return nil
    }

    /// Warns when `#fragment` names no heading of `target` (nor an `id` written in its raw HTML).
    private func checkFragment(_ fragment: String, of target: Page, link: LinkReference, from page: Page) {
        let id = fragment.removingPercentEncoding ?? fragment
        if target.document?.headings.contains(where: { $0.id == id }) == true { return }
        if ["id=\"\(id)\"", "id='\(id)'", "name=\"\(id)\""].contains(where: { target.body.utf8Offset(of: $0) != nil }) { return }
        let ids = (target.document?.headings ?? []).map(\.id)
        let hint = ids.isEmpty ? "it has no headings" : "its headings are #" + ids.prefix(8).joined(separator: ", #") + (ids.count > 8 ? ", …" : "")
        report(.warning(page.source, line: link.line, "broken link '\(link.destination.excerpt)': \(target === page ? "this page" : target.source) has no heading #\(id.excerpt) (\(hint))"))
    }

    /// Images written as raw HTML (`<img src="images/cell.png" width=300>`, common in real notes)
    /// are copied and checked like Markdown images; the line is where the source first names them.
    func checkRawImages(on page: Page, pages: [String: Page]) {
        checkRawImages(on: page, pages: pages, sources: rawImageSources(in: page.html))
    }

    /// `sources`: `rawImageSources(in: page.html)`, already found (on another core).
    func checkRawImages(on page: Page, pages: [String: Page], sources: [String]) {
        let markdownImages = Set((page.document?.links ?? []).filter { $0.kind == .image }.map(\.destination))
        var seen: Set<String> = []
        for written in sources {
            let source = written.replacingOccurrences(of: "&amp;", with: "&")
            guard !markdownImages.contains(source), seen.insert(source).inserted else { continue }
            let line = page.body.utf8Offset(of: source).map { page.body.line(atUTF8Offset: $0) }
            _ = resolve(LinkReference(kind: .image, destination: source, title: "", text: "", line: line ?? 1), on: page, pages: pages)
        }
    }

    /// Copies the images and linked files (a linked folder with everything in it) into the site,
    /// through `CourseFolder`'s rules: the real files, never links; nothing from outside the course
    /// or from the output folder; a folder reached twice copied once.
    func copyImages() {
        var visited: Set<String> = []
        var queue = files.sorted()
        var next = 0
        var copied = 0
        while next < queue.count {
            let file = queue[next]
            next += 1
            if let problem = folder.check(file) {
                report(.error(file, problem.message))
                continue
            }
            guard let real = realPath(folder.url(file).path), visited.insert(real).inserted else { continue }
            if folder.isFolder(file) {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: real)) ?? []
                queue += names.sorted().map { file + "/" + $0 }
                continue
            }
            // A FIFO or a device would block the copy or never end it.
            guard (try? FileManager.default.attributesOfItem(atPath: real)[.type] as? FileAttributeType) == .typeRegular else {
                report(.error(file, "is not a regular file or folder; a page can link only to files and folders"))
                continue
            }
            guard claim(file, for: "the linked file \(file)") else { continue }
            let to = temporary.appendingPathComponent(file)
            do {
                try FileManager.default.createDirectory(at: to.deletingLastPathComponent(), withIntermediateDirectories: true)
                try FileManager.default.copyItem(atPath: real, toPath: to.path)
                copied += 1
            } catch {
                report(.error(file, "cannot copy: \(error.localizedDescription)"))
            }
        }
        summary.files = copied
    }
}

/// Whether `destination` starts with a URL scheme (`https:`, `mailto:`): `^[A-Za-z][A-Za-z0-9+.-]*:`,
/// checked byte by byte (a regular expression per link was a cost on big courses).
func hasURLScheme(_ destination: String) -> Bool {
    var bytes = destination.utf8.makeIterator()
    guard let first = bytes.next(), (first | 0x20) >= UInt8(ascii: "a"), (first | 0x20) <= UInt8(ascii: "z") else { return false }
    while let byte = bytes.next() {
        switch byte {
        case UInt8(ascii: ":"): return true
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "+"), UInt8(ascii: "."), UInt8(ascii: "-"):
            continue
        default: return false
        }
    }
    return false
}

func splitFragment(_ destination: String) -> (String, String) {
    guard let hash = destination.firstIndex(of: "#") else { return (destination, "") }
    return (String(destination[..<hash]), String(destination[hash...]))
}

/// The relative URL from one site file to another (`notes/a.html` → `notes/b.html` is `b.html`).
func relativePath(from: String, to: String) -> String {
    var fromParts = from.split(separator: "/").dropLast().map(String.init)
    var toParts = to.split(separator: "/").map(String.init)
    while let first = fromParts.first, let other = toParts.first, first == other, toParts.count > 1 {
        fromParts.removeFirst()
        toParts.removeFirst()
    }
    return String(repeating: "../", count: fromParts.count) + toParts.joined(separator: "/")
}
