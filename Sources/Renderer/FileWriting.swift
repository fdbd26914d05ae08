import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes `text` to the file at `url`, replacing it, and makes its folder when that is missing.
/// Straight from the string's bytes (no `Data` copy of a page of megabytes), and the folder is
/// made only when the first try finds it missing (a site's pages share a few folders).
///
/// `previous`: the same file in the site this build replaces. When it holds exactly these bytes it
/// is linked here instead (a hard link: no new inode, no bytes written), so that a rebuild that
/// changed nothing writes almost nothing, and deleting the old site frees no inode the next build
/// must step over (ext4 without a journal scans recently freed inodes on every file it creates).
func writeText(_ text: String, to url: URL, previous: URL? = nil) throws {
    var text = text
    let path = url.path
    if let previous, text.withUTF8({ sameBytes(previous.path, $0) }) {
        if link(previous.path, path) == 0 { return }
        if errno == ENOENT {  // the first file of its folder
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            if link(previous.path, path) == 0 { return }
        }
    }
    // Never written through: a file here may be a link to the old site's (a rebuild that
    // writes a path twice), and the old site must stay whole until the new one replaces it.
    unlink(path)
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

/// Whether the regular file at `path` (not a link to one) holds exactly `bytes`.
func sameBytes(_ path: String, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    var status = stat()
    guard lstat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG, Int(status.st_size) == bytes.count else { return false }
    let descriptor = open(path, O_RDONLY | O_NOFOLLOW)
    guard descriptor >= 0 else { return false }
    defer { close(descriptor) }
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    var at = 0
    while at < bytes.count {
        let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        guard count > 0, at + count <= bytes.count else { return false }
        let equal = buffer.withUnsafeBytes { memcmp($0.baseAddress!, bytes.baseAddress! + at, count) == 0 }
        guard equal else { return false }
        at += count
    }
    return true
}

/// A failed write, described by the system's message (`No space left on device`).
struct FileWriteError: LocalizedError {
    var path: String
    var code: Int32

    var errorDescription: String? { "\(path): \(String(cString: strerror(code)))" }
}
