import Foundation
import Testing

/// YAML that once crashed or hung `unrolled build` (a stack overflow in Yams' recursive composer,
/// an alias bomb walked value by value) is an error at file:line. Run in the binary, with a
/// timeout, so that a crash or a hang fails the test instead of the test run.
@Suite("hostile YAML")
struct HostileYAMLTests {
    func build(_ files: [String: String]) throws -> CLIResult {
        let course = try CLI.temporaryDirectory().appendingPathComponent("course")
        for (path, text) in files {
            let url = course.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        defer { try? FileManager.default.removeItem(at: course.deletingLastPathComponent()) }
        return try CLI.run(["build", course.path], timeout: 60)
    }

    @Test("20,000 levels of nesting in a directive, front matter or course.yml: an error naming the line")
    func deepNestingIsAnError() throws {
        let flow = String(repeating: "[", count: 20_000) + String(repeating: "]", count: 20_000)
        let compact = String(repeating: "- ", count: 20_000) + "x"
        let mappings = String(repeating: "{a: ", count: 20_000) + "b" + String(repeating: "}", count: 20_000)
        let cases: [([String: String], String)] = [
            (["notes/a.md": "# A\n\n```unrolled\nmodel: neuron\nx: \(flow)\n```\n"],
             "error: notes/a.md:5: the `unrolled` block nests more than 100 levels deep"),
            (["notes/a.md": "---\ntitle: A\nsummary:\n  \(compact)\n---\n# A\n"],
             "error: notes/a.md:4: front matter nests more than 100 levels deep"),
            (["course.yml": "title: Deep\ndescription: \(mappings)\n", "notes/a.md": "# A\n"],
             "error: course.yml:2: course.yml nests more than 100 levels deep"),
        ]
        for (files, expected) in cases {
            let result = try build(files)
            #expect(result.status == 1, "\(expected): status \(result.status)")
            #expect(result.standardError.contains(expected), "\(result.standardError.prefix(500))")
        }
    }

    @Test("nine levels of nine aliases (billion laughs) is refused at once, not walked")
    func aliasBombIsRefused() throws {
        var yaml = "a0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1]\n"
        for level in 1...8 {
            yaml += "a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 9).joined(separator: ", ") + "]\n"
        }
        let start = Date()
        let result = try build(["notes/a.md": "# A\n\n```unrolled\nmodel: neuron\n\(yaml)x: *a8\n```\n"])
        #expect(result.status == 1)
        #expect(result.standardError.contains("the `unrolled` block holds more than 1000000 values once its aliases (`*name`) are expanded"))
        #expect(Date().timeIntervalSince(start) < 30)
    }
}
