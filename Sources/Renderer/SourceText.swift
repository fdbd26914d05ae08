import Foundation

/// A page file's bytes as the text every later stage reads: UTF-8, without a byte-order mark,
/// with every line ending a `\n`.
///
/// Notes saved on Windows end lines with `\r\n` and often start with a byte-order mark (Notepad,
/// Word's "plain text"); the front matter's fence `---` then failed to match and the YAML became
/// a heading. cmark-gfm reads `\r\n`, a lone `\r` and `\n` alike as one line ending (CommonMark
/// §2.1), so writing each as `\n` changes no line number, and the front matter, the math and the
/// other scanners need to know only `\n`. A file with a UTF-16 byte-order mark (Notepad's
/// "Unicode") is decoded as UTF-16; bytes that are not UTF-8 become U+FFFD with a warning at
/// their line.
///
/// - Returns: the text, and the warning for bytes that are not UTF-8 (nil when all are).
func sourceText(_ data: Data, file: String) -> (String, Diagnostic?) {
    if data.starts(with: [0xFF, 0xFE]) || data.starts(with: [0xFE, 0xFF]) {
        if var text = String(data: data, encoding: .utf16) {
            if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
            return (String(decoding: normalizedLineEndings(Array(text.utf8)), as: UTF8.self), nil)
        }
        return ("", .warning(file, "not valid UTF-16 although it starts with a UTF-16 byte-order mark; save it as UTF-8"))
    }
    // Copied out of `Data` first: its iterator, byte by byte, was most of the time to read a page.
    let bytes = normalizedLineEndings(Array(data.starts(with: [0xEF, 0xBB, 0xBF]) ? data.dropFirst(3) : data[...]))
    if let text = String(validating: bytes, as: UTF8.self) { return (text, nil) }
    let (offset, byte) = firstInvalidUTF8(bytes)
    let line = 1 + bytes.prefix(offset).reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
    let hex = String(byte, radix: 16, uppercase: true)
    return (
        String(decoding: bytes, as: UTF8.self),
        .warning(file, line: line, "the file is not UTF-8 (byte 0x\(hex) here, and perhaps others): such bytes show as �; save the file as UTF-8")
    )
}

/// `\r\n` and a lone `\r` written as `\n`, in one pass (the bytes unchanged when they hold no `\r`).
private func normalizedLineEndings(_ bytes: [UInt8]) -> [UInt8] {
    // memchr: most files have no `\r`, and `contains` read them byte by byte.
    guard bytes.withUnsafeBufferPointer({ firstOffset(of: UInt8(ascii: "\r"), in: $0, from: 0, to: $0.count) }) != nil else { return bytes }
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count)
    var afterCR = false
    for byte in bytes {
        if byte == UInt8(ascii: "\n"), afterCR {
            afterCR = false
            continue
        }
        afterCR = byte == UInt8(ascii: "\r")
        out.append(afterCR ? UInt8(ascii: "\n") : byte)
    }
    return out
}

/// The offset and value of the first byte that starts no valid UTF-8 sequence.
private func firstInvalidUTF8(_ bytes: [UInt8]) -> (Int, UInt8) {
    var decoder = UTF8()
    var iterator = bytes.makeIterator()
    var offset = 0
    while true {
        switch decoder.decode(&iterator) {
        case .scalarValue(let scalar): offset += UTF8.width(scalar)
        case .emptyInput: return (bytes.count, 0)
        case .error: return (offset, bytes[min(offset, bytes.count - 1)])
        }
    }
}
