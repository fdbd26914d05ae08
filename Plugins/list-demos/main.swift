import Foundation

// The ListDemos build plugin's tool: `list-demos OUTPUT SOURCE…` writes OUTPUT, a Swift file that
// defines `Demos.all`, every demo the sources declare, by name. A declaration is a line
// `static let <identifier> = Demo(` (or `= <helper>Demo(`, such as `recurrentDemo(`) inside
// `extension Demos`; the compiler checks that each one found is a `Demo`.

let arguments = CommandLine.arguments.dropFirst()
guard let output = arguments.first else {
    FileHandle.standardError.write(Data("usage: list-demos OUTPUT SOURCE…\n".utf8))
    exit(2)
}

let declaration = #/^\s*(?:public\s+)?static\s+let\s+([A-Za-z_][A-Za-z0-9_]*)\s*(?::\s*Demo\s*)?=\s*(?:Demo|[a-z][A-Za-z0-9_]*Demo)\(/#

var names: [String] = []
for path in arguments.dropFirst().sorted() {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
        FileHandle.standardError.write(Data("list-demos: cannot read \(path)\n".utf8))
        exit(1)
    }
    guard text.contains("extension Demos") else { continue }
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
        if let match = line.firstMatch(of: declaration) { names.append(String(match.1)) }
    }
}

let source = """
    // Written by the ListDemos build plugin (Plugins/ListDemos) from the demos declared in the
    // Models target. Do not edit: declare a demo (`static let x = Demo(…)` in `extension Demos`).

    extension Demos {
        /// Every demo, ordered by name (how `unrolled demos` lists them).
        public static let all: [Demo] = [\(names.joined(separator: ", "))].sorted { $0.name < $1.name }
    }

    """
// Rewritten only when it changes, so that an unrelated edit does not recompile the target's users.
if (try? String(contentsOfFile: output, encoding: .utf8)) != source {
    do {
        try source.write(toFile: output, atomically: true, encoding: .utf8)
    } catch {
        FileHandle.standardError.write(Data("list-demos: cannot write \(output): \(error)\n".utf8))
        exit(1)
    }
}
