import CAtomicRename
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
                // Into a folder that may hold a page's linked files already (claims keep them apart).
                try copyFollowingLinks(source, to: assets)
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

    /// Puts the finished site in place of the old one in one atomic step, so that a kill at any
    /// instant leaves the output folder holding either the whole old site or the whole new one:
    ///
    /// 1. the staging folder is renamed out of the output folder, beside it
    ///    (`.NAME.unrolled-new-PID`): the output folder is still the whole old site;
    /// 2. that folder and the output folder are exchanged (`renameat2(RENAME_EXCHANGE)`): the
    ///    output folder is the whole new site, the old one is at `.NAME.unrolled-new-PID`;
    /// 3. the old site is deleted.
    ///
    /// A build killed after 1 or 2 leaves `.NAME.unrolled-new-PID` beside the output folder for
    /// the next build to remove. Where the file system cannot exchange folders, the old site's
    /// entries move out and the new ones in, one rename each (not atomic; what moved moves back
    /// when a rename fails).
    func swapIn() throws(BuildFailure) {
        let output = options.output.standardizedFileURL
        let incoming = SiteStaging.incoming(beside: output)
        options.beforePublishStep?("move out")
        do {
            try? FileManager.default.removeItem(at: incoming)
            try FileManager.default.moveItem(at: temporary, to: incoming)
            // Another build into the same folder, running now, keeps its staging folder in place.
            for name in try FileManager.default.contentsOfDirectory(atPath: output.path) where SiteStaging.isBuildFolder(name) {
                try FileManager.default.moveItem(at: output.appendingPathComponent(name), to: incoming.appendingPathComponent(name))
            }
        } catch {
            throw BuildFailure(diagnostics: diagnostics + [.error("", "cannot put the site in place at \(output.path): \(error.localizedDescription)")])
        }
        options.beforePublishStep?("exchange")
        if unrolled_rename_exchange(incoming.path, output.path) != 0 {
            let reason = errno
            guard reason == ENOSYS || reason == EINVAL else {
                try? FileManager.default.moveItem(at: incoming, to: temporary)
                throw BuildFailure(diagnostics: diagnostics + [.error("", "cannot put the site in place at \(output.path): \(String(cString: strerror(reason)))")])
            }
            try? FileManager.default.moveItem(at: incoming, to: temporary)
            try swapEntries(into: output)
            return
        }
        swapped = true
        options.beforePublishStep?("delete the old site")
        try? FileManager.default.removeItem(at: incoming)
    }

    /// The fallback of `swapIn`: the previous site's entries into `.unrolled-old-PID/`, the staged
    /// ones up into the output folder, then the old ones deleted.
    private func swapEntries(into output: URL) throws(BuildFailure) {
        let manager = FileManager.default
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
