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

    /// The top-level paragraphs of `bytes` (parsed by cmark as `root`) that are tables: their first
    /// and last lines and their number of cells, and the text's lines.
    private struct Blocks {
        var list: [(first: Int, last: Int, cells: Int, paragraph: OpaquePointer)] = []
        var lineStarts = [0]
        let bytes: [UInt8]

        init(_ bytes: [UInt8], root: OpaquePointer) {
            self.bytes = bytes
            for (index, byte) in bytes.enumerated() where byte == 0x0A { lineStarts.append(index + 1) }
            var child = cmark_node_first_child(root)
            while let node = child {
                child = cmark_node_next(node)
                guard cmark_node_get_type(node) == CMARK_NODE_PARAGRAPH else { continue }
                let first = Int(cmark_node_get_start_line(node)), last = Int(cmark_node_get_end_line(node))
                guard first >= 1, last > first, last <= lineStarts.count else { continue }
                let cells = line(first).count(where: { $0 == 0x09 }) + 1
                guard cells >= 2, cells <= TabTables.maxCells, (first + 1...last).allSatisfy({ line($0).count(where: { $0 == 0x09 }) + 1 == cells }) else { continue }
                list.append((first, last, cells, node))
            }
        }

        /// The bytes of 1-based line `number`, without its line break (nor a `\r` before it).
        func line(_ number: Int) -> ArraySlice<UInt8> {
            let start = lineStarts[number - 1]
            var end = number < lineStarts.count ? lineStarts[number] - 1 : bytes.count
            if end > start, bytes[end - 1] == 0x0D { end -= 1 }
            return bytes[start..<end]
        }

        /// A block as a pipe table of its own: its header row, the delimiter row, its other rows.
        func table(_ block: (first: Int, last: Int, cells: Int, paragraph: OpaquePointer)) -> [UInt8] {
            var output: [UInt8] = []
            for number in block.first...block.last {
                output += TabTables.row(line(number))
                output.append(0x0A)
                if number == block.first { output += ("|" + String(repeating: " --- |", count: block.cells) + "\n").utf8 }
            }
            return output
        }
    }

    /// The tables of `text`, whose parse by cmark is `root`; nil when there are none (no
    /// paragraph qualifies), so a page without tabs costs one scan for a tab byte.
    init?(_ bytes: [UInt8], root: OpaquePointer) {
        guard bytes.contains(0x09) else { return nil }
        let blocks = Blocks(bytes, root: root)
        guard !blocks.list.isEmpty else { return nil }
        self.init(blocks)
    }

    private init(_ blocks: Blocks) {
        let bytes = blocks.bytes
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + bytes.count / 4)
        var inserted: [Int] = []
        var copied = 0
        for block in blocks.list {
            output += bytes[copied..<blocks.lineStarts[block.first - 1]]
            output += blocks.table(block)
            inserted.append(block.first + inserted.count + 1)
            copied = block.last < blocks.lineStarts.count ? blocks.lineStarts[block.last] : bytes.count
        }
        if copied < bytes.count { output += bytes[copied...] }
        // The source's last line may have had no line break; the rewritten block's always has one.
        text = output
        insertedLines = inserted
    }

    /// How a page's tables are made: in place, or by parsing the whole page again.
    enum Made {
        /// Each table parsed on its own and put in place of its paragraph in the page's tree: the
        /// tables' nodes, each with its first line in the source (`spliced` for the lines of their
        /// cells), and the parsers that made them, to be freed with the tree.
        case spliced([OpaquePointer: Int], parsers: [OpaquePointer])
        /// The page's text rewritten, to be parsed again whole.
        case rewritten(TabTables)
    }

    /// The tables of `bytes` (parsed as `root`), each parsed by `parse` on its own (a few lines) and
    /// spliced into `root` in place of its paragraph; nil when there are none. The page is parsed
    /// once, not twice (a second parse of every page with a pasted table was a seventh of a
    /// 200-page build). Only a link reference or footnote definition elsewhere on the page (`]:`
    /// anywhere in its text) could change what a cell means, so such a page is rewritten and parsed
    /// again whole instead, as is one whose table does not come out as one table.
    static func make(
        _ bytes: [UInt8], root: OpaquePointer, parse: ([UInt8]) -> (parser: OpaquePointer, root: OpaquePointer)
    ) -> Made? {
        guard bytes.contains(0x09) else { return nil }
        let blocks = Blocks(bytes, root: root)
        guard !blocks.list.isEmpty else { return nil }
        if bytes.indices.dropLast().contains(where: { bytes[$0] == UInt8(ascii: "]") && bytes[$0 + 1] == UInt8(ascii: ":") }) {
            return .rewritten(TabTables(blocks))
        }
        var parsed: [(parser: OpaquePointer, root: OpaquePointer, table: OpaquePointer)] = []
        for block in blocks.list {
            let (parser, tableRoot) = parse(blocks.table(block))
            let table = cmark_node_first_child(tableRoot)
            // The table extension's node type is not in its headers: its name is.
            guard let table, cmark_node_next(table) == nil, String(cString: cmark_node_get_type_string(table)) == "table" else {
                for made in parsed + [(parser, tableRoot, tableRoot)] {
                    cmark_node_free(made.root)
                    cmark_parser_free(made.parser)
                }
                return .rewritten(TabTables(blocks))
            }
            parsed.append((parser, tableRoot, table))
        }
        var starts: [OpaquePointer: Int] = [:]
        for (block, made) in zip(blocks.list, parsed) {
            cmark_node_unlink(made.table)
            cmark_node_insert_before(block.paragraph, made.table)
            cmark_node_free(block.paragraph)  // unlinks it
            cmark_node_free(made.root)
            starts[made.table] = block.first
        }
        return .spliced(starts, parsers: parsed.map(\.parser))
    }

    /// The source's line of a node inside a spliced table, from its line in the table's own parse
    /// (1 the header row, 2 the delimiter row, which counts as the header's, then the other rows).
    static func sourceLine(_ line: Int, inTableAt first: Int) -> Int {
        first + max(line - 2, 0)
    }

    /// A pipe-table row: `| cell | cell |`, every `|` inside a cell as `\|`.
    fileprivate static func row(_ line: ArraySlice<UInt8>) -> [UInt8] {
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
