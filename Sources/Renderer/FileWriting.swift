import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes `text` to the file at `url`, replacing it, and makes its folder when that is missing.
/// Straight from the string's bytes (no `Data` copy of a page of megabytes), and the folder is
/// made only when the first try finds it missing (a site's pages share a few folders).
func writeText(_ text: String, to url: URL) throws {
    var text = text
    let path = url.path
    var file = fopen(path, "wb")
    if file == nil && errno == ENOENT {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        file = fopen(path, "wb")
    }
    guard let file else { throw FileWriteError(path: path, code: errno) }
    let expected = text.utf8.count
    let written = text.withUTF8 { bytes in bytes.isEmpty ? 0 : fwrite(bytes.baseAddress, 1, bytes.count, file) }
    let writeError = written == expected ? 0 : errno
    if fclose(file) != 0 || writeError != 0 { throw FileWriteError(path: path, code: writeError != 0 ? writeError : errno) }
}

/// A failed write, described by the system's message (`No space left on device`).
struct FileWriteError: LocalizedError {
    var path: String
    var code: Int32

    var errorDescription: String? { "\(path): \(String(cString: strerror(code)))" }
}
