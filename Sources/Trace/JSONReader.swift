import Foundation

/// The fast path of `TraceDocument.decode`: a pull reader over JSON bytes that the trace's types
/// read themselves with (`init(reading:)`, beside each type), into the same values Foundation's
/// `JSONDecoder` gives, at a small fraction of its cost.
///
/// Why: a build with nothing changed decodes every cached trace, and `JSONDecoder` spent about
/// 0.25 s of CPU on the bundled course's 2.4 MB of trace structure (half the build): its generic
/// containers instantiate metadata per field, and each `JSONValue` tried kind by kind throws.
///
/// It reads only what it can read exactly as `JSONDecoder` would, and gives up (`Mismatch`) on
/// anything else — invalid JSON, a byte-order mark, a duplicate key, a whole number written `3.0`
/// where `JSONDecoder`'s rules are subtle — so that the Codable path decodes it, or names the
/// error with its line and column. A mismatch is never an error a user sees.
package struct JSONReader {
    /// The document is not one the fast path reads; the Codable path will.
    package struct Mismatch: Error {
        package init() {}
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private var position = 0

    private init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// `read` applied to the document in `bytes`, which must hold one value and nothing after it
    /// but whitespace; nil on a mismatch.
    package static func read<T>(_ bytes: some ContiguousBytes, _ read: (inout JSONReader) throws -> T) -> T? {
        bytes.withUnsafeBytes { raw in
            var reader = JSONReader(raw.bindMemory(to: UInt8.self))
            reader.skipWhitespace()
            do {
                let value = try read(&reader)
                reader.skipWhitespace()
                return reader.position == reader.bytes.count ? value : nil
            } catch {
                return nil
            }
        }
    }

    // MARK: Structure

    /// Reads an object, calling `field` with each key and the reader at its value; `field` must
    /// read or `skip` the value. A key given twice is a mismatch: `JSONDecoder` keeps the first.
    package mutating func object(_ field: (String, inout JSONReader) throws -> Void) throws {
        try expect(UInt8(ascii: "{"))
        var keys: [String] = []
        if consume(UInt8(ascii: "}")) { return }
        repeat {
            skipWhitespace()
            let key = try string()
            guard !keys.contains(key) else { throw Mismatch() }
            keys.append(key)
            try expect(UInt8(ascii: ":"))
            skipWhitespace()
            try field(key, &self)
        } while consume(UInt8(ascii: ","))
        try expect(UInt8(ascii: "}"))
    }

    /// An object of any keys, each value read by `element`.
    package mutating func dictionary<T>(_ element: (inout JSONReader) throws -> T) throws -> [String: T] {
        var result: [String: T] = [:]
        try object { key, reader in result[key] = try element(&reader) }
        return result
    }

    package mutating func array<T>(_ element: (inout JSONReader) throws -> T) throws -> [T] {
        try expect(UInt8(ascii: "["))
        var result: [T] = []
        if consume(UInt8(ascii: "]")) { return result }
        repeat {
            skipWhitespace()
            result.append(try element(&self))
        } while consume(UInt8(ascii: ","))
        try expect(UInt8(ascii: "]"))
        return result
    }

    /// nil for `null` (as `decodeIfPresent` gives), else the value `read` reads.
    package mutating func optional<T>(_ read: (inout JSONReader) throws -> T) throws -> T? {
        if literal("null") { return nil }
        return try read(&self)
    }

    /// Any value, read and dropped (a key the trace's types do not know, as `JSONDecoder` ignores it).
    package mutating func skip() throws { _ = try value() }

    // MARK: Scalars

    /// A value of the kinds `JSONValue` holds, the kind chosen as its `init(from:)` chooses.
    package mutating func value() throws -> JSONValue {
        switch peek() {
        case UInt8(ascii: "{"): return .object(try dictionary { try $0.value() })
        case UInt8(ascii: "["): return .array(try array { try $0.value() })
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .bool(try bool())
        case UInt8(ascii: "n"):
            guard literal("null") else { throw Mismatch() }
            return .null
        default:
            let number = try numberText()
            if !number.isReal, let whole = Self.integer(number.text) { return .int(whole) }
            // `JSONValue` tries `Int` first, and `JSONDecoder` reads `3.0` or `1e2` as an Int: only
            // a real with a fraction is certainly a `.double`.
            guard number.isReal, let real = Self.real(number.text), real.isFinite, real.rounded() != real else { throw Mismatch() }
            return .double(real)
        }
    }

    package mutating func int() throws -> Int {
        let number = try numberText()
        guard !number.isReal, let whole = Self.integer(number.text) else { throw Mismatch() }
        return whole
    }

    /// A number, or one of the strings a trace writes for the numbers JSON has no literal for.
    package mutating func double() throws -> Double {
        if peek() == UInt8(ascii: "\"") {
            switch try string() {
            case "NaN": return .nan
            case "Infinity": return .infinity
            case "-Infinity": return -.infinity
            default: throw Mismatch()
            }
        }
        guard let real = Self.real(try numberText().text), real.isFinite else { throw Mismatch() }
        return real
    }

    package mutating func bool() throws -> Bool {
        if literal("true") { return true }
        if literal("false") { return false }
        throw Mismatch()
    }

    /// A raw-value enum's case (`Role`, `Phase`); an unknown name is the Codable path's to explain.
    package mutating func enumCase<T: RawRepresentable>() throws -> T where T.RawValue == String {
        guard let value = T(rawValue: try string()) else { throw Mismatch() }
        return value
    }

    package mutating func string() throws -> String {
        try expect(UInt8(ascii: "\""))
        var utf8: [UInt8] = []
        var escaped = false
        var start = position
        while true {
            // A run of plain bytes, up to the closing quote or an escape.
            var bits: UInt8 = 0
            while position < bytes.count, bytes[position] != UInt8(ascii: "\""), bytes[position] != UInt8(ascii: "\\") {
                guard bytes[position] >= 0x20 else { throw Mismatch() }
                bits |= bytes[position]
                position += 1
            }
            guard position < bytes.count else { throw Mismatch() }
            let run = UnsafeBufferPointer(rebasing: bytes[start..<position])
            position += 1
            if bytes[position - 1] == UInt8(ascii: "\"") && !escaped {
                // Most strings: one run, no escape. ASCII is valid UTF-8 as it is; `String(validating:)`
                // is left for the others, because it costs a generic instantiation per call.
                return bits < 0x80 ? String(decoding: run, as: UTF8.self) : try validated(run)
            }
            utf8.append(contentsOf: run)
            if bytes[position - 1] == UInt8(ascii: "\"") { return try validated(utf8) }
            escaped = true
            try escape(into: &utf8)
            start = position
        }
    }

    private func validated(_ utf8: some Collection<UInt8>) throws -> String {
        guard let text = String(validating: utf8, as: UTF8.self) else { throw Mismatch() }
        return text
    }

    // MARK: Bytes

    private mutating func escape(into utf8: inout [UInt8]) throws {
        guard position < bytes.count else { throw Mismatch() }
        let letter = bytes[position]
        position += 1
        switch letter {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(letter)
        case UInt8(ascii: "b"): utf8.append(0x08)
        case UInt8(ascii: "f"): utf8.append(0x0C)
        case UInt8(ascii: "n"): utf8.append(0x0A)
        case UInt8(ascii: "r"): utf8.append(0x0D)
        case UInt8(ascii: "t"): utf8.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try hex4()
            if (0xD800..<0xDC00).contains(scalar) {
                // A high surrogate must be followed by `\u` and a low one; together they are one scalar.
                guard literal("\\u") else { throw Mismatch() }
                let low = try hex4()
                guard (0xDC00..<0xE000).contains(low) else { throw Mismatch() }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            }
            guard let unicode = Unicode.Scalar(scalar) else { throw Mismatch() }
            utf8.append(contentsOf: String(Character(unicode)).utf8)
        default: throw Mismatch()
        }
    }

    private mutating func hex4() throws -> UInt32 {
        guard position + 4 <= bytes.count else { throw Mismatch() }
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let digit = hexDigit(bytes[position]) else { throw Mismatch() }
            value = value << 4 | UInt32(digit)
            position += 1
        }
        return value
    }

    private func hexDigit(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// The bytes of a number as JSON's grammar allows it (`-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?`),
    /// and whether it has a fraction or an exponent.
    private mutating func numberText() throws -> (text: UnsafeBufferPointer<UInt8>.SubSequence, isReal: Bool) {
        let start = position
        var isReal = false
        _ = consumeByte(UInt8(ascii: "-"))
        if consumeByte(UInt8(ascii: "0")) {
            // No leading zeros: `01` is not JSON.
        } else {
            guard digits() > 0 else { throw Mismatch() }
        }
        if consumeByte(UInt8(ascii: ".")) {
            isReal = true
            guard digits() > 0 else { throw Mismatch() }
        }
        if let byte = peek(), byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
            position += 1
            isReal = true
            if !consumeByte(UInt8(ascii: "+")) { _ = consumeByte(UInt8(ascii: "-")) }
            guard digits() > 0 else { throw Mismatch() }
        }
        return (bytes[start..<position], isReal)
    }

    private mutating func digits() -> Int {
        let start = position
        while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) { position += 1 }
        return position - start
    }

    /// A whole number's value, or nil when an Int cannot hold it.
    private static func integer(_ text: UnsafeBufferPointer<UInt8>.SubSequence) -> Int? {
        var value = 0
        let negative = text.first == UInt8(ascii: "-")
        for byte in text.dropFirst(negative ? 1 : 0) {
            let (times, over1) = value.multipliedReportingOverflow(by: 10)
            let (sum, over2) = negative ? times.subtractingReportingOverflow(Int(byte - 48)) : times.addingReportingOverflow(Int(byte - 48))
            guard !over1, !over2 else { return nil }
            value = sum
        }
        return value
    }

    /// A number's nearest double (the standard library's correctly rounded parse).
    private static func real(_ text: UnsafeBufferPointer<UInt8>.SubSequence) -> Double? {
        Double(String(decoding: text, as: UTF8.self))
    }

    private func peek() -> UInt8? { position < bytes.count ? bytes[position] : nil }

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    /// Skips whitespace, then `byte` if it is next; whether it was.
    private mutating func consume(_ byte: UInt8) -> Bool {
        skipWhitespace()
        return consumeByte(byte)
    }

    private mutating func consumeByte(_ byte: UInt8) -> Bool {
        guard peek() == byte else { return false }
        position += 1
        return true
    }

    private mutating func expect(_ byte: UInt8) throws {
        guard consume(byte) else { throw Mismatch() }
    }

    /// `word` if it comes next (the bytes of a keyword, or `\u`).
    private mutating func literal(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard position + count <= bytes.count else { return false }
        for offset in 0..<count where bytes[position + offset] != word.utf8Start[offset] { return false }
        position += count
        return true
    }
}
