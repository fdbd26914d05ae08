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
}
