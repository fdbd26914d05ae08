import Foundation

enum FileHandleOutput {
    static func standardError(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    static func standardOutput(_ data: Data) {
        FileHandle.standardOutput.write(data)
    }
}

/// Writes `data` to `path` atomically (a temporary file renamed into place), so a failed run
/// never leaves half a file; creates missing parent folders.
func writeAtomically(_ data: Data, to path: String) throws {
    let url = URL(fileURLWithPath: path)
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try data.write(to: url, options: .atomic)
}
