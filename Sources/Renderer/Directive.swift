import Foundation
import Models
import Trace
import Yams

/// A note's request for a trace: a fenced block with info string `unrolled` and a YAML body.
///
/// ````markdown
/// ```unrolled
/// model: lstm        # a demo (`unrolled demos` lists them) …
/// steps: 3           # … with its parameters; the others take their defaults
/// title: One LSTM cell, three inputs
/// caption: The forget gate decides what the cell keeps.
/// id: forget-gate    # optional: the trace's id in deep links and its page traces/<id>.html
/// ```
/// ````
///
/// or `src: traces/x.json` for a trace made elsewhere (relative to the page, then to the course folder).
struct Directive: Equatable, Sendable {
    enum Source: Equatable, Sendable {
        /// A demo and its configuration, checked and with defaults filled in: what the trace cache keys on.
        case demo(Demo, DemoConfig)
        case file(String)
    }

    var source: Source
    var title: String?
    var caption: String?
    /// The line the caption starts on (references in it report their problems there).
    var captionLine: Int?
    /// The trace's id on the site (deep links `#<id>:<step>`, `traces/<id>.html`); made from the page's name when nil.
    var id: String?
    /// Where the directive is: the page (relative to the course folder) and the fence's line.
    var file: String
    var line: Int
    /// Problems that leave the directive usable (an equation's tensor never used), for the build to report.
    var warnings: [Diagnostic] = []
    /// With `echo: true`, the directive as the page shows it above its viewer (see `echoed`).
    var echo: String?

    /// Reads a directive's YAML body. `line` is the line of the opening fence; the body starts on the next.
    /// Every problem becomes an error naming the file, the line of the offending key, and the fix.
    static func parse(body: String, file: String, line: Int) -> Result<Directive, BuildFailure> {
        func fail(_ diagnostics: [Diagnostic]) -> Result<Directive, BuildFailure> { .failure(BuildFailure(diagnostics: diagnostics)) }
        func at(_ mark: Mark?) -> Int { mark.map { line + $0.line } ?? line }
        let node: Node?
        do {
            node = try BoundedYAML.compose(body, firstLine: line + 1)
        } catch {
            return fail([error.diagnostic(file: file, subject: "the `unrolled` block", fix: "write one `name: value` per line", column: false)])
        }
        guard let mapping = node?.mapping else {
            return fail([.error(file, line: line,
                "an `unrolled` block needs `model: <demo>` (see `unrolled demos`) or `src: traces/<file>.json`")])
        }
        var model: (String, Int)?
        var src: String?
        var title: String?
        var caption: String?
        var captionLine: Int?
        var id: String?
        var echo: String?
        var parameters: [(String, Node, Int)] = []
        var errors: [Diagnostic] = []
        var warnings: [Diagnostic] = []
        for (key, value) in mapping {
            let name = key.string ?? ""
            switch name {
            case "model": model = (value.string ?? "", at(key.mark))
            case "src": src = value.string
            case "title": title = value.string
            case "caption": (caption, captionLine) = (value.string, at(value.mark))
            case "echo":
                guard let shown = value.bool else {
                    errors.append(.error(file, line: at(key.mark), "echo is true (show this directive above its trace) or false"))
                    continue
                }
                echo = shown ? echoed(body) : nil
            case "id":
                let text = value.string ?? ""
                guard Directive.isValidID(text) else {
                    errors.append(.error(file, line: at(key.mark),
                        "id '\(text.excerpt)' is not usable in a link or a file name; use lower-case letters, digits and '-' (e.g. `id: forget-gate`)"))
                    continue
                }
                id = text
            default: parameters.append((name, value, at(key.mark)))
            }
        }
        switch (model, src) {
        case (nil, nil):
            return fail([.error(file, line: line,
                "an `unrolled` block needs `model: <demo>` (see `unrolled demos`) or `src: traces/<file>.json`")])
        case (.some, .some):
            return fail([.error(file, line: line, "an `unrolled` block takes `model:` or `src:`, not both")])
        case (nil, .some(let path)):
            if let (name, _, keyLine) = parameters.first {
                return fail([.error(file, line: keyLine, "'\(name.excerpt)' does not apply to `src:` (a trace from a file is shown as it is); remove it")])
            }
            guard errors.isEmpty else { return fail(errors) }
            return .success(
                Directive(source: .file(path), title: title, caption: caption, captionLine: captionLine, id: id, file: file, line: line, echo: echo))
        case (.some(let (name, modelLine)), nil):
            let demo: Demo
            do {
                demo = try Demos.named(name)
            } catch {
                if case .unknownDemo(_, let suggestion) = error {
                    let hint = suggestion.map { " — did you mean '\($0)'?" } ?? " — `unrolled demos` lists the models"
                    return fail([.error(file, line: modelLine, "unknown model '\(name.excerpt)'\(hint)")])
                }
                return fail([.error(file, line: modelLine, error.message())])
            }
            var values: [String: JSONValue] = [:]
            for (parameterName, value, keyLine) in parameters {
                guard let parameter = demo.parameter(named: parameterName) else {
                    errors.append(.error(file, line: keyLine, demo.unknownParameter(parameterName).message()))
                    continue
                }
                do {
                    values[parameterName] = try parameter.validate(try jsonValue(value, for: parameter))
                } catch {
                    errors.append(.error(file, line: keyLine, error.message()))
                    continue
                }
                if demo.name == "equations", parameterName == "equations", let text = values[parameterName]?.stringValue {
                    let found = equationDiagnostics(text, value: value, keyLine: keyLine, body: body, firstLine: line + 1, file: file)
                    errors += found.filter { $0.severity == .error }
                    warnings += found.filter { $0.severity == .warning }
                }
            }
            guard errors.isEmpty else { return fail(errors) }
            let source = Source.demo(demo, demo.configuration(validated: values))
            return .success(
                Directive(
                    source: source, title: title, caption: caption, captionLine: captionLine, id: id, file: file, line: line, warnings: warnings,
                    echo: echo))
        }
    }

    /// The directive a reader could copy, as `echo: true` shows it: the fence and the body's entries
    /// that say what runs, without those that present it (`title`, `caption`, `id`, `echo`), as
    /// Quarto's `echo` shows a cell's code without its options. An entry is a line that starts at
    /// the margin and the indented (or blank) lines under it.
    static func echoed(_ body: String) -> String {
        let presentation: Set<String> = ["title", "caption", "id", "echo"]
        var kept: [Substring] = []
        var keeping = true
        for line in body.split(separator: "\n", omittingEmptySubsequences: false) {
            if let first = line.first, first != " ", first != "\t", first != "#" {
                let key = line.prefix { $0 != ":" }.trimmingCharacters(in: .whitespaces)
                keeping = !presentation.contains(key)
            }
            if keeping { kept.append(line) }
        }
        while let last = kept.last, last.allSatisfy({ $0 == " " || $0 == "\t" || $0 == "\r" }) { kept.removeLast() }
        return (["```unrolled"] + kept.map(String.init) + ["```"]).joined(separator: "\n")
    }

    /// Lower-case letters, digits and inner hyphens: safe in a URL fragment, a file name and an HTML id.
    static func isValidID(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 64 && !text.hasPrefix("-") && !text.hasSuffix("-")
            && text.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
    }
}

/// A YAML value as a demo parameter: numbers, booleans and lists as they are; text the way a
/// command line writes it (`layers: 2,4,1`, `inputs: "0.5,-1;1,0"`).
private func jsonValue(_ node: Node, for parameter: DemoParameter) throws(DemoError) -> JSONValue {
    switch node {
    case .scalar(let scalar):
        if scalar.style == .plain {
            if let int = integer(node) { return .int(int) }
            if let real = node.float { return .double(real) }
            if let bool = node.bool { return .bool(bool) }
        }
        return try parameter.parse(scalar.string)
    case .sequence(let sequence):
        var items: [JSONValue] = []
        for item in sequence {
            if case .sequence = item {
                items.append(try jsonValue(item, for: parameter))
            } else if let int = integer(item) {
                items.append(.int(int))
            } else if let real = item.float {
                items.append(.double(real))
            } else {
                items.append(.string(item.string ?? ""))
            }
        }
        return .array(items)
    case .mapping:
        throw .invalidValue(parameter: parameter.name, value: "a mapping", expected: parameter.allowed)
    }
}

/// The node as an integer, when YAML reads it as one. Not a base-60 one (`1:30`, YAML 1.1):
/// Yams multiplies those without checking for overflow, so `1:0:0:0:0:0:0:0:0:0:0:0` crashed
/// the build (found by `make fuzz`); read as a real (`node.float`) they cannot trap.
private func integer(_ node: Node) -> Int? {
    guard case .scalar(let scalar) = node, !scalar.string.contains(":") else { return nil }
    return node.int
}
