/// Z85 (ZeroMQ RFC 32): four bytes as five printable characters, 25 % longer than the bytes where
/// base64 is 33 %, and no quote or backslash among them, so the text sits in a JavaScript string
/// as it is. The bytes are padded with zeros to a multiple of four; whoever stores the text also
/// stores the bytes' count (`TraceScript`: `1:<n>:<Z85>`).
enum Z85 {
    static let alphabet = Array("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#".utf8)

    static func encode<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> String {
        var padded = Array(bytes)
        padded += [UInt8](repeating: 0, count: (4 - padded.count % 4) % 4)
        var out = [UInt8]()
        out.reserveCapacity(padded.count / 4 * 5)
        var group = [UInt8](repeating: 0, count: 5)
        for start in stride(from: 0, to: padded.count, by: 4) {
            // Big-endian, most significant digit first, as the RFC says.
            var value = UInt32(padded[start]) << 24 | UInt32(padded[start + 1]) << 16 | UInt32(padded[start + 2]) << 8 | UInt32(padded[start + 3])
            for k in (0..<5).reversed() {
                group[k] = alphabet[Int(value % 85)]
                value /= 85
            }
            out += group
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes of Z85 text (whole groups of five characters of the alphabet), or nil.
    static func decode<Text: StringProtocol>(_ text: Text) -> [UInt8]? {
        // A build with nothing changed decodes every cached trace's payload (5 MB for the bundled
        // course): the loop reads the text's bytes in place and writes into the result directly.
        if let decoded = text.utf8.withContiguousStorageIfAvailable({ decode(bytes: $0) }) { return decoded }
        return Array(text.utf8).withUnsafeBufferPointer { decode(bytes: $0) }
    }

    private static let digits: [Int16] = {
        var digit = [Int16](repeating: -1, count: 256)
        for (index, character) in alphabet.enumerated() { digit[Int(character)] = Int16(index) }
        return digit
    }()

    private static func decode(bytes characters: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard characters.count % 5 == 0 else { return nil }
        let groups = characters.count / 5
        var valid = true
        let out = digits.withUnsafeBufferPointer { digit in
            [UInt8](unsafeUninitializedCapacity: groups * 4) { out, written in
                for group in 0..<groups {
                    var value: UInt64 = 0
                    for k in 0..<5 {
                        let d = digit[Int(characters[5 * group + k])]
                        valid = valid && d >= 0
                        value = value * 85 + UInt64(truncatingIfNeeded: d)
                    }
                    valid = valid && value <= UInt64(UInt32.max)
                    // Big-endian, as the RFC says.
                    out[4 * group] = UInt8(truncatingIfNeeded: value >> 24)
                    out[4 * group + 1] = UInt8(truncatingIfNeeded: value >> 16)
                    out[4 * group + 2] = UInt8(truncatingIfNeeded: value >> 8)
                    out[4 * group + 3] = UInt8(truncatingIfNeeded: value)
                }
                written = groups * 4
            }
        }
        return valid ? out : nil
    }
}
