import Foundation

/// A site as `unrolled serve` serves it, from memory: the rendered files, and the files a build
/// would copy (the templates' assets, KaTeX, highlight.js, the files the pages link to) read from
/// where they are. Only those: any other path is not part of the site.
public struct PreviewSite: Sendable {
    /// The rendered files (pages, traces' pages, the index, the search index) by site path.
    let files: [String: Data]
    /// The rebuild that last changed each rendered file.
    let versions: [String: Int]
    /// Course-relative paths of the files and folders the pages link to.
    let linkedFiles: Set<String>
    let assets: URL
    let katex: URL
    let highlight: URL
    let folder: CourseFolder

    init(files: [String: Data], versions: [String: Int], linkedFiles: Set<String>, options: SiteOptions, folder: CourseFolder) {
        self.files = files
        self.versions = versions
        self.linkedFiles = linkedFiles
        assets = options.templates.appendingPathComponent("assets")
        katex = options.katex
        highlight = options.highlight
        self.folder = folder
    }

    /// A file of the site.
    public enum Resource: Sendable, Equatable {
        case data(Data)
        case file(URL)
    }

    /// A validator of the file at `path` that changes whenever its bytes do (an HTTP `ETag`): the
    /// rebuild that last changed a rendered file, the modification time and size of another.
    public func version(of resource: Resource, at path: String) -> String? {
        switch resource {
        case .data: return versions[path].map { "\"r\($0)\"" }
        case .file(let url):
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: url.path), let date = attributes[.modificationDate] as? Date,
                let size = attributes[.size] as? Int
            else { return nil }
            return "\"f\(Int64(date.timeIntervalSince1970 * 1_000_000))-\(size)\""
        }
    }

    /// The file at `path` (relative to the site, decoded, `/`-separated), or nil when the site has
    /// none there. A path with an empty, `.` or `..` segment is never part of the site.
    public func resource(at path: String) -> Resource? {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        guard !path.isEmpty, !segments.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." || $0.contains("\0") }) else { return nil }
        if let data = files[path] { return .data(data) }
        if path == Highlighting.sitePath { return regularFile(highlight.appendingPathComponent("highlight.min.js")) }
        if path.hasPrefix("assets/katex/") {
            let rest = String(path.dropFirst("assets/katex/".count))
            guard rest == "katex.min.js" || rest == "katex.min.css" || rest.hasPrefix("fonts/") else { return nil }
            return regularFile(katex.appendingPathComponent(rest))
        }
        if path.hasPrefix("assets/"), let found = regularFile(assets.appendingPathComponent(String(path.dropFirst("assets/".count)))) {
            return found
        }
        // A linked file, or a file of a linked folder, through the course's rules (inside the
        // course once links are followed, never in the output folder), as a build copies it.
        let linked = sequence(first: path) { $0.contains("/") ? ($0 as NSString).deletingLastPathComponent : nil }
        guard linked.contains(where: linkedFiles.contains), folder.checkFile(path) == nil else { return nil }
        return .file(folder.url(path))
    }

    /// The file at `url`, its links followed (Debian's KaTeX links its fonts), when it is a regular file.
    private func regularFile(_ url: URL) -> Resource? {
        let real = url.resolvingSymlinksInPath()
        let type = try? FileManager.default.attributesOfItem(atPath: real.path)[.type] as? FileAttributeType
        return type == .typeRegular ? .file(real) : nil
    }
}
