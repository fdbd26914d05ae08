import Foundation
import Testing

/// The course `unrolled init` writes builds with the real `unrolled build --strict`, without a
/// warning, and its prose quotes the traces with the numbers worked out by hand below.
@Suite("the starter course builds")
struct StarterBuildTests {
    @Test("unrolled init, then unrolled build --strict: 2 pages, 2 traces, 1 image, 0 warnings")
    func buildsUnderStrictWithoutWarnings() throws {
        let (course, built) = try Self.initAndBuild()
        defer { try? FileManager.default.removeItem(at: course.deletingLastPathComponent()) }
        #expect(built.status == 0, "\(built.standardError)")
        let last = built.standardError.split(separator: "\n").last.map(String.init) ?? ""
        #expect(last.hasPrefix("built 2 pages, 2 traces, 1 image, 0 warnings in "), "\(built.standardError)")
        #expect(!built.standardError.contains("warning:"))
        let site = course.appendingPathComponent("_site")
        for file in ["index.html", "notes/01-neuron.html", "notes/02-your-own-equations.html", "notes/images/neuron.svg"] {
            #expect(FileManager.default.fileExists(atPath: site.appendingPathComponent(file).path), "no \(file) in the site")
        }
    }

    @Test("the notes' references show the numbers of the neuron, worked out by hand")
    func referencesQuoteTheTraces() throws {
        let (course, built) = try Self.initAndBuild()
        defer { try? FileManager.default.removeItem(at: course.deletingLastPathComponent()) }
        #expect(built.status == 0)
        let page = { (name: String) in
            try String(contentsOf: course.appendingPathComponent("_site/notes/\(name).html"), encoding: .utf8)
        }
        // x = (2, 1), w = (0.5, −0.5), b = 0.25, t = 1, η = 1:
        // net = 1 − 0.5 + 0.25 = 0.75, y = 1/(1 + e^−0.75) = 1/1.472367 = 0.679179 (step 3: w·x, + b, σ),
        // e = y − t = −0.320821, y(1 − y) = 0.217895, ∂Q/∂w = e·y(1 − y)·x = (−0.139811, −0.069906),
        // w − η ∂Q/∂w = (0.639811, −0.430094).
        let neuron = try page("01-neuron")
        for link in [">0.75</a>", "<a href=\"#neuron:3\">0.6792</a>", ">−0.3208</a>", ">[−0.1398, −0.0699]</a>", ">[0.6398, −0.4301]</a>"] {
            #expect(neuron.contains(link), "01-neuron.html lacks \(link)")
        }
        #expect(neuron.contains("<img src=\"images/neuron.svg\""))
        #expect(neuron.contains("<a href=\"02-your-own-equations.html\""))
        // Then a second neuron: net₂ = 2h − 1 = 0.358357, y = σ(net₂) = 0.588643,
        // ∂Q/∂h = (y − t)·y(1 − y)·w₂ = −0.411357 · 0.242142 · 2 = −0.199214.
        let equations = try page("02-your-own-equations")
        for link in [">0.6792</a>", ">−0.1992</a>", "<a href=\"01-neuron.html#learning-from-one-example\""] {
            #expect(equations.contains(link), "02-your-own-equations.html lacks \(link)")
        }
    }

    /// `unrolled init` into a new folder of a temporary one, then `unrolled build --strict` there.
    static func initAndBuild() throws -> (course: URL, built: CLIResult) {
        let course = try InitCommandTests.folder([:]).appendingPathComponent("course")
        let made = try CLI.run(["init", course.path])
        #expect(made.status == 0, "\(made.standardError)")
        return (course, try CLI.run(["build", course.path, "--strict"]))
    }
}
