/// The holes `MarkdownDocument.prerender` leaves in a page's HTML, where a link or a fenced code
/// block goes once the rest of the site is known, and how `render` fills them.
///
/// A hole is U+E003, its number in decimal, U+E004: private-use characters that no source can
/// hold (`MathScanner` turns U+E000–U+E004 into U+FFFD), so every one in cmark's output is ours.
/// A link's hole is a custom inline (exactly the marker); a code block's is a custom block, so
/// cmark writes it on a line of its own, the marker and a line break, as it writes any block.
enum RenderHoles {
    /// The marker of hole `number`.
    static func marker(_ number: Int) -> String {
        "\u{E003}\(number)\u{E004}"
    }

    /// `html` with each hole's marker replaced by `filling(number)`. A code block's hole
    /// (`isBlock(number)`) takes its marker's line break too, and its filling ends its line.
    static func fill(_ html: [UInt8], isBlock: (Int) -> Bool, _ filling: (Int) -> String) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(html.count + html.count / 4)
        var cursor = 0
        html.withUnsafeBufferPointer { bytes in
            while let start = next(in: bytes, from: cursor) {
                output.append(contentsOf: bytes[cursor..<start.at])
                cursor = start.end
                var text = filling(start.number)
                if isBlock(start.number) {
                    if cursor < bytes.count, bytes[cursor] == 0x0A { cursor += 1 }
                    if !text.hasSuffix("\n") { text += "\n" }
                }
                output.append(contentsOf: text.utf8)
            }
            output.append(contentsOf: bytes[cursor...])
        }
        return output
    }

    /// The next whole marker at or after `from`: where it starts and ends, and its number.
    private static func next(in bytes: UnsafeBufferPointer<UInt8>, from: Int) -> (at: Int, end: Int, number: Int)? {
        var at = from
        while let lead = firstOffset(of: 0xEE, in: bytes, from: at, to: bytes.count) {
            at = lead + 1
            guard lead + 2 < bytes.count, bytes[lead + 1] == 0x80, bytes[lead + 2] == 0x83 else { continue }
            var digit = lead + 3, number = 0
            while digit < bytes.count, (0x30...0x39).contains(bytes[digit]), number < 1 << 40 {
                number = number * 10 + Int(bytes[digit] - 0x30)
                digit += 1
            }
            guard digit > lead + 3, digit + 2 < bytes.count, bytes[digit] == 0xEE, bytes[digit + 1] == 0x80, bytes[digit + 2] == 0x84
            else { continue }
            return (lead, digit + 3, number)
        }
        return nil
    }
}
