import Foundation
import Testing
@testable import Renderer

@Suite struct SiteRobustnessTests {
    @Test func oddPagesBuildAndOddDirectivesAreErrorsNotCrashes() throws {
        let course = try TestCourse([
            "notes/empty.md": "",
            "notes/only-front-matter.md": "---\n---\n",
            "notes/unterminated-front-matter.md": "---\ntitle: never closed\n\ntext\n",
            "notes/bad-front-matter.md": "---\ntitle: [unclosed\n---\n# Body\n",
            "notes/unclosed-fence.md": "# Fence\n\n```unrolled\nmodel: neuron\n",
            "notes/scalar.md": "```unrolled\n42\n```\n",
            "notes/mapping-value.md": "```unrolled\nmodel: neuron\nx: {a: 1}\n```\n",
            "notes/number-model.md": "```unrolled\nmodel: 5\n```\n",
            "notes/empty-directive.md": "```unrolled\n```\n",
        ])
        var garbage = SeededBytes(seed: 7)
        try Data((0..<20_000).map { _ in garbage.next() }).write(to: course.course.appendingPathComponent("notes/garbage.md"))
        let failures = course.failures()
        #expect(failures == [
            "notes/bad-front-matter.md:3:1: front matter is not valid YAML: did not find expected ',' or ']'",
            "notes/empty-directive.md:1: an `unrolled` block needs `model: <demo>` (see `unrolled demos`) or `src: traces/<file>.json`",
            "notes/mapping-value.md:3: x: 'a mapping' is not valid; expected 1 to 16 numbers in -1000000…1000000, comma-separated",
            "notes/number-model.md:2: unknown model '5' — `unrolled demos` lists the models",
            "notes/scalar.md:1: an `unrolled` block needs `model: <demo>` (see `unrolled demos`) or `src: traces/<file>.json`",
        ])
        for name in ["empty", "only-front-matter", "unterminated-front-matter", "bad-front-matter", "unclosed-fence", "scalar", "mapping-value", "number-model", "empty-directive", "garbage"] {
            try course.write("notes/\(name).md", name == "unclosed-fence" ? "# Fence\n\n```unrolled\nmodel: neuron\n" : "# \(name)\n")
        }
        try course.build()
        #expect(try course.page("notes/unclosed-fence.html").contains(#"<unrolled-trace id="unclosed-fence-1""#))
    }
}

/// Reproducible bytes for garbage input (SplitMix64).
private struct SeededBytes {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt8 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return UInt8(truncatingIfNeeded: z ^ (z >> 31))
    }
}
