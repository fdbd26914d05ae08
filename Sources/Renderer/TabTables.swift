import CCmarkGFM

/// Tab-separated tables: text pasted from a spreadsheet, a word processor or a web page keeps its
/// cells apart with tabs, and Markdown alone runs the lines together into one paragraph.
///
/// A top-level paragraph of two lines or more, every line of which has the same number (at least
/// two, at most `maxCells`) of tab-separated cells, becomes a table; its first line is the header
/// row. Cells hold inline Markdown as in a GFM table (emphasis, code, links, math, inline HTML).
/// Every tab separates, a leading or trailing one too (an empty first or last cell); so does a
/// tab inside a code span. Code (fenced or indented), HTML blocks and paragraphs inside lists or
/// blockquotes are never read as tables.
///
/// The page's text is rewritten as a GFM pipe table, each `|` of a cell escaped as `\|` (the
/// table extension removes exactly that backslash again), and parsed once more; the delimiter row
/// inserted under each header is one line more, which `sourceLine` takes away again, so every
/// node keeps the line it has in the source.
struct TabTables {
    /// The most cells a line may have: cmark-gfm's table extension takes time quadratic in a
    /// row's cells (25,000 take seconds), and pasted tables have tens.
    static let maxCells = 128

    /// The page's (math-protected) text with each table block rewritten, as UTF-8.
    let text: [UInt8]
    /// The lines of the rewritten text that the source does not have (the delimiter rows), ascending.
    let insertedLines: [Int]

    /// The tables of `text`, whose parse by cmark is `root`; nil when there are none (no
    /// paragraph qualifies), so a page without tabs costs one scan for a tab byte.
    init?(_ bytes: [UInt8], root: OpaquePointer) {
        guard bytes.contains(0x09) else { return nil }
        var lineStarts = [0]
        for (index, byte) in bytes.enumerated() where byte == 0x0A { lineStarts.append(index + 1) }
        /// The bytes of 1-based line `number`, without its line break (nor a `\r` before it).
        func line(_ number: Int) -> ArraySlice<UInt8> {
            let start = lineStarts[number - 1]
            var end = number < lineStarts.count ? lineStarts[number] - 1 : bytes.count
            if end > start, bytes[end - 1] == 0x0D { end -= 1 }
            return bytes[start..<end]
        }
        var blocks: [(first: Int, last: Int, cells: Int)] = []
        var child = cmark_node_first_child(root)
        while let node = child {
            child = cmark_node_next(node)
            guard cmark_node_get_type(node) == CMARK_NODE_PARAGRAPH else { continue }
            let first = Int(cmark_node_get_start_line(node)), last = Int(cmark_node_get_end_line(node))
            guard first >= 1, last > first, last <= lineStarts.count else { continue }
            let cells = line(first).count(where: { $0 == 0x09 }) + 1
            guard cells >= 2, cells <= Self.maxCells, (first + 1...last).allSatisfy({ line($0).count(where: { $0 == 0x09 }) + 1 == cells }) else { continue }
            blocks.append((first, last, cells))
        }
        guard !blocks.isEmpty else { return nil }

        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + bytes.count / 4)
        var inserted: [Int] = []
        var copied = 0
        for block in blocks {
            output += bytes[copied..<lineStarts[block.first - 1]]
            for number in block.first...block.last {
                output += Self.row(line(number))
                output.append(0x0A)
                if number == block.first {
                    output += ("|" + String(repeating: " --- |", count: block.cells) + "\n").utf8
                    inserted.append(number + inserted.count + 1)
                }
            }
            copied = block.last < lineStarts.count ? lineStarts[block.last] : bytes.count
        }
        if copied < bytes.count { output += bytes[copied...] }
        // The source's last line may have had no line break; the rewritten block's always has one.
        self.text = output
        insertedLines = inserted
    }

    /// A pipe-table row: `| cell | cell |`, every `|` inside a cell as `\|`.
    private static func row(_ line: ArraySlice<UInt8>) -> [UInt8] {
        var row: [UInt8] = [0x7C, 0x20]  // "| "
        row.reserveCapacity(line.count + line.count / 8 + 4)
        for byte in line {
            switch byte {
            case 0x09: row += [0x20, 0x7C, 0x20]  // " | "
            case 0x7C: row += [0x5C, 0x7C]  // "\|"
            default: row.append(byte)
            }
        }
        row += [0x20, 0x7C]  // " |"
        return row
    }

    /// The source's line for a line of the rewritten text (a delimiter row counts as its header's).
    static func sourceLine(_ line: Int, inserted: [Int]) -> Int {
        guard !inserted.isEmpty else { return line }
        // The number of inserted lines at or above `line`, by binary search.
        var low = 0, high = inserted.count
        while low < high {
            let middle = (low + high) / 2
            if inserted[middle] <= line { low = middle + 1 } else { high = middle }
        }
        return line - low
    }
}
