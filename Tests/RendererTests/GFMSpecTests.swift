import Foundation
import Testing
@testable import Renderer

/// The example suites of cmark-gfm (`../shared/spec/`, see its README): the renderer must
/// change nothing cmark-gfm does, except where math delimiters appear.
@Suite struct GFMSpecTests {
    struct Example {
        var file: String
        var number: Int
        var line: Int
        var extensions: [String]
        var markdown: String
        var html: String

        var hasMathDelimiters: Bool {
            markdown.contains("$") || markdown.contains("\\(") || markdown.contains("\\[")
        }
    }

    static let specDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/spec")

    /// Examples: a line of 32 backticks and `example` (then extension names), the Markdown,
    /// a line `.`, the HTML, a line of 32 backticks. `→` is a tab.
    static func examples(in file: String) throws -> [Example] {
        let text = try String(contentsOf: specDirectory.appendingPathComponent(file), encoding: .utf8)
        let fence = String(repeating: "`", count: 32)
        var examples: [Example] = []
        var current: Example?
        var inHTML = false
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = String(line)
            if current == nil {
                if line.hasPrefix(fence + " example") {
                    let extensions = line.dropFirst(fence.count + " example".count).split(separator: " ").map(String.init)
                    current = Example(file: file, number: examples.count + 1, line: index + 1, extensions: extensions, markdown: "", html: "")
                    inHTML = false
                }
            } else if line == fence {
                examples.append(current!)
                current = nil
            } else if line == "." && !inHTML {
                inHTML = true
            } else {
                let restored = line.replacingOccurrences(of: "→", with: "\t") + "\n"
                if inHTML { current!.html += restored } else { current!.markdown += restored }
            }
        }
        return examples
    }

    /// Whitespace between tags removed, and the renderer's heading ids and anchors taken out
    /// (a deliberate addition the spec does not know).
    static func normalized(_ html: String) -> String {
        html.replacing(/<h([1-6]) id="[^"]*"><a class="anchor" href="#[^"]*" aria-hidden="true" tabindex="-1">#<\/a>/) { "<h\($0.output.1)>" }
            .replacing(/>\s+</, with: "><")
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Where the expected HTML was written for another cmark-gfm version than Debian's
    /// 0.29.0.gfm.6: footnote ids are `fn-1`/`fnref-1` with `data-footnote-ref` attributes now.
    static let libraryDifferences: [String: Set<Int>] = ["extensions.txt": [23]]

    @Test(arguments: ["spec.txt", "extensions.txt"])
    func examplesWithoutMathRenderAsCmarkGFMDoes(file: String) throws {
        guard FileManager.default.fileExists(atPath: Self.specDirectory.path) else {
            print("GFM spec: skipped, \(Self.specDirectory.path) is absent")
            return
        }
        let examples = try Self.examples(in: file)
        #expect(!examples.isEmpty)
        var passed = 0, failed: [Int] = [], math: [Int] = [], skipped: [Int] = []
        for example in examples {
            if example.extensions.contains("disabled") || example.html == "<IGNORE>\n"
                || Self.libraryDifferences[file]?.contains(example.number) == true {
                skipped.append(example.number)
                continue
            }
            // As cmark-gfm's own runner: spec.txt examples with the extensions they name,
            // extensions.txt examples with all of them.
            let all = file == "extensions.txt"
            let document = MarkdownDocument(
                example.markdown,
                extensions: all ? MarkdownDocument.extensions : example.extensions,
                footnotes: all || example.extensions.contains("footnotes"))
            let actual = Self.normalized(document.render())
            if example.hasMathDelimiters {
                math.append(example.number)
                let same = actual == Self.normalized(example.html)
                print("GFM spec \(file) example \(example.number) has math delimiters (\(same ? "same as cmark-gfm" : "differs")):\n\(example.markdown)\(same ? "" : "--- cmark-gfm\n\(example.html)--- renderer\n\(actual)\n")")
            } else if actual == Self.normalized(example.html) {
                passed += 1
            } else {
                failed.append(example.number)
                print("GFM spec \(file) example \(example.number) (line \(example.line)):\n\(example.markdown)--- expected\n\(example.html)--- actual\n\(actual)\n")
            }
        }
        print("""
            GFM spec \(file): \(passed) of \(examples.count - math.count - skipped.count) examples without math pass \
            (\(examples.count) in all); failed: \(failed); skipped (disabled, <IGNORE>, library version): \(skipped); \
            with math delimiters, not asserted: \(math)
            """)
        #expect(failed.isEmpty, "\(file): examples \(failed) differ from cmark-gfm")
    }
}
