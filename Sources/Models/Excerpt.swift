extension StringProtocol {
    /// The text as an error message quotes it: on one line (line breaks and other control
    /// characters written as `\n`, `\t`, `\u{1}`), and at most `excerptLength` characters, the rest
    /// replaced by `…` and the full length. A message that quotes a value stays one readable line
    /// however long the value is (a megabyte of YAML, a runaway alias).
    public var excerpt: String {
        let end = index(startIndex, offsetBy: excerptLength, limitedBy: endIndex) ?? endIndex
        var text = ""
        for scalar in self[..<end].unicodeScalars {
            switch scalar {
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case _ where scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar == "\u{2028}" || scalar == "\u{2029}":
                text += "\\u{\(String(scalar.value, radix: 16))}"
            default: text.unicodeScalars.append(scalar)
            }
        }
        return end == endIndex ? text : text + "… (\(count) characters)"
    }
}

/// How many characters of a value an error message quotes.
public let excerptLength = 200
