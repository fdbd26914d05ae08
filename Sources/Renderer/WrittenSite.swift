import Foundation

/// The fifth stage: the rendered site written into the staging folder, with the files its pages
/// link to, the assets and KaTeX; what is left is to publish it (`StagingFolder.publish`).
struct WrittenSite: Sendable {
    /// Linked files copied.
    var files = 0

    /// Writes a rendered file into the staging folder; the error when it cannot.
    static func write(_ file: RenderedFile, into staging: StagingFolder) -> Diagnostic? {
        do {
            try writeText(file.text, to: staging.url.appendingPathComponent(file.path), previous: staging.output.appendingPathComponent(file.path))
            return nil
        } catch {
            return .error("", "cannot write \(file.path): \(error.localizedDescription)")
        }
    }

    /// Copies the images and linked files (a linked folder with everything in it) into the site,
    /// through `CourseFolder`'s rules: the real files, never links; nothing from outside the course
    /// or from the output folder; a folder reached twice copied once. Each file is claimed first.
    static func copyLinkedFiles(_ site: RenderedSite, from folder: CourseFolder, into staging: StagingFolder) -> Staged<WrittenSite> {
        var claims = site.claims
        var diagnostics: [Diagnostic] = []
        var visited: Set<String> = []
        var queue = site.linkedFiles.sorted()
        var next = 0
        var copied = 0
        while next < queue.count {
            let file = queue[next]
            next += 1
            if let problem = folder.check(file) {
                diagnostics.append(.error(file, problem.message))
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
                diagnostics.append(.error(file, "is not a regular file or folder; a page can link only to files and folders"))
                continue
            }
            if let clash = claims.claim(file, for: "the linked file \(file)") {
                diagnostics.append(clash)
                continue
            }
            let to = staging.url.appendingPathComponent(file)
            do {
                try FileManager.default.createDirectory(at: to.deletingLastPathComponent(), withIntermediateDirectories: true)
                try FileManager.default.copyItem(atPath: real, toPath: to.path)
                copied += 1
            } catch {
                diagnostics.append(.error(file, "cannot copy: \(error.localizedDescription)"))
            }
        }
        return Staged(WrittenSite(files: copied), diagnostics)
    }

    /// The templates' `assets/`, KaTeX (a warning when it is missing: math then shows as TeX) and
    /// the marker. Throws when a file cannot be copied.
    static func copyAssets(_ options: SiteOptions, into staging: StagingFolder) throws(Diagnostic) -> [Diagnostic] {
        let manager = FileManager.default
        let assets = staging.url.appendingPathComponent("assets")
        var warnings: [Diagnostic] = []
        do {
            let source = options.templates.appendingPathComponent("assets")
            if manager.fileExists(atPath: source.path) {
                // Into a folder that may hold a page's linked files already (claims keep them apart).
                try copyFollowingLinks(source, to: assets, previous: staging.output.appendingPathComponent("assets"))
            } else {
                try manager.createDirectory(at: assets, withIntermediateDirectories: true)
            }
            let katex = assets.appendingPathComponent("katex")
            if manager.fileExists(atPath: options.katex.appendingPathComponent("katex.min.js").path) {
                try KaTeXStyles.copy(from: options.katex, to: katex, previous: staging.output.appendingPathComponent("assets/katex"))
            } else {
                warnings.append(.warning("", "KaTeX not found at \(options.katex.path) (Debian package libjs-katex; `bash scripts/setup` installs it): math shows as TeX source"))
            }
            try Data("built by unrolled build\n".utf8).write(to: staging.url.appendingPathComponent(StagingFolder.marker))
        } catch {
            throw .error("", "cannot copy the assets: \(error.localizedDescription)")
        }
        return warnings
    }
}

/// Copies a file or folder, following symbolic links (Debian's KaTeX links to its fonts elsewhere),
/// so the site holds real files that work on any host. `previous`: the same place in the site
/// being replaced; a file it holds with the same bytes is linked instead (see `writeText`).
func copyFollowingLinks(_ from: URL, to: URL, previous: URL? = nil) throws {
    let manager = FileManager.default
    let source = from.resolvingSymlinksInPath()
    var isFolder: ObjCBool = false
    guard manager.fileExists(atPath: source.path, isDirectory: &isFolder) else { return }
    if isFolder.boolValue {
        try manager.createDirectory(at: to, withIntermediateDirectories: true)
        for name in try manager.contentsOfDirectory(atPath: source.path) {
            try copyFollowingLinks(
                source.appendingPathComponent(name), to: to.appendingPathComponent(name), previous: previous?.appendingPathComponent(name))
        }
    } else {
        if let previous, let bytes = try? Data(contentsOf: source),
           bytes.withUnsafeBytes({ sameBytes(previous.path, $0.bindMemory(to: UInt8.self)) }), link(previous.path, to.path) == 0 {
            return
        }
        try manager.copyItem(at: source, to: to)
    }
}
