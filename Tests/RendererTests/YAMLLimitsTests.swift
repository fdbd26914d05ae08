import Foundation
import Testing
import Yams
@testable import Renderer

/// The limits every YAML text of a course is read under (`BoundedYAML`), and errors that name the
/// line and quote at most a short excerpt of a value. (Nesting deep enough to crash Yams is tested
/// end to end, in unrolledTests' HostileYAMLTests.)
@Suite struct YAMLLimitsTests {
    /// The size limit of docs/site.md.
    let mebibyte = 1 << 20

    func directiveErrors(_ body: String) -> [String] {
        guard case .failure(let failure) = Directive.parse(body: body, file: "notes/a.md", line: 10) else { return [] }
        return failure.diagnostics.map(\.description)
    }

    @Test func aDocumentOverOneMebibyteIsRefusedAtItsFirstLine() {
        let body = "model: neuron\ncaption: " + String(repeating: "a", count: mebibyte) + "\n"
        #expect(directiveErrors(body) == [
            "notes/a.md:11: the `unrolled` block is \(body.utf8.count) bytes of YAML, more than the 1048576 (1 MiB) allowed; keep long data in a file of its own"
        ])
    }

    @Test func aliasesExpandingPastTheValueLimitAreRefusedWithAShortMessage() {
        // Five levels of nine aliases: 59,049 ones, each once quoted whole in the error.
        var yaml = "model: neuron\na0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1]\n"
        for level in 1...4 {
            yaml += "a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 9).joined(separator: ", ") + "]\n"
        }
        let errors = directiveErrors(yaml + "x: *a4\n")
        #expect(errors.count == 6)
        #expect(errors.allSatisfy { $0.count < 400 }, "\(errors.map { $0.prefix(400) })")
        let bomb = directiveErrors(yaml + "a5: &a5 [" + Array(repeating: "*a4", count: 9).joined(separator: ", ") + "]\n"
            + "a6: &a6 [" + Array(repeating: "*a5", count: 9).joined(separator: ", ") + "]\n")
        #expect(bomb.count == 1)
        #expect(bomb.first?.contains("holds more than 1000000 values once its aliases (`*name`) are expanded; repeat less") == true)
    }

    @Test func errorsQuoteAtMost200CharactersOfAValue() throws {
        let long = String(repeating: "x", count: 100_000)
        var messages = directiveErrors("model: \(long)\n")
        messages += directiveErrors("model: neuron\nid: \(long)\n")
        messages += directiveErrors("model: neuron\n? \(long)\n: 1\n")
        messages += directiveErrors("model: neuron\nactivation: \(long)\n")
        messages += directiveErrors("model: neuron\nx: '\(long)'\n")
        messages += directiveErrors("model: skipgram\nword: \(long)\n")
        messages += directiveErrors("src: traces/x.json\n? \(long)\n: 1\n")
        messages += FrontMatter.split("---\norder: \(long)\n? \(long)\n---\n", file: "a.md").diagnostics.map(\.description)
        let course = try TestCourse(["course.yml": "? \(long)\n: 1\n"])
        messages += CourseConfig.load(from: course.course).1.map(\.description)
        #expect(messages.count == 10)
        for message in messages {
            #expect(message.count < 400, "\(message.prefix(400))")
            #expect(message.contains("… (100000 characters)"), "\(message.prefix(400))")
        }
    }

    @Test func aQuotedValueStaysOnOneLine() {
        #expect(directiveErrors("model: \"lstm\\nnext\\tline\\u0001\"\n")
            == ["notes/a.md:11: unknown model 'lstm\\nnext\\tline\\u{1}' — `unrolled demos` lists the models"])
    }

    @Test func courseYAMLErrorsNameTheLineAndColumn() throws {
        // libyaml's reader refuses control characters; Yams reports their offset, not their line.
        let control = try TestCourse(["course.yml": "title: A\nauthor: B\u{1}C\n"])
        #expect(CourseConfig.load(from: control.course).1.map(\.description)
            == ["course.yml:2:10: course.yml is not valid YAML: control characters are not allowed"])
        let syntax = try TestCourse(["course.yml": "title: A\nchapters: [a.md\n"])
        #expect(CourseConfig.load(from: syntax.course).1.map(\.description)
            == ["course.yml:3:1: course.yml is not valid YAML: did not find expected ',' or ']'"])
    }

    @Test func frontMatterAndDirectiveErrorsCountFromTheirFirstLine() {
        #expect(FrontMatter.split("---\ntitle: A\nsummary: \u{7F}\n---\n", file: "a.md").diagnostics.map(\.description)
            == ["a.md:3:10: front matter is not valid YAML: control characters are not allowed"])
        // A fenced block may be indented in the page, so its errors give the line only.
        #expect(directiveErrors("model: neuron\nx: [1,\n") == [
            "notes/a.md:13: the `unrolled` block is not valid YAML: did not find expected node content; write one `name: value` per line"
        ])
    }

    @Test func aLongCourseYAMLIsReadNoFurtherThanTheLimit() throws {
        let course = try TestCourse(["course.yml": "title: A\n" + String(repeating: "#", count: 2 * mebibyte) + "\n"])
        #expect(CourseConfig.load(from: course.course).1.map(\.description)
            == ["course.yml:1: course.yml is \(mebibyte + 1) bytes of YAML, more than the 1048576 (1 MiB) allowed; keep long data in a file of its own"])
    }
}
