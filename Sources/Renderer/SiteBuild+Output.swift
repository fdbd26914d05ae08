import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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

    /// Puts the finished site in place of the old one, by renames inside the output folder: the
    /// previous site's entries into `.unrolled-old-PID/`, the staged ones up into the output
    /// folder, then the old ones deleted. When a rename fails, what moved moves back.
    func swapIn() throws(BuildFailure) {
        let manager = FileManager.default
        let output = options.output.standardizedFileURL
        let old = SiteStaging.old(in: output)
        var movedOut: [String] = [], movedIn: [String] = []
        do {
            try? manager.removeItem(at: old)
            try manager.createDirectory(at: old, withIntermediateDirectories: false)
            for name in try manager.contentsOfDirectory(atPath: output.path) where !SiteStaging.isBuildFolder(name) {
                try manager.moveItem(at: output.appendingPathComponent(name), to: old.appendingPathComponent(name))
                movedOut.append(name)
            }
            for name in try manager.contentsOfDirectory(atPath: temporary.path) {
                try manager.moveItem(at: temporary.appendingPathComponent(name), to: output.appendingPathComponent(name))
                movedIn.append(name)
            }
        } catch {
            for name in movedIn { try? manager.moveItem(at: output.appendingPathComponent(name), to: temporary.appendingPathComponent(name)) }
            for name in movedOut { try? manager.moveItem(at: old.appendingPathComponent(name), to: output.appendingPathComponent(name)) }
            try? manager.removeItem(at: old)
            throw BuildFailure(diagnostics: diagnostics + [.error("", "cannot put the site in place at \(output.path): \(error.localizedDescription)")])
        }
        swapped = true
        try? manager.removeItem(at: temporary)
        try? manager.removeItem(at: old)
    }

    /// After a build that did not swap: the staging folder goes, and so do the output folder and
    /// its parents when this build made them (`rmdir`, so only while they are empty).
    func removeTemporaryFolder() {
        guard !swapped else { return }
        try? FileManager.default.removeItem(at: temporary)
        for folder in missingFolders { rmdir(folder.path) }
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
