#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Byte searches in a string's UTF-8, for the build's hot paths: pages are up to megabytes and
/// Foundation's `range(of:)` bridges every call through UTF-16 (it was a tenth of a big build).
/// Needles are ASCII here (`</h1>`, an image path), so a byte match is a character match.
extension String {
    /// The byte offset of the first `needle` at or after byte `start`, or nil.
    func utf8Offset(of needle: String, from start: Int = 0) -> Int? {
        var text = self, needle = needle
        return text.withUTF8 { haystack in needle.withUTF8 { needle in firstOffset(of: needle, in: haystack, from: start) } }
    }

    /// Whether the text holds the byte `byte`: one `memchr` (`utf8.contains` goes byte by byte
    /// through the view's iterator, a tenth as fast, and pages are asked this several times).
    func containsUTF8(_ byte: UInt8) -> Bool {
        var text = self
        return text.withUTF8 { bytes in bytes.baseAddress.map { memchr($0, Int32(byte), bytes.count) != nil } ?? false }
    }

    /// The 1-based line (lines end at `\n` bytes) that holds byte `offset`.
    func line(atUTF8Offset offset: Int) -> Int {
        var text = self
        return text.withUTF8 { bytes in
            // From line break to line break with memchr: a page's raw images each ask this, on the
            // one core that checks them.
            var line = 1, at = 0
            while let newline = firstOffset(of: UInt8(ascii: "\n"), in: bytes, from: at, to: min(offset, bytes.count)) {
                line += 1
                at = newline + 1
            }
            return line
        }
    }

    /// The text before and from byte `offset` (which must fall between characters).
    func split(atUTF8Offset offset: Int) -> (String, String) {
        let index = utf8.index(utf8.startIndex, offsetBy: offset)
        return (String(self[..<index]), String(self[index...]))
    }
}

/// The offset of the first `needle` in `haystack` at or after `start`, or nil (nil for an empty needle).
func firstOffset(of needle: UnsafeBufferPointer<UInt8>, in haystack: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
    guard let first = needle.first, let base = haystack.baseAddress, let needleBase = needle.baseAddress else { return nil }
    var at = start
    // memchr to each candidate first byte, memcmp for the rest.
    while at + needle.count <= haystack.count {
        guard let found = memchr(base + at, Int32(first), haystack.count - needle.count + 1 - at) else { return nil }
        at = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
        if memcmp(base + at, needleBase, needle.count) == 0 { return at }
        at += 1
    }
    return nil
}

/// The offset of the first `byte` in `bytes[start..<end]`, or nil: one `memchr`, which reads many
/// bytes at a time where a Swift loop reads one.
func firstOffset(of byte: UInt8, in bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> Int? {
    guard start < end, let base = bytes.baseAddress, let found = memchr(base + start, Int32(byte), end - start) else { return nil }
    return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
}
