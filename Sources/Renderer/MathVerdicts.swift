import Foundation
import Trace

/// KaTeX's verdicts on a course's equations, kept in the build's cache folder
/// (`math-verdicts.json`) so that a build sends Node only the equations it has not seen: starting
/// Node and KaTeX takes longer than a whole rebuild with nothing changed may (issue #19). A verdict
/// holds for one KaTeX, one check script and one `viewer-kit.js` (KaTeX's options): `key` hashes
/// the three, and a file with another key is ignored. Each build writes the verdicts of its own
/// equations, so those of math since deleted go.
struct MathVerdicts: Sendable {
    static let fileName = "math-verdicts.json"

    let file: URL
    let key: String
    /// What the file held: for each equation, KaTeX's message, or nil when it typesets.
    private(set) var stored: [MathCheck.Equation: String?] = [:]

    /// The verdicts in `folder` for the check made of `files` (KaTeX, the script, the kit).
    init(folder: URL, files: [URL]) {
        file = folder.appendingPathComponent(Self.fileName)
        key = contentHash(files.reduce(into: Data()) { $0 += (try? Data(contentsOf: $1)) ?? Data() })
        // Read with the trace's pull reader: JSONSerialization took 24 M instructions on the bundled
        // course's 2,000 equations, a thirtieth of a rebuild with nothing changed. A file it does
        // not read (not one this type wrote) holds no verdict: the math is checked again.
        guard let data = try? Data(contentsOf: file), case .object(let object)? = JSONReader.read(data, { try $0.value() }),
            object["key"] == .string(key), case .array(let entries)? = object["equations"]
        else { return }
        for case .array(let entry) in entries {
            guard entry.count == 3, case .string(let tex) = entry[0], case .bool(let display) = entry[1] else { continue }
            let message: String? = if case .string(let text) = entry[2] { text } else { nil }
            stored[MathCheck.Equation(tex: tex, display: display)] = .some(message)
        }
    }

    /// Writes `verdicts` (this build's equations), unless they are what the file holds already.
    func save(_ verdicts: [MathCheck.Equation: String?]) {
        guard verdicts != stored else { return }
        let entries = verdicts.map { equation, message -> [Any] in [equation.tex, equation.display, message.map { $0 as Any } ?? NSNull()] }
        guard let data = try? JSONSerialization.data(withJSONObject: ["key": key, "equations": entries], options: [.sortedKeys]) else { return }
        try? FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? data.write(to: file, options: .atomic)
    }
}
