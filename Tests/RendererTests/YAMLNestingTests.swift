import Foundation
import Testing
import Yams
@testable import Renderer

/// `YAMLNesting`: its measure is never below the depth libyaml nests to, and stays small for the
/// YAML courses really have.
@Suite struct YAMLNestingTests {
    /// The fewest levels the text stays within.
    func levels(_ text: String) -> Int {
        (0...).first { YAMLNesting.lineDeeperThan($0, in: text) == nil }!
    }

    /// The depth of collections Yams composed (no aliases in these texts).
    func depth(_ node: Node) -> Int {
        switch node {
        case .scalar: 0
        case .sequence(let items): 1 + (items.map(depth).max() ?? 0)
        case .mapping(let pairs): 1 + (pairs.map { max(depth($0.key), depth($0.value)) }.max() ?? 0)
        }
    }

    @Test func theYAMLOfRealNotesMeasuresAFewLevels() {
        let directive = """
            model: lstm
            steps: 3
            inputs: [[0.5, -1], [1, 0], [0, 1]]
            caption: 'The forget gate $f_t = \\sigma(W_f [h_{t-1}, x_t] + b_f)$ keeps what it keeps: it''s [0, 1).'
            title: "An \\"LSTM\\" cell # not a comment"
            id: forget-gate   # a comment with a ] and a '
            """
        let course = "title: Notes\nchapters:\n  - notes/01-neuron.md\n  - notes/02-mlp.md\n"
        // A quote or bracket that may or may not be text costs a level or two; the limit is 100.
        #expect(levels(directive) <= 8)
        #expect(levels(course) <= 3)
    }

    @Test func whereTheTextIsAmbiguousTheMeasureErrsHigh() {
        // Each nests 150 levels deep in libyaml (the last three are errors only after that).
        let cases = [
            // A quote inside a plain scalar starts nothing: the lines after it nest for real.
            "k: it 'is\n" + (0..<150).map { String(repeating: " ", count: $0) + "k\($0):" }.joined(separator: "\n") + " x",
            // A quoted scalar's next line may start at column 0: the mappings around it stay open.
            (0..<150).map { String(repeating: " ", count: $0) + "k: 'x\ny'\n" + String(repeating: " ", count: $0) + "n:" }
                .joined(separator: "\n") + " x",
            // A `]` in a tag, a comment or a quoted scalar closes nothing.
            String(repeating: "[!<a]> ", count: 150) + "x" + String(repeating: "]", count: 150),
            String(repeating: "[", count: 150) + " # " + String(repeating: "]", count: 150),
            String(repeating: "[", count: 150) + " '" + String(repeating: "]", count: 150) + "'",
        ]
        for (number, text) in cases.enumerated() {
            #expect(YAMLNesting.lineDeeperThan(100, in: text) != nil, "case \(number)")
            if number < 3 { #expect((try? Yams.compose(yaml: text)).flatMap { $0 }.map(depth) == 150, "case \(number)") }
        }
    }

    @Test func theMeasureIsNeverBelowWhatYamsComposes() {
        // Seeded random texts from YAML's structural pieces, quotes and line breaks of every kind.
        let pieces = ["- ", "? ", ": ", ":", "-", "[", "]", "{", "}", ",", "'", "''", "\"", "\\", "#", " #", "\n", "\n",
                      " ", "  ", "    ", "a", "k: ", "- - ", "!t ", "&a ", "%", "|", ">", "\t", "\r", "\r\n", "\u{FEFF}",
                      "\u{85}", "\u{2028}", "---", "...", "'a'", "\"a\"", "[[", "]]"]
        var random = SplitMix(seed: 11)
        var composed = 0
        for _ in 0..<5_000 {
            let text = (0..<(1 + random.next() % 60)).map { _ in pieces[Int(random.next() % UInt64(pieces.count))] }.joined()
            guard let node = try? Yams.compose(yaml: text) else { continue }
            composed += 1
            #expect(depth(node) <= 2 * levels(text) + 1, "\(text.debugDescription)")
        }
        #expect(composed > 200)
    }
}
