import Models
import Yams

/// The one way a course's YAML (`course.yml`, front matter, an `unrolled` block) is read: Yams'
/// composer behind three limits, so that no text crashes, hangs or floods a build.
///
/// - **Size**: at most `maxBytes`. A megabyte is a thousand times what these texts hold (a long
///   word2vec corpus belongs in `corpus-file:`), and bounds Yams' time and memory (a second and a
///   half and 80 MB for a megabyte of `[a,a,…]` in a debug build).
/// - **Nesting**: at most `maxDepth` levels as `YAMLNesting` counts them (indentation steps, `- `,
///   `? `, `[`, `{`), checked before Yams runs: Yams composes recursively and crashes the process
///   some 6,000 levels down, and libyaml's time per token grows with the open brackets.
/// - **Values**: at most `maxValues` nodes once aliases are expanded. An alias shares its anchor's
///   node, so nine levels of nine aliases compose in a millisecond into 387 million values that any
///   walk over them (a demo parameter, an error message quoting it) would take minutes to visit.
///   Counting stops at the limit, so the check itself is cheap. Without aliases a text within the
///   size limit reaches it only with a value for nearly every byte (`{a,b,…}`: a key and its empty
///   value per two bytes); a matrix of numbers has one per four or more.
enum BoundedYAML {
    static let maxBytes = 1 << 20
    static let maxDepth = 100
    static let maxValues = 1_000_000

    /// The document in `text`, nil when it is empty. `firstLine` is the line of the file that holds
    /// the text's first line, so that problems point into the file.
    static func compose(_ text: String, firstLine: Int) throws(YAMLProblem) -> Node? {
        func problem(_ text: String, at line: Int = 1) -> YAMLProblem {
            YAMLProblem(kind: .limit, line: firstLine + line - 1, text: text)
        }
        let size = text.utf8.count
        guard size <= maxBytes else {
            throw problem("is \(size) bytes of YAML, more than the \(maxBytes) (1 MiB) allowed; keep long data in a file of its own")
        }
        if let line = YAMLNesting.lineDeeperThan(maxDepth, in: text) {
            throw problem("nests more than \(maxDepth) levels deep (counting indentation, `- `, `? `, `[` and `{`); flatten it", at: line)
        }
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch {
            throw YAMLProblem(error, in: text, firstLine: firstLine)
        }
        if let node, let last = lastValue(in: node, limit: maxValues) {
            throw problem("holds more than \(maxValues) values once its aliases (`*name`) are expanded; repeat less", at: last.mark?.line ?? 1)
        }
        return node
    }

    /// The node at which a walk over `root`, aliases expanded, passes `limit` nodes; nil when it never does.
    private static func lastValue(in root: Node, limit: Int) -> Node? {
        var pending = [root]
        var count = 0
        while let node = pending.popLast() {
            count += 1
            if count > limit { return node }
            switch node {
            case .scalar: break
            case .sequence(let items): pending.append(contentsOf: items)
            case .mapping(let pairs):
                for (key, value) in pairs { pending += [key, value] }
            }
        }
        return nil
    }
}

/// Why a YAML text was refused, at the line (and column, when Yams knows it) of the file.
struct YAMLProblem: Error {
    enum Kind {
        /// Not YAML: `text` is Yams' description of the problem.
        case invalid
        /// Past one of `BoundedYAML`'s limits: `text` says which, and the fix.
        case limit
    }

    var kind: Kind
    var line: Int
    var column: Int?
    var text: String

    init(kind: Kind, line: Int, column: Int? = nil, text: String) {
        self.kind = kind
        self.line = line
        self.column = column
        self.text = text
    }

    /// Yams' error in one line, without its multi-line context dump, at the line of the file.
    init(_ error: Error, in yaml: String, firstLine: Int) {
        kind = .invalid
        switch error as? YamlError {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            (text, line, column) = (problem, firstLine + mark.line - 1, mark.column)
        case .reader(let problem, let offset, _, _):
            // A character libyaml refuses (a control character): Yams gives its offset, not its line.
            let place = offset.map { Self.place(ofCharacter: $0, in: yaml) }
            (text, line, column) = (problem, firstLine + (place?.line ?? 1) - 1, place?.column)
        default:
            text = String(describing: error).split(separator: "\n").first.map(String.init) ?? ""
            line = firstLine
        }
        text = text.excerpt
    }

    /// The diagnostic: "`subject` is not valid YAML: … ; `fix`", or "`subject` nests more than …".
    /// `column`: whether the text's columns are the file's (not for a fenced block, which may be indented).
    func diagnostic(file: String, subject: String, fix: String? = nil, column showsColumn: Bool = true) -> Diagnostic {
        let message = switch kind {
        case .invalid: "\(subject) is not valid YAML: \(text)" + (fix.map { "; \($0)" } ?? "")
        case .limit: "\(subject) \(text)"
        }
        return .error(file, line: line, column: showsColumn ? column : nil, message)
    }

    /// The 1-based line and column of the character at `offset` (in `Character`s, as Yams counts),
    /// with libyaml's line breaks.
    private static func place(ofCharacter offset: Int, in text: String) -> (line: Int, column: Int) {
        var line = 1
        var column = 1
        for character in text.prefix(offset) {
            if ["\n", "\r", "\r\n", "\u{85}", "\u{2028}", "\u{2029}"].contains(character) {
                line += 1
                column = 1
            } else {
                column += character.unicodeScalars.count
            }
        }
        return (line, column)
    }
}
