import CZlib
import Foundation
import Trace

/// A trace as a built site or an embed ships it (`UnrolledTraceData[id] = "1:<n>:<Z85>"`, see
/// docs/trace-format.md, "Compact layout"), read back the way the viewer reads it, but with code
/// of its own: Z85 decoded here from the RFC's description, zlib's `uncompress`, then the compact
/// layout. For the test targets only (RendererTests, unrolledTests).
public enum SiteTraceData {
    /// The decoded trace of a `traces/<id>.js` script's text.
    public static func decode(script: String) throws -> TraceDocument {
        guard let match = script.firstMatch(of: /= "1:(\d+):([^"]*)";/), let count = Int(match.1) else {
            throw Failure("no `= \"1:<n>:<Z85>\";` in the script")
        }
        let deflated = try z85(String(match.2)).prefix(count)
        return try CompactTrace.decode(try inflate(Data(deflated)))
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        public init(_ description: String) { self.description = description }
    }

    /// Z85 (ZeroMQ RFC 32): five characters, base-85 digits most significant first, make four bytes.
    public static func z85(_ text: String) throws -> [UInt8] {
        let alphabet = Array("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#")
        let characters = Array(text)
        guard characters.count % 5 == 0 else { throw Failure("Z85 text of \(characters.count) characters") }
        var bytes: [UInt8] = []
        for start in stride(from: 0, to: characters.count, by: 5) {
            var value: UInt64 = 0
            for character in characters[start..<start + 5] {
                guard let digit = alphabet.firstIndex(of: character) else { throw Failure("'\(character)' is not a Z85 digit") }
                value = value * 85 + UInt64(digit)
            }
            bytes += [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: value >> $0) }
        }
        return bytes
    }

    /// zlib's `uncompress`, into a buffer doubled until the bytes fit.
    public static func inflate(_ data: Data) throws -> Data {
        var capacity = max(1024, data.count * 8)
        while true {
            var length = uLongf(capacity)
            var out = [UInt8](repeating: 0, count: capacity)
            let status = data.withUnsafeBytes { uncompress(&out, &length, $0.bindMemory(to: Bytef.self).baseAddress, uLong(data.count)) }
            if status == Z_BUF_ERROR, capacity < 1 << 30 { capacity *= 2; continue }
            guard status == Z_OK else { throw Failure("zlib uncompress: status \(status)") }
            return Data(out[..<Int(length)])
        }
    }
}

