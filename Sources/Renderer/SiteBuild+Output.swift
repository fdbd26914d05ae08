import Foundation

/// The finished site: assets, KaTeX, the marker, and the swap that puts it in place.
extension SiteBuild {
    func copyAssets() throws(BuildFailure) {
        let manager = FileManager.default
        let assets = temporary.appendingPathComponent("assets")
        do {
            let source = options.templates.appendingPathComponent("assets")
            if manager.fileExists(atPath: source.path) {
                try manager.copyItem(at: source, to: assets)
            } else {
                try manager.createDirectory(at: assets, withIntermediateDirectories: true)
            }
            let katex = assets.appendingPathComponent("katex")
            if manager.fileExists(atPath: options.katex.appendingPathComponent("katex.min.js").path) {
                try manager.createDirectory(at: katex, withIntermediateDirectories: true)
                for name in ["katex.min.js", "katex.min.css", "fonts"] where manager.fileExists(atPath: options.katex.appendingPathComponent(name).path) {
                    try copyFollowingLinks(options.katex.appendingPathComponent(name), to: katex.appendingPathComponent(name))
                }
            } else {
                report(.warning("", "KaTeX not found at \(options.katex.path) (Debian package libjs-katex; `bash scripts/setup` installs it): math shows as TeX source"))
                try stopOnErrors()
            }
            try Data("built by unrolled build\n".utf8).write(to: temporary.appendingPathComponent(SiteBuild.marker))
        } catch let failure as BuildFailure {
            throw failure
        } catch {
            throw BuildFailure(diagnostics: diagnostics + [.error("", "cannot copy the assets: \(error.localizedDescription)")])
        }
    }

    /// Puts the finished site in place of the old one: two renames, so no reader sees half a site.
    func swapIn() throws(BuildFailure) {
        let manager = FileManager.default
        let output = options.output.standardizedFileURL
        let previous = output.deletingLastPathComponent()
            .appendingPathComponent(".\(output.lastPathComponent).previous-\(ProcessInfo.processInfo.processIdentifier)")
        do {
            try? manager.removeItem(at: previous)
            let hadOutput = manager.fileExists(atPath: output.path)
            if hadOutput { try manager.moveItem(at: output, to: previous) }
            do {
                try manager.moveItem(at: temporary, to: output)
            } catch {
                if hadOutput { try? manager.moveItem(at: previous, to: output) }
                throw error
            }
            swapped = true
            try? manager.removeItem(at: previous)
        } catch {
            throw BuildFailure(diagnostics: diagnostics + [.error("", "cannot put the site in place at \(output.path): \(error.localizedDescription)")])
        }
    }

    func removeTemporaryFolder() {
        if !swapped { try? FileManager.default.removeItem(at: temporary) }
    }
}

/// Copies a file or folder, following symbolic links (Debian's KaTeX links to its fonts elsewhere),
/// so the site holds real files that work on any host.
func copyFollowingLinks(_ from: URL, to: URL) throws {
    let manager = FileManager.default
    let source = from.resolvingSymlinksInPath()
    var isFolder: ObjCBool = false
    guard manager.fileExists(atPath: source.path, isDirectory: &isFolder) else { return }
    if isFolder.boolValue {
        try manager.createDirectory(at: to, withIntermediateDirectories: true)
        for name in try manager.contentsOfDirectory(atPath: source.path) {
            try copyFollowingLinks(source.appendingPathComponent(name), to: to.appendingPathComponent(name))
        }
    } else {
        try manager.copyItem(at: source, to: to)
    }
}
