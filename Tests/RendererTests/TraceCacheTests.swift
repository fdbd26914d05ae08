import Foundation
import Models
import Testing
@testable import Renderer

/// The trace cache keys on what decides a trace: the demo, its resolved configuration and the
/// engine's version, never on how a directive spelled it or on the executable.
@Suite("Trace cache")
struct TraceCacheTests {
    private func key(_ body: String) throws -> String {
        guard case .demo(let demo, let config) = try Directive.parse(body: body, file: "a.md", line: 1).get().source else {
            throw CancellationError()
        }
        return TraceCache.key(demo: demo, config: config)
    }

    @Test("a default written out and a default left out are one trace")
    func defaultsWrittenOrNot() throws {
        #expect(try key("model: rnn") == key("model: rnn\nhidden: 2\nseed: 1"))
        #expect(try key("model: rnn") != key("model: rnn\nhidden: 3"))
        #expect(try key("model: self-attention\ncausal: true") == key("model: self-attention\ncausal: \"true\""))
    }

    @Test("a parameter a demo checks when it is written keeps its own key: samples 8 with XOR is an error")
    func givenMatters() throws {
        #expect(try key("model: mlp") != key("model: mlp\nsamples: 8"))
    }

    @Test("a build computes a default written out and left out once")
    func oneComputation() throws {
        let course = try TestCourse([
            "notes/a.md": "# A\n\n```unrolled\nmodel: rnn\n```\n\n```unrolled\nmodel: rnn\nhidden: 2\nseed: 1\n```\n"
        ])
        let summary = try course.build()
        #expect(summary.traces == 2)
        #expect(summary.tracesComputed == 1)
    }

    @Test("the traces a course lacks are computed ahead, on every core, to the bytes a demo run alone gives")
    func computedAhead() throws {
        let directives = ["model: rnn", "model: neuron\nactivation: tanh", "model: mlp\ntrain: 3", "model: gru\nhidden: 3"]
        let course = try TestCourse(["notes/a.md": "# A\n\n" + directives.map { "```unrolled\n\($0)\n```\n" }.joined(separator: "\n")])
        let summary = try course.build()
        #expect(summary.tracesComputed == 4)
        for body in directives {
            guard case .demo(let demo, let config) = try Directive.parse(body: body, file: "a.md", line: 1).get().source else { throw CancellationError() }
            let alone = try TraceScript.payload(demo.trace(config, progress: nil))
            let entry = course.course.appendingPathComponent(".unrolled-cache/traces/\(TraceCache.key(demo: demo, config: config)).trace")
            #expect(try String(contentsOf: entry, encoding: .utf8) == alone, "\(body)")
        }
        #expect(try course.build().tracesFromCache == 4)
    }

    @Test("a demo that fails while computed ahead is reported once, at its directive")
    func failureAhead() throws {
        let course = try TestCourse([
            "notes/a.md": "# A\n\n```unrolled\nmodel: neuron\n```\n\n```unrolled\nmodel: mlp\nsamples: 8\n```\n\n```unrolled\nmodel: rnn\n```\n"
        ])
        #expect(course.failures() == ["notes/a.md:7: samples applies to data random only (XOR has 4 samples)"])
    }
}
