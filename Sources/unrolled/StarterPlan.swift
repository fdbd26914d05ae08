import Foundation

/// What `unrolled init` will do in a folder, decided before anything is written: which of the
/// starter's files it writes, which it keeps (with `--force`), and where it puts them in place.
struct StarterPlan {
    /// The course folder, absolute.
    let course: URL
    /// Starter files to write, relative to `course`.
    let writes: [String]
    /// Starter files already there, kept as they are (only with `--force`).
    let kept: [String]
    /// The folder that exists already, in which the new entries appear: `course` itself, or its
    /// nearest existing parent when `course` is new.
    let base: URL
    /// Where `course` lies inside `base` (`""` when they are one; `my-course` or `a/b` when new).
    let prefix: String
    /// The entries of `base` (relative paths) that are moved in place, each by one rename: the
    /// new course folder whole, or, in a folder that exists, each missing file or folder.
    let roots: [String]

    /// A folder that holds only these counts as empty: a course is often started in a fresh
    /// `git init` or a clone of an empty repository.
    static let ignoredWhenEmpty: Set<String> = [".git"]

    init(starter: StarterCourse, course: URL, force: Bool) throws {
        self.course = course.standardizedFileURL
        let shown = self.course.path
        switch Self.entry(self.course) {
        case .file:
            throw InitFailure.refused("\(shown) is a file, not a folder: choose a new or empty folder for the course")
        case .missing:
            // The course folder is new: the nearest folder that exists gets it in one rename.
            var base = self.course, missing: [String] = []
            while Self.entry(base) == .missing {
                missing.insert(base.lastPathComponent, at: 0)
                base = base.deletingLastPathComponent()
            }
            guard Self.entry(base) == .folder else {
                throw InitFailure.refused("\(base.path) is a file, not a folder: choose another place for the course")
            }
            (self.base, prefix, roots) = (base, missing.joined(separator: "/"), [missing[0]])
            (writes, kept) = (starter.files, [])
        case .folder:
            let present = try FileManager.default.contentsOfDirectory(atPath: shown).filter { !Self.ignoredWhenEmpty.contains($0) }.sorted()
            if !present.isEmpty, !force {
                let listed = present.prefix(3).joined(separator: ", ") + (present.count > 3 ? ", …" : "")
                throw InitFailure.refused(
                    "refusing to write a course into \(shown): the folder is not empty (it holds \(listed)). "
                        + "Choose a new or empty folder, or pass --force to add only the starter's files it lacks (no file is overwritten)")
            }
            (base, prefix) = (self.course, "")
            var writes: [String] = [], kept: [String] = [], roots: Set<String> = []
            for file in starter.files {
                guard let root = try Self.firstMissing(file, in: self.course) else {
                    kept.append(file)
                    continue
                }
                writes.append(file)
                roots.insert(root)
            }
            (self.writes, self.kept, self.roots) = (writes, kept, roots.sorted())
        }
    }

    /// The shortest leading part of `file` that does not exist in `folder` (the file or a folder
    /// on its way), or nil when the file is there. Something other than a folder on the way (a file
    /// `notes` where the starter has `notes/01-neuron.md`) is an error naming it.
    private static func firstMissing(_ file: String, in folder: URL) throws -> String? {
        let parts = file.split(separator: "/").map(String.init)
        for count in 1...parts.count {
            let path = parts.prefix(count).joined(separator: "/")
            switch entry(folder.appendingPathComponent(path)) {
            case .missing: return path
            case .folder where count < parts.count: continue
            case .file where count < parts.count:
                throw InitFailure.refused("cannot add \(file) to \(folder.path): \(path) is a file, where the starter course has a folder; move it away first")
            case .folder, .file: return nil
            }
        }
        return nil
    }

    enum Entry { case missing, folder, file }

    /// What is at `url`, following symbolic links; a link that leads nowhere is a file in the way.
    static func entry(_ url: URL) -> Entry {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) { return isFolder.boolValue ? .folder : .file }
        return (try? FileManager.default.attributesOfItem(atPath: url.path)) == nil ? .missing : .file
    }
}
