import Foundation
import Testing
import Trace

/// A way to break a trace file, for the parameterized tests below.
typealias TraceFileChange = @Sendable (Data) throws -> Data

/// Trace files that are broken or hostile: `unrolled embed` and `unrolled build` refuse them with
/// one line naming the file, the line and column, the offending value and the fix. None crashes
/// the process or makes it allocate what the file asks for.
@Suite("Hostile trace files")
struct HostileTraceTests {
    /// The neuron demo's trace, as `unrolled trace` writes it (on one line).
    static let neuron: Data = (try? CLI.run(["trace", "neuron"]).standardOutput) ?? Data()

    /// A change made on the decoded trace, written back as the engine writes traces.
    static func structural(_ change: @escaping @Sendable (inout TraceDocument) -> Void) -> TraceFileChange {
        { data in
            var trace = try TraceDocument.decode(from: data)
            change(&trace)
            return try trace.jsonData()
        }
    }

    /// How to break the file, and what the error must say after `not a valid Unrolled trace: `.
    static let cases: [(String, TraceFileChange)] = [
        ("tensors[0].shape: the shape 4294967296×4294967296×4 of tensor 0 is not one a tensor may have",
            structural { $0.tensors[0].shape = [4_294_967_296, 4_294_967_296, 4] }),
        ("steps[8]: step 8 (broadcast_to): the output would have shape 1099511627776×1099511627776",
            structural { $0.steps[8].attrs["shape"] = .array([.int(1 << 40), .int(1 << 40)]) }),
        ("steps[1].inputs[0]: step 1 reads tensor 999, which the trace does not have",
            structural { $0.steps[1].inputs[0] = 999 }),
        ("scopes[0].parent: the scopes' parents form a cycle: scope 0 → scope 0", structural { $0.scopes[0].parent = 0 }),
        (#"JSON syntax error: unexpected '"', expected ':' after the key"#,
            { Data(String(decoding: $0, as: UTF8.self).replacingOccurrences(of: #""title":"#, with: #""title""#).utf8) }),
        ("tensors[2].shape[0]: expected an integer",  // x, after the parameters w and b
            { Data(String(decoding: $0, as: UTF8.self).replacingOccurrences(of: #""shape":[3,1]"#, with: #""shape":["3",1]"#).utf8) }),
    ]

    /// Writes the broken neuron trace into `folder`; the file.
    func write(_ change: TraceFileChange, to file: URL) throws {
        let changed = try change(Self.neuron)
        #expect(changed != Self.neuron, "the change must change the file")
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try changed.write(to: file)
    }

    @Test("embed: exit 2, one line with file:line:column, the value's path and the fix, no page written", arguments: cases)
    func embedRefuses(_ message: String, _ change: TraceFileChange) throws {
        let folder = try CLI.temporaryDirectory()
        let file = folder.appendingPathComponent("bad.json"), page = folder.appendingPathComponent("bad.html")
        try write(change, to: file)
        let result = try CLI.run(["embed", file.path, "--output", page.path])
        #expect(result.status == 2)
        let lines = result.standardError.split(separator: "\n")
        #expect(lines.count == 1, "\(result.standardError)")
        let line = String(lines.first ?? "")
        let place = try #require(line.firstMatch(of: #/^error: (.+):(\d+):(\d+): not a valid Unrolled trace: /#), "\(line)")
        #expect(place.1 == file.path)
        #expect(line.dropFirst(place.0.count).hasPrefix(message), "\(line)")
        #expect(line.hasSuffix("; remake it with `unrolled trace`"))
        #expect(!FileManager.default.fileExists(atPath: page.path))
    }

    @Test("build: a bad src: trace fails the build with the directive's file:line and the trace's file:line:column")
    func buildRefuses() throws {
        let course = try CLI.temporaryDirectory().appendingPathComponent("course")
        try write(Self.cases[0].1, to: course.appendingPathComponent("traces/huge.json"))
        try write(Self.cases[1].1, to: course.appendingPathComponent("traces/broadcast.json"))
        let note = "# N\n\n```unrolled\nsrc: ../traces/huge.json\n```\n\n```unrolled\nsrc: ../traces/broadcast.json\n```\n"
        try FileManager.default.createDirectory(at: course.appendingPathComponent("notes"), withIntermediateDirectories: true)
        try Data(note.utf8).write(to: course.appendingPathComponent("notes/n.md"))
        let result = try CLI.run(["build", course.path])
        #expect(result.status == 1, "\(result.standardError)")
        // Every bad trace is reported, each at its directive and at the place in the trace.
        #expect(result.standardError.contains(#/error: notes/n.md:3: traces/huge.json:1:\d+: not a valid Unrolled trace: tensors\[0\].shape: /#))
        #expect(result.standardError.contains(#/error: notes/n.md:7: traces/broadcast.json:1:\d+: not a valid Unrolled trace: steps\[8\]: /#))
        #expect(!FileManager.default.fileExists(atPath: course.appendingPathComponent("_site").path))
    }
}
