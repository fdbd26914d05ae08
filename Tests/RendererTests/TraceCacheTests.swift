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
}
