extension StringProtocol {
    /// The text as an error message quotes it: on one line (line breaks and other control
    /// characters written as `\n`, `\t`, `\u{1}`), and at most `excerptLength` characters so
    /// written, the rest replaced by `…` and the full length. A message that quotes a value stays
    /// one readable line however long the value is (a megabyte of YAML, a runaway alias).
    public var excerpt: String {
        var text = ""
        var length = 0
        for scalar in unicodeScalars {
            let shown = switch scalar {
            case "\n": "\\n"
            case "\r": "\\r"
            case "\t": "\\t"
            case _ where scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar == "\u{2028}" || scalar == "\u{2029}":
                "\\u{\(String(scalar.value, radix: 16))}"
            default: String(scalar)
            }
            // Escapes count as written (a control character is six), so that the line stays short.
            length += shown.unicodeScalars.count
            if length > excerptLength { return text + "… (\(count) characters)" }
            text += shown
        }
        return text
    }
}

/// How many characters of a value an error message quotes.
public let excerptLength = 200
