import Foundation
import Renderer

/// The course `unrolled init` writes: every file of the templates' `starter/` folder
/// (`Templates/starter/` in the sources), copied as it is, so that what a new course holds can be
/// read, and changed, as ordinary files.
struct StarterCourse {
    /// The starter folder.
    let folder: URL
    /// Its files, as paths relative to it (`notes/01-neuron.md`), sorted; hidden ones included
    /// (`.gitignore`, `.github/workflows/pages.yml`).
    let files: [String]

    /// What a build writes into a course folder: never part of the starter, even when someone
    /// built the starter where it lies.
    static let builtFolders: Set<String> = ["_site", ".unrolled-cache"]

    /// The starter of the templates `Templates.locate` finds: the first of its places that has
    /// `starter/course.yml` (so `UNROLLED_TEMPLATES` naming page templates of one's own does not
    /// hide it).
    static func locate() throws -> StarterCourse {
        try StarterCourse(folder: Templates.locate(holding: "starter/course.yml").appendingPathComponent("starter"))
    }

    init(folder: URL) throws {
        self.folder = folder
        files = try Self.files(in: folder, under: "")
    }

    /// Every regular file below `relative` in `root`; a symbolic link or any other kind of file is
    /// an error, as copying it would copy something that is not the starter's.
    private static func files(in root: URL, under relative: String) throws -> [String] {
        let folder = relative.isEmpty ? root : root.appendingPathComponent(relative)
        var found: [String] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() {
            if relative.isEmpty, builtFolders.contains(name) { continue }
            let path = relative.isEmpty ? name : relative + "/" + name
            let type = try FileManager.default.attributesOfItem(atPath: root.appendingPathComponent(path).path)[.type] as? FileAttributeType
            switch type {
            case .typeDirectory?: found += try files(in: root, under: path)
            case .typeRegular?: found.append(path)
            default: throw InitFailure.starter("\(root.appendingPathComponent(path).path) is not a regular file or folder; the starter course holds only those")
            }
        }
        return found
    }
}

/// Why `unrolled init` wrote nothing.
enum InitFailure: Error, CustomStringConvertible {
    /// The folder cannot take the course as asked: a usage error (exit status 2).
    case refused(String)
    /// The starter course cannot be read, or the files cannot be written (exit status 1).
    case starter(String)
    case writing(String)

    var description: String {
        switch self {
        case .refused(let message), .starter(let message), .writing(let message): message
        }
    }
}
