import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// What changed in one burst of file events: an editor's save is several (a swap file written,
/// renamed over the note, its attributes set), delivered together once the folders are quiet.
public struct ChangeBatch: Sendable, Equatable {
    /// Course-relative paths of the files that changed, appeared or went.
    public var course: Set<String> = []
    /// Whether a file of the templates folder changed.
    public var templates = false
    /// Events were lost (the kernel's queue overflowed): anything may have changed.
    public var overflowed = false
}

/// Watches the course folder and the templates folder, every folder below them, with inotify: a
/// poll of the files would see a save only at its next turn, and the preview aims at a reloaded
/// page within 150 ms of the save. Folders made later are watched as they appear. What a
/// `WatchFilter` ignores is not watched or reported.
///
/// Events are read on a thread of their own and handed over in batches (`batches`), each once no
/// event came for `quiet` (or `longest` after the first, under a steady stream of them).
public final class Watcher: Sendable {
    /// The batches, in order; ends when the watcher stops.
    public let batches: AsyncStream<ChangeBatch>

    private let continuation: AsyncStream<ChangeBatch>.Continuation
    private let descriptor: Int32
    /// A pipe whose write end stops the thread's `poll`.
    private let wake: (read: Int32, write: Int32)
    private let roots: [Root]
    private let filter: WatchFilter
    private let watches = Mutex<[Int32: (root: Int, folder: String)]>([:])
    private let quiet: Duration
    private let longest: Duration

    private struct Root: Sendable {
        let url: URL
        let isTemplates: Bool
    }

    /// Starts watching. Throws when inotify is not available.
    public init(course: URL, templates: URL, filter: WatchFilter, quiet: Duration = .milliseconds(20), longest: Duration = .milliseconds(250)) throws {
        descriptor = inotify_init1(Int32(IN_CLOEXEC | IN_NONBLOCK))
        guard descriptor >= 0 else { throw WatchError("cannot start inotify: \(String(cString: strerror(errno)))") }
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { throw WatchError("cannot make a pipe: \(String(cString: strerror(errno)))") }
        wake = (ends[0], ends[1])
        roots = [Root(url: course.standardizedFileURL, isTemplates: false), Root(url: templates.standardizedFileURL, isTemplates: true)]
        self.filter = filter
        self.quiet = quiet
        self.longest = longest
        (batches, continuation) = AsyncStream<ChangeBatch>.makeStream()
        for index in roots.indices { _ = watchTree(root: index, folder: "") }
        let thread = Thread { [self] in run() }
        thread.name = "unrolled serve: watcher"
        thread.start()
    }

    /// Stops the thread; `batches` ends.
    public func stop() {
        var byte: UInt8 = 1
        _ = write(wake.write, &byte, 1)
    }

    /// Watches `folder` of a root and every folder below it (not those the filter ignores); the
    /// course-relative paths of the files found, for a folder that appeared with files in it.
    private func watchTree(root: Int, folder: String) -> [String] {
        var found: [String] = []
        var pending = [folder]
        while let current = pending.popLast() {
            let url = current.isEmpty ? roots[root].url : roots[root].url.appendingPathComponent(current)
            let mask = UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE | IN_DELETE_SELF | IN_ATTRIB)
            let watch = inotify_add_watch(descriptor, url.path, mask | UInt32(IN_ONLYDIR))
            guard watch >= 0 else { continue }
            watches.withLock { $0[watch] = (root, current) }
            for name in (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? [] {
                let path = current.isEmpty ? name : current + "/" + name
                guard !filter.ignores(path, templates: roots[root].isTemplates) else { continue }
                var isFolder: ObjCBool = false
                if FileManager.default.fileExists(atPath: url.appendingPathComponent(name).path, isDirectory: &isFolder), isFolder.boolValue {
                    pending.append(path)
                } else {
                    found.append(path)
                }
            }
        }
        return found
    }

    private func run() {
        var batch = ChangeBatch()
        var first: ContinuousClock.Instant?
        var last = ContinuousClock.now
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            var timeout: Int32 = -1
            if let first {
                let now = ContinuousClock.now
                let wait = min(last + quiet, first + longest) - now
                timeout = max(0, Int32(wait.components.seconds * 1000 + wait.components.attoseconds / 1_000_000_000_000_000))
            }
            var fds = [pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0), pollfd(fd: wake.read, events: Int16(POLLIN), revents: 0)]
            let ready = poll(&fds, 2, timeout)
            if ready < 0, errno == EINTR { continue }
            if fds[1].revents != 0 || ready < 0 { break }
            if ready == 0 || fds[0].revents == 0 {
                if first != nil, batch != ChangeBatch() { continuation.yield(batch) }
                batch = ChangeBatch()
                first = nil
                continue
            }
            let count = read(descriptor, &buffer, buffer.count)
            guard count > 0 else { continue }
            if collect(buffer[0..<count], into: &batch) {
                last = ContinuousClock.now
                first = first ?? last
            }
        }
        continuation.finish()
        close(descriptor)
        close(wake.read)
        close(wake.write)
    }

    /// Adds the events in `bytes` (`struct inotify_event`s) to `batch`; whether any counted.
    private func collect(_ bytes: ArraySlice<UInt8>, into batch: inout ChangeBatch) -> Bool {
        var counted = false
        var offset = bytes.startIndex
        let header = MemoryLayout<inotify_event>.size
        while offset + header <= bytes.endIndex {
            let (watch, mask, length) = bytes[offset..<offset + header].withUnsafeBytes { raw in
                (raw.loadUnaligned(fromByteOffset: 0, as: Int32.self), raw.loadUnaligned(fromByteOffset: 4, as: UInt32.self),
                    Int(raw.loadUnaligned(fromByteOffset: 12, as: UInt32.self)))
            }
            let nameBytes = bytes[(offset + header)..<min(offset + header + length, bytes.endIndex)]
            let name = String(decoding: nameBytes.prefix { $0 != 0 }, as: UTF8.self)
            offset += header + length
            if mask & UInt32(IN_Q_OVERFLOW) != 0 {
                batch.overflowed = true
                counted = true
                continue
            }
            if mask & UInt32(IN_IGNORED) != 0 {
                _ = watches.withLock { $0.removeValue(forKey: watch) }
                continue
            }
            guard let (root, folder) = watches.withLock({ $0[watch] }), !name.isEmpty else { continue }
            let path = folder.isEmpty ? name : folder + "/" + name
            guard !filter.ignores(path, templates: roots[root].isTemplates) else { continue }
            var changed = [path]
            if mask & UInt32(IN_ISDIR) != 0 && mask & UInt32(IN_CREATE | IN_MOVED_TO) != 0 {
                changed += watchTree(root: root, folder: path)
            }
            counted = true
            if roots[root].isTemplates {
                batch.templates = true
            } else {
                batch.course.formUnion(changed)
            }
        }
        return counted
    }
}

/// What the watcher leaves alone: the site a build writes (`_site/`, or the output folder when it
/// is inside the course), hidden files and folders (`.git`, the trace cache `.unrolled-cache/`),
/// and the files editors write beside the one they save (Vim's `.x.swp` and `4913`, Emacs's
/// `#x#` and `x~`).
public struct WatchFilter: Sendable {
    /// The output folder's path relative to the course, when it is inside it.
    public var output: String?

    public init(output: String? = nil) { self.output = output }

    /// Whether a path (relative to its root, the course or the templates folder) is ignored.
    public func ignores(_ path: String, templates: Bool = false) -> Bool {
        if !templates, let output, path == output || path.hasPrefix(output + "/") { return true }
        let parts = path.split(separator: "/")
        if !templates, parts.first == "_site" { return true }
        return parts.contains { part in
            part.hasPrefix(".") || part.hasPrefix("#") || part.hasSuffix("~") || part == "4913"
                || part.hasSuffix(".swp") || part.hasSuffix(".swx") || part.hasSuffix(".swo")
        }
    }
}

struct WatchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
