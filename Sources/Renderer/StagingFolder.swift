import CAtomicRename
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a build writes its site before it is put in place: a folder inside the output folder
/// (see `SiteStaging`), made by the first step of a build and either published or discarded by
/// the last.
struct StagingFolder: Sendable {
    /// A file every built site holds, so a later build knows the folder is a site it may replace.
    static let marker = ".unrolled-site"

    /// The output folder, standardized.
    let output: URL
    /// The staging folder, inside the output folder.
    let url: URL
    /// The output folder and those of its parents that were not there before this build, deepest
    /// first: a failed build removes the ones it made (while they are empty).
    let missingFolders: [URL]

    /// Checks the output and course folders and makes an empty staging folder (a crashed build's
    /// leftovers removed first).
    static func prepare(_ options: SiteOptions) throws(BuildFailure) -> StagingFolder {
        if let refusal = Site.refusal(output: options.output, course: options.course) {
            throw BuildFailure(diagnostics: [.error("", refusal)])
        }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: options.course.path, isDirectory: &isFolder), isFolder.boolValue else {
            throw BuildFailure(diagnostics: [.error("", "no course folder at \(options.course.path)")])
        }
        let output = options.output.standardizedFileURL
        let staging = StagingFolder(output: output, url: SiteStaging.staging(in: output), missingFolders: SiteStaging.missingFolders(output))
        do {
            SiteStaging.removeLeftovers(in: output)
            try? FileManager.default.removeItem(at: staging.url)
            try FileManager.default.createDirectory(at: staging.url, withIntermediateDirectories: true)
        } catch {
            throw BuildFailure(diagnostics: [.error("", "cannot create \(staging.url.path): \(error.localizedDescription)")])
        }
        return staging
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
    /// when a rename fails). When this throws, the staging folder is still to be discarded.
    func publish(announcing step: (@Sendable (String) -> Void)?) throws(Diagnostic) {
        let incoming = SiteStaging.incoming(beside: output)
        step?("move out")
        do {
            try? FileManager.default.removeItem(at: incoming)
            try FileManager.default.moveItem(at: url, to: incoming)
            // Another build into the same folder, running now, keeps its staging folder in place.
            for name in try FileManager.default.contentsOfDirectory(atPath: output.path) where SiteStaging.isBuildFolder(name) {
                try FileManager.default.moveItem(at: output.appendingPathComponent(name), to: incoming.appendingPathComponent(name))
            }
        } catch {
            throw .error("", "cannot put the site in place at \(output.path): \(error.localizedDescription)")
        }
        step?("exchange")
        if unrolled_rename_exchange(incoming.path, output.path) != 0 {
            let reason = errno
            try? FileManager.default.moveItem(at: incoming, to: url)
            guard reason == ENOSYS || reason == EINVAL else {
                throw .error("", "cannot put the site in place at \(output.path): \(String(cString: strerror(reason)))")
            }
            try swapEntries()
            return
        }
        step?("delete the old site")
        try? FileManager.default.removeItem(at: incoming)
    }

    /// The fallback of `publish`: the previous site's entries into `.unrolled-old-PID/`, the staged
    /// ones up into the output folder, then the old ones deleted.
    private func swapEntries() throws(Diagnostic) {
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
            for name in try manager.contentsOfDirectory(atPath: url.path) {
                try manager.moveItem(at: url.appendingPathComponent(name), to: output.appendingPathComponent(name))
                movedIn.append(name)
            }
        } catch {
            for name in movedIn { try? manager.moveItem(at: output.appendingPathComponent(name), to: url.appendingPathComponent(name)) }
            for name in movedOut { try? manager.moveItem(at: old.appendingPathComponent(name), to: output.appendingPathComponent(name)) }
            try? manager.removeItem(at: old)
            throw .error("", "cannot put the site in place at \(output.path): \(error.localizedDescription)")
        }
        try? manager.removeItem(at: url)
        try? manager.removeItem(at: old)
    }

    /// After a build that did not publish: the staging folder goes, and so do the output folder and
    /// its parents when this build made them (`rmdir`, so only while they are empty).
    func discard() {
        try? FileManager.default.removeItem(at: url)
        for folder in missingFolders { rmdir(folder.path) }
    }
}
