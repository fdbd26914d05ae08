import Foundation

extension StarterPlan {
    /// Writes the planned files, all or none: first into a hidden staging folder inside `base`
    /// (`.unrolled-init-<pid>`: the same file system, so moving out of it is a rename), then each
    /// of `roots` moved in place by one rename (a new course folder is one rename in all). Any
    /// failure moves back what had moved and removes the staging folder, so the course folder is
    /// left as it was. A rename never replaces: what appeared at a root meanwhile is an error.
    ///
    /// `announce` hears each step just before it happens (`stage notes/01-neuron.md`, `move notes`),
    /// which is how the tests make one fail.
    func write(from starter: StarterCourse, announce: (String) throws -> Void = { _ in }) throws {
        let files = FileManager.default
        let staging = base.appendingPathComponent(".unrolled-init-\(getpid())")
        do {
            try files.createDirectory(at: staging, withIntermediateDirectories: false)
        } catch {
            throw InitFailure.writing("cannot write in \(base.path): \(error.localizedDescription)")
        }
        defer { try? files.removeItem(at: staging) }
        for file in writes {
            try step("stage \(file)", announce, failure: "cannot copy the starter's \(file)") {
                let destination = staging.appendingPathComponent(prefix.isEmpty ? file : prefix + "/" + file)
                try files.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
                // Read and written, not copied: a file of an installed, read-only starter becomes
                // one the instructor can edit.
                try Data(contentsOf: starter.folder.appendingPathComponent(file)).write(to: destination)
            }
        }
        var moved: [String] = []
        do {
            for root in roots {
                try step("move \(root)", announce, failure: "cannot move \(root) into \(base.path)") {
                    try files.moveItem(at: staging.appendingPathComponent(root), to: base.appendingPathComponent(root))
                }
                moved.append(root)
            }
        } catch {
            for root in moved.reversed() {
                try? files.moveItem(at: base.appendingPathComponent(root), to: staging.appendingPathComponent(root))
            }
            throw error
        }
    }

    private func step(_ name: String, _ announce: (String) throws -> Void, failure: String, _ body: () throws -> Void) throws {
        do {
            try announce(name)
            try body()
        } catch {
            throw InitFailure.writing("\(failure): \((error as NSError).localizedDescription)")
        }
    }
}
