import Foundation

/// A place in a text file: 1-based line and column. The column counts characters, not bytes,
/// as editors do.
public struct TextPosition: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    /// `12:5`, the form that follows a file name in `file:line:column`.
    public var description: String { "\(line):\(column)" }

    /// Earlier in the text first.
    public static func < (a: TextPosition, b: TextPosition) -> Bool {
        (a.line, a.column) < (b.line, b.column)
    }
}

/// A small JSON walker that knows where it is in the bytes: it finds the first syntax error, or
/// the line and column where the value at a `JSONPath` starts.
///
/// `JSONDecoder` names a coding path at best, never a line, and a person fixing a trace by hand
/// needs both. The walker runs only once something is wrong, so it favours plainness over speed.
public enum JSONLocator {
    /// The first syntax error in `data` and where it is, or nil when the bytes are one well-formed
    /// JSON value (whitespace around it allowed).
    public static func syntaxError(in data: Data) -> (message: String, position: TextPosition)? {
        var scanner = JSONScanner(data)
        do throws(JSONScanner.Failure) {
            try scanner.skipValue(depth: 0)
            scanner.skipWhitespace()
            if !scanner.atEnd { throw scanner.failure("unexpected \(scanner.currentText) after the JSON value") }
            return nil
        } catch {
            return (error.message, scanner.position(of: error.offset))
        }
    }

    /// The first number literal (in document order) for which `unreadable(path, literal)` is true:
    /// its path, its text and where it is. `JSONDecoder` reports a number that does not fit its
    /// field (`1.5` for an id, `1e400`) with neither path nor line, so the caller names which fit.
    static func firstNumber(
        in data: Data, where unreadable: (JSONPath, String) -> Bool
    ) -> (path: JSONPath, literal: String, position: TextPosition)? {
        var scanner = JSONScanner(data)
        var path: [JSONPath.Component] = []
        var found: (JSONPath, String)?
        // The walk calls the visitor only while it runs; it never keeps it.
        let start = withoutActuallyEscaping(unreadable) { unreadable in
            try? scanner.walk(depth: 0, path: &path) { path, literal in
                guard unreadable(JSONPath(path), literal) else { return false }
                found = (JSONPath(path), literal)
                return true
            }
        }
        guard let offset = start, let (path, literal) = found else { return nil }
        return (path, literal, scanner.position(of: offset))
    }

    /// Where the value at `path` starts. When the document has no such value, where its deepest
    /// existing ancestor starts (the object that lacks a key, say). Nil when the bytes are not
    /// well-formed JSON on the way there.
    public static func position(of path: JSONPath, in data: Data) -> TextPosition? {
        var scanner = JSONScanner(data)
        guard let offset = try? scanner.locate(path.components[...], depth: 0) else { return nil }
        return scanner.position(of: offset)
    }
}

/// The walker behind `JSONLocator`: RFC 8259 grammar over UTF-8 bytes, one value at a time.
private struct JSONScanner {
    struct Failure: Error {
        let message: String
        let offset: Int
    }

    /// Deeper nesting is refused, as `JSONDecoder` refuses it: the walker recurses once per level,
    /// and a hostile file of a million `[` must not exhaust the stack.
    static let maxDepth = 512

    let bytes: [UInt8]
    var offset = 0

    init(_ data: Data) { bytes = [UInt8](data) }

    var atEnd: Bool { offset >= bytes.count }
    var current: UInt8? { atEnd ? nil : bytes[offset] }

    /// The current byte as an error message shows it.
    var currentText: String {
        guard let byte = current else { return "end of the file" }
        return (0x21...0x7E).contains(byte) ? "'\(Character(UnicodeScalar(byte)))'" : String(format: "byte 0x%02X", byte)
    }

    func failure(_ message: String, at offset: Int? = nil) -> Failure {
        Failure(message: message, offset: offset ?? self.offset)
    }

    func position(of offset: Int) -> TextPosition {
        var line = 1, lineStart = 0
        for index in 0..<min(offset, bytes.count) where bytes[index] == UInt8(ascii: "\n") {
            line += 1
            lineStart = index + 1
        }
        // Characters, not bytes: UTF-8 continuation bytes (10xxxxxx) do not start one.
        let column = 1 + bytes[lineStart..<min(offset, bytes.count)].count { $0 & 0xC0 != 0x80 }
        return TextPosition(line: line, column: column)
    }

    mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { offset += 1 }
    }

    mutating func skipValue(depth: Int) throws(Failure) {
        var path: [JSONPath.Component] = []
        _ = try walk(depth: depth, path: &path, visit: nil)
    }

    /// Walks the value that starts here, checking its syntax. With `visit`, keeps `path` up to date
    /// and calls `visit` with each number literal; returns the offset of the first one it accepts.
    mutating func walk(
        depth: Int, path: inout [JSONPath.Component], visit: ((_ path: [JSONPath.Component], _ literal: String) -> Bool)?
    ) throws(Failure) -> Int? {
        skipWhitespace()
        guard let byte = current else { throw failure("the file ends where a value should be") }
        switch byte {
        case UInt8(ascii: "{"):
            try enter(depth)
            var first = true
            while try another(UInt8(ascii: "}"), first: &first) {
                let key = try memberKey()
                if visit != nil { path.append(.key(key)) }
                if let hit = try walk(depth: depth + 1, path: &path, visit: visit) { return hit }
                if visit != nil { path.removeLast() }
            }
        case UInt8(ascii: "["):
            try enter(depth)
            var first = true, index = 0
            while try another(UInt8(ascii: "]"), first: &first) {
                if visit != nil { path.append(.index(index)) }
                if let hit = try walk(depth: depth + 1, path: &path, visit: visit) { return hit }
                if visit != nil { path.removeLast() }
                index += 1
            }
        case UInt8(ascii: "\""):
            _ = try string()
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let start = offset
            try number()
            if let visit, visit(path, String(decoding: bytes[start..<offset], as: UTF8.self)) { return start }
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        default:
            throw failure("unexpected \(currentText), expected a value")
        }
        return nil
    }

    /// Finds the value at `path` below the value that starts here; its offset, or that of the
    /// deepest ancestor that exists.
    mutating func locate(_ path: ArraySlice<JSONPath.Component>, depth: Int) throws(Failure) -> Int {
        skipWhitespace()
        let start = offset
        switch (path.first, current) {
        case (.key(let wanted), UInt8(ascii: "{")):
            try enter(depth)
            var first = true
            while try another(UInt8(ascii: "}"), first: &first) {
                if try memberKey() == wanted { return try locate(path.dropFirst(), depth: depth + 1) }
                try skipValue(depth: depth + 1)
            }
        case (.index(let wanted), UInt8(ascii: "[")):
            try enter(depth)
            var first = true, index = 0
            while try another(UInt8(ascii: "]"), first: &first) {
                if index == wanted { return try locate(path.dropFirst(), depth: depth + 1) }
                try skipValue(depth: depth + 1)
                index += 1
            }
        default:
            break
        }
        return start
    }

    private mutating func enter(_ depth: Int) throws(Failure) {
        guard depth < Self.maxDepth else { throw failure("arrays and objects nested more than \(Self.maxDepth) deep") }
        offset += 1
    }

    /// Inside an array or object: true when another element follows (its comma consumed), false
    /// at the closing bracket (consumed).
    private mutating func another(_ closing: UInt8, first: inout Bool) throws(Failure) -> Bool {
        skipWhitespace()
        if current == closing {
            offset += 1
            return false
        }
        if first {
            first = false
            return true
        }
        guard current == UInt8(ascii: ",") else {
            throw failure("unexpected \(currentText), expected ',' or '\(Character(UnicodeScalar(closing)))'")
        }
        offset += 1
        skipWhitespace()
        if current == closing { throw failure("unexpected '\(Character(UnicodeScalar(closing)))' after ',' (JSON allows no trailing comma)") }
        return true
    }

    /// `"key":` of an object member; the key.
    private mutating func memberKey() throws(Failure) -> String {
        skipWhitespace()
        guard current == UInt8(ascii: "\"") else { throw failure("unexpected \(currentText), expected a key in double quotes") }
        let key = try string()
        skipWhitespace()
        guard current == UInt8(ascii: ":") else { throw failure("unexpected \(currentText), expected ':' after the key") }
        offset += 1
        return key
    }

    /// A string literal, its escapes decoded.
    private mutating func string() throws(Failure) -> String {
        let start = offset
        offset += 1
        var decoded: [UInt8] = []
        while true {
            guard let byte = current else { throw failure("the string that starts here is never closed", at: start) }
            offset += 1
            switch byte {
            case UInt8(ascii: "\""):
                guard let text = String(validating: decoded, as: UTF8.self) else {
                    throw failure("the string that starts here is not valid UTF-8", at: start)
                }
                return text
            case UInt8(ascii: "\\"):
                try escape(into: &decoded)
            case 0x00..<0x20:
                throw failure("a control character (\(String(format: "0x%02X", byte))) inside a string must be escaped", at: offset - 1)
            default:
                decoded.append(byte)
            }
        }
    }

    private mutating func escape(into decoded: inout [UInt8]) throws(Failure) {
        let simple: [UInt8: UInt8] = [
            UInt8(ascii: "\""): 0x22, UInt8(ascii: "\\"): 0x5C, UInt8(ascii: "/"): 0x2F, UInt8(ascii: "b"): 0x08,
            UInt8(ascii: "f"): 0x0C, UInt8(ascii: "n"): 0x0A, UInt8(ascii: "r"): 0x0D, UInt8(ascii: "t"): 0x09,
        ]
        guard let byte = current else { throw failure("the file ends inside a string") }
        if let replacement = simple[byte] {
            offset += 1
            decoded.append(replacement)
            return
        }
        guard byte == UInt8(ascii: "u") else { throw failure("unknown escape '\\\(currentText)' in a string", at: offset - 1) }
        offset += 1
        var scalar = try hex4()
        if (0xD800..<0xDC00).contains(scalar), bytes[offset...].starts(with: [UInt8(ascii: "\\"), UInt8(ascii: "u")]) {
            offset += 2
            let low = try hex4()
            scalar = (0xDC00..<0xE000).contains(low) ? 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00) : 0xFFFD
        }
        decoded += Array(String(UnicodeScalar(scalar).map(Character.init) ?? "\u{FFFD}").utf8)
    }

    private mutating func hex4() throws(Failure) -> UInt32 {
        let digits = bytes[offset..<min(offset + 4, bytes.count)]
        guard digits.count == 4, digits.allSatisfy({ Character(UnicodeScalar($0)).isHexDigit }),
            let value = UInt32(String(decoding: digits, as: UTF8.self), radix: 16)
        else { throw failure("'\\u' must be followed by four hexadecimal digits") }
        offset += 4
        return value
    }

    private mutating func number() throws(Failure) {
        if current == UInt8(ascii: "-") { offset += 1 }
        if current == UInt8(ascii: "0") {
            offset += 1
        } else {
            try digits("a digit")
        }
        if current == UInt8(ascii: ".") {
            offset += 1
            try digits("a digit after the decimal point")
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            offset += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { offset += 1 }
            try digits("a digit in the exponent")
        }
    }

    private mutating func digits(_ expected: String) throws(Failure) {
        guard let byte = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else {
            throw failure("unexpected \(currentText), expected \(expected)")
        }
        while let byte = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) { offset += 1 }
    }

    private mutating func literal(_ word: String) throws(Failure) {
        guard bytes[offset...].starts(with: word.utf8) else {
            throw failure("unexpected \(currentText), expected a value (a bare word must be true, false or null)")
        }
        offset += word.utf8.count
    }
}
