/// Unique heading ids, GitHub style (github-slugger): lower-cased; letters, digits, marks,
/// `_` and `-` kept; every space becomes `-`; all other characters (punctuation, symbols)
/// dropped. A repeat gets `-1`, `-2`, … (skipping any id already taken); a heading with no
/// id characters at all gets `section`.
///
///     "Forget gate" → forget-gate, "Forget gate" → forget-gate-1, "$W_f$ & $b_f$?" → wf--bf
public struct HeadingIDs: Sendable {
    private var taken: Set<String> = []

    public init() {}

    /// The GitHub slug of `text`, before making it unique.
    public static func slug(_ text: String) -> String {
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return asciiSlug(text) }
        var slug = ""
        for scalar in text.lowercased().unicodeScalars {
            switch scalar.properties.generalCategory {
            case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
                 .decimalNumber, .letterNumber, .otherNumber,
                 .nonspacingMark, .spacingMark, .enclosingMark, .connectorPunctuation:
                slug.unicodeScalars.append(scalar)
            default:
                if scalar == " " || scalar == "-" { slug.unicodeScalars.append("-") }
            }
        }
        return slug.isEmpty ? "section" : slug
    }

    /// `slug` of an ASCII text, byte by byte (most headings; the general categories of ASCII are
    /// letters, digits and `_` as the connector punctuation).
    private static func asciiSlug(_ text: String) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): bytes.append(byte | 0x20)
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"): bytes.append(byte)
            case UInt8(ascii: " "), UInt8(ascii: "-"): bytes.append(UInt8(ascii: "-"))
            default: break
            }
        }
        return bytes.isEmpty ? "section" : String(decoding: bytes, as: UTF8.self)
    }

    /// A slug of `text` not returned before by this instance.
    public mutating func id(for text: String) -> String {
        let base = Self.slug(text)
        var candidate = base
        var counter = 0
        while taken.contains(candidate) {
            counter += 1
            candidate = "\(base)-\(counter)"
        }
        taken.insert(candidate)
        return candidate
    }
}
