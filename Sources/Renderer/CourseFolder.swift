import Foundation
import Models

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The course folder as a build reads it: every file the build opens because the course names it
/// (a page, `course.yml`, a chapter, `src:`, a `corpus-file:`, an image, a linked file) is found
/// here, so one rule holds for all of them:
///
/// - a path resolves relative to the file that names it (`notes/a.md` names `img/x.png` →
///   `notes/img/x.png`); an absolute path, or one that climbs out with `..`, is refused;
/// - once symbolic links are followed, the file must still be inside the course folder (a link
///   `notes/img -> /etc` would otherwise publish `/etc/passwd`), and never inside the output
///   folder (the previous site is not an input of the next);
/// - a link that loops, or a chain of links too long to follow, is refused, never followed forever.
///
/// Every refusal is a `CoursePathProblem` whose `message` says what is wrong and what to do; the
/// caller adds the file and line that named the path.
struct CourseFolder: Sendable {
    /// The course folder as given (paths handed out are relative to it).
    let root: URL
    /// The course and output folders with every symbolic link resolved.
    let realRoot: String
    let realOutput: String

    init(root: URL, output: URL) {
        self.root = root
        realRoot = realPath(root.path) ?? root.standardizedFileURL.path
        realOutput = realPath(output.path) ?? Self.realPathOfMissing(output)
    }

    /// The course-relative path of `written`, named by a file in the course-relative `folder`;
    /// checked lexically (no absolute path, no `..` out of the course) and, when the file exists,
    /// through its symbolic links. A file that does not exist gives `.missing(path)`.
    func locate(_ written: String, from folder: String) -> Result<String, CoursePathProblem> {
        guard !written.hasPrefix("/") else { return .failure(.absolute(written)) }
        guard let path = normalizedPath(written, relativeTo: folder) else { return .failure(.outside(written)) }
        if let problem = check(path) { return .failure(problem) }
        return .success(path)
    }

    /// Why the course-relative `path` must not be read, or nil when it may: its real location
    /// (symbolic links followed) is outside the course or inside the output folder, it loops, or it
    /// does not exist (`.missing`).
    func check(_ path: String) -> CoursePathProblem? {
        let full = path.isEmpty ? root.path : root.appendingPathComponent(path).path
        guard let real = realPath(full) else {
            return errno == ELOOP ? .loop(path) : .missing(path)
        }
        if isInside(real, realOutput) { return .inOutput(path) }
        if !isInside(real, realRoot) { return .linkOutside(path, to: real) }
        return nil
    }

    /// `check`, and the path must be a regular file: reading a FIFO or a device would block or never end.
    func checkFile(_ path: String) -> CoursePathProblem? {
        if let problem = check(path) { return problem }
        // `lstat`, as `FileManager.attributesOfItem` reads the type, without what else it reads
        // (the owner's and group's names through nsswitch, extended attributes) for every page.
        var status = stat()
        guard lstat(url(path).path, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { return .notRegular(path) }
        return nil
    }

    /// The URL of a course-relative path.
    func url(_ path: String) -> URL { path.isEmpty ? root : root.appendingPathComponent(path) }

    /// The bytes of a course-relative path that `checkFile` allows (nil when it cannot be read).
    func contents(_ path: String) -> Data? {
        guard checkFile(path) == nil else { return nil }
        return FileManager.default.contents(atPath: url(path).path)
    }

    /// Whether the real path of `path` is a folder (links followed).
    func isFolder(_ path: String) -> Bool {
        var isFolder: ObjCBool = false
        return FileManager.default.fileExists(atPath: url(path).path, isDirectory: &isFolder) && isFolder.boolValue
    }

    /// The real path of a folder that may not exist yet: its nearest existing parent resolved, the
    /// rest appended (the output folder of a first build).
    private static func realPathOfMissing(_ url: URL) -> String {
        var missing: [String] = []
        var current = url.standardizedFileURL
        while realPath(current.path) == nil, current.path != "/" {
            missing.insert(current.lastPathComponent, at: 0)
            current = current.deletingLastPathComponent()
        }
        let base = realPath(current.path) ?? current.path
        return ([base == "/" ? "" : base] + missing).joined(separator: "/")
    }
}

/// Why a path the course names is not read. `message` is the sentence a diagnostic shows.
enum CoursePathProblem: Error, Equatable, Sendable, CustomStringConvertible {
    case absolute(String)
    case outside(String)
    case linkOutside(String, to: String)
    case inOutput(String)
    case loop(String)
    case notRegular(String)
    case missing(String)

    var description: String { message }

    var message: String {
        switch self {
        case .absolute(let written):
            return "'\(written.excerpt)' is an absolute path; a course names its files relative to the file that names them, inside the course folder"
        case .outside(let written):
            return "'\(written.excerpt)' points outside the course folder; move the file into the course and name it relative to this file"
        case .linkOutside(let path, let real):
            return "\(path.excerpt) is a symbolic link to \(real.excerpt), outside the course folder; copy the file into the course instead of linking it"
        case .inOutput(let path):
            return "\(path.excerpt) is inside the output folder; the site the build writes is never one of its inputs"
        case .loop(let path):
            return "\(path.excerpt) is a symbolic link that loops (or a chain of links too long to follow); remove the link"
        case .notRegular(let path):
            return "\(path.excerpt) is not a regular file (a FIFO or a device would never end); use a file"
        case .missing(let path):
            return "\(path.excerpt) not found"
        }
    }
}

/// `realpath(3)`: the absolute path with every symbolic link, `.` and `..` resolved; nil (with
/// `errno` set, `ELOOP` for a loop) when it cannot be resolved.
func realPath(_ path: String) -> String? {
    guard let resolved = realpath(path, nil) else { return nil }
    defer { free(resolved) }
    return String(cString: resolved)
}

/// Whether `path` is `folder` or inside it (both absolute and resolved).
func isInside(_ path: String, _ folder: String) -> Bool {
    path == folder || path.hasPrefix(folder.hasSuffix("/") ? folder : folder + "/")
}
