import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The build's own folders inside the output folder, so that a build writes nothing outside it:
/// the new site is staged in `.unrolled-staging-PID/`, and at the swap the previous site's
/// entries move to `.unrolled-old-PID/` (then deleted) while the staged ones move in — renames
/// inside one folder. A build that crashed leaves them behind; the next build removes them.
enum SiteStaging {
    static let stagingPrefix = ".unrolled-staging-"
    static let oldPrefix = ".unrolled-old-"

    static func staging(in output: URL, pid: Int32 = ProcessInfo.processInfo.processIdentifier) -> URL {
        output.appendingPathComponent(stagingPrefix + String(pid))
    }

    static func old(in output: URL, pid: Int32 = ProcessInfo.processInfo.processIdentifier) -> URL {
        output.appendingPathComponent(oldPrefix + String(pid))
    }

    /// Beside the output folder, for the instant of the swap: the new site on its way in, then the
    /// old one on its way out (`site` → `.site.unrolled-new-PID`). The only name a build writes
    /// outside the output folder, in the same folder so that the exchange is one rename.
    static func incoming(beside output: URL, pid: Int32 = ProcessInfo.processInfo.processIdentifier) -> URL {
        output.deletingLastPathComponent().appendingPathComponent(incomingPrefix(output) + String(pid))
    }

    static func incomingPrefix(_ output: URL) -> String { "." + output.lastPathComponent + ".unrolled-new-" }

    /// `folder` and its parents up to the first that exists, deepest first (empty when `folder` exists).
    static func missingFolders(_ folder: URL) -> [URL] {
        var missing: [URL] = []
        var current = folder
        while !FileManager.default.fileExists(atPath: current.path), current.path != "/" {
            missing.append(current)
            current = current.deletingLastPathComponent()
        }
        return missing
    }

    /// The process id in the name of a build's staging or old folder; nil for any other name.
    static func owner(of name: String) -> Int32? {
        for prefix in [stagingPrefix, oldPrefix] where name.hasPrefix(prefix) {
            return Int32(name.dropFirst(prefix.count))
        }
        return nil
    }

    /// Whether `name` is a build's staging or old folder (the site itself holds no such entry).
    static func isBuildFolder(_ name: String) -> Bool { owner(of: name) != nil }

    /// Removes the staging and old folders of builds that are no longer running (ours from an
    /// earlier process with the same id included); a build running right now keeps its own.
    static func removeLeftovers(in output: URL) {
        let manager = FileManager.default
        let me = ProcessInfo.processInfo.processIdentifier
        for name in (try? manager.contentsOfDirectory(atPath: output.path)) ?? [] {
            guard let pid = owner(of: name) else { continue }
            if pid != me && isRunning(pid) { continue }
            try? manager.removeItem(at: output.appendingPathComponent(name))
        }
        let parent = output.deletingLastPathComponent()
        let prefix = incomingPrefix(output)
        for name in (try? manager.contentsOfDirectory(atPath: parent.path)) ?? [] where name.hasPrefix(prefix) {
            guard let pid = Int32(name.dropFirst(prefix.count)) else { continue }
            if pid != me && isRunning(pid) { continue }
            try? manager.removeItem(at: parent.appendingPathComponent(name))
        }
    }

    private static func isRunning(_ pid: Int32) -> Bool {
        pid > 0 && (kill(pid, 0) == 0 || errno == EPERM)
    }
}
