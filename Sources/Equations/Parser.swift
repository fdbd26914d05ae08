/// Reads an equations text into `Syntax`: one statement per line (see docs/equations.md for the
/// grammar). A statement with an error is reported and skipped; the others are still read, so
/// one pass reports every line that is wrong.
struct Parser {
    private(set) var diagnostics: [EquationDiagnostic] = []

    /// Names that cannot be a tensor's: they start statements or clauses.
    static let keywords: Set<String> = ["input", "param", "const", "loss", "size", "tag", "for", "in"]

    mutating func parse(_ text: String) -> Syntax {
        var lexer = Lexer()
        let statements = lexer.statements(of: text)
        diagnostics += lexer.diagnostics
        var syntax = Syntax()
        for statement in statements {
            var reader = StatementReader(statement: statement)
            do {
                try reader.read(into: &syntax)
            } catch {
                if !statement.unclosed { diagnostics.append(error.diagnostic) }
            }
        }
        return syntax
    }
}

/// A syntax error, thrown to abandon the statement it is in.
struct SyntaxError: Error {
    var diagnostic: EquationDiagnostic

    init(_ position: SourcePosition, _ message: String) {
        diagnostic = .error(position, message)
    }
}

/// Reads one statement's tokens (values and shapes: Parser+Values.swift; expressions: Parser+Expressions.swift).
struct StatementReader {
    let statement: Lexer.Statement
    var index = 0

    init(statement: Lexer.Statement) { self.statement = statement }

    var tokens: [Token] { statement.tokens }
    var current: Token { tokens[index] }
    var next: Token { tokens[min(index + 1, tokens.count - 1)] }
    var previous: Token { tokens[max(index - 1, 0)] }

    mutating func advance() -> Token {
        let token = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return token
    }

    func isSymbol(_ s: String) -> Bool { current.symbol == s }

    mutating func expect(_ s: String, _ what: String) throws(SyntaxError) -> Token {
        guard isSymbol(s) else { throw SyntaxError(current.position, "expected '\(s)' \(what), found \(describe(current))") }
        return advance()
    }

    func describe(_ token: Token) -> String {
        switch token.kind {
        case .name(let n): return "'\(n.prefix(40))'"
        case .number(_, let text): return "'\(text.prefix(40))'"
        case .symbol(let s): return "'\(s)'"
        case .tex: return "TeX"
        case .end: return "the end of the line"
        }
    }

    // MARK: Statements

    mutating func read(into syntax: inout Syntax) throws(SyntaxError) {
        if let word = current.name, next.name != nil || word == "size" && next.name != nil {
            switch word {
            case "size": return try readSize(into: &syntax)
            case "tag": return try readTag(into: &syntax)
            case "input", "param", "const": return try readDeclaration(DeclaredRole(rawValue: word)!, into: &syntax)
            case "loss": return try readEquation(isLoss: true, into: &syntax)
            default:
                let near = suggestion(for: word, in: ["input", "param", "const", "loss", "size", "tag"])
                throw SyntaxError(
                    current.position,
                    "a line starts with a declaration (input, param, const), `size`, or an equation `name = …`; '\(word.prefix(40))' is none of them"
                        + (near.map { "; did you mean '\($0)'?" } ?? ""))
            }
        }
        try readEquation(isLoss: false, into: &syntax)
    }

    /// `size T = 3`
    mutating func readSize(into syntax: inout Syntax) throws(SyntaxError) {
        _ = advance()
        let name = try readName("a size's name")
        _ = try expect("=", "after the size's name (size T = 3)")
        guard case .number(let value, let text) = current.kind, value == value.rounded(), value >= 0, value <= 100_000 else {
            throw SyntaxError(current.position, "a size is a whole number from 0 to 100000 (size T = 3), not \(describe(current))")
        }
        _ = text
        _ = advance()
        try expectEnd()
        syntax.sizes.append(SizeDefinition(name: name, value: Int(value)))
    }

    /// `tag h hidden_state`: what a sequence is, for the viewer (see `Tagging`).
    mutating func readTag(into syntax: inout Syntax) throws(SyntaxError) {
        _ = advance()
        let name = try readName("the name of the tensor or sequence to tag (tag h hidden_state)")
        guard let quantity = current.name else {
            throw SyntaxError(current.position, "expected what \(name.value) is after its name (tag \(name.value) hidden_state)")
        }
        let located = Located(value: quantity, position: current.position)
        _ = advance()
        try expectEnd()
        syntax.tags.append(TagStatement(name: name, quantity: located))
    }

    /// `input x = [1; 2]`, `param W : 3×2 $W$`, `input x[1..3] : 2×1`, `const h[0] = zeros(2, 1)`.
    mutating func readDeclaration(_ role: DeclaredRole, into syntax: inout Syntax) throws(SyntaxError) {
        let line = current.position.line
        _ = advance()
        let name = try readName("the tensor's name")
        var indices: (Bound, Bound)?
        if isSymbol("[") {
            _ = advance()
            let first = try readBound()
            var last = first
            if isSymbol("..") {
                _ = advance()
                last = try readBound()
            }
            _ = try expect("]", "after the indices (x[1..3] or h[0])")
            indices = (first, last)
        }
        var values: [ValueSyntax] = []
        if isSymbol(":") {
            _ = advance()
            values = [.drawn(try readShape())]
        } else if isSymbol("=") {
            _ = advance()
            values.append(try readValue())
            while isSymbol(",") {
                _ = advance()
                values.append(try readValue())
            }
            if values.count > 1 && indices == nil {
                throw SyntaxError(
                    name.position, "\(name.value) is given \(values.count) values; a matrix is written [1, 2; 3, 4], a sequence x[1..\(values.count)] = …")
            }
        } else {
            throw SyntaxError(
                current.position, "expected '=' and a value, or ':' and a shape to draw from the seed (\(role.rawValue) \(name.value) : 2×1), found \(describe(current))")
        }
        let tex = readTeX()
        try expectEnd()
        syntax.declarations.append(Declaration(role: role, name: name, indices: indices, values: values, tex: tex, line: line))
    }

    /// `[loss] name[index] = expression [for t = a..b] [$TeX$]`
    mutating func readEquation(isLoss: Bool, into syntax: inout Syntax) throws(SyntaxError) {
        let first = current
        if isLoss { _ = advance() }
        let name = try readName(isLoss ? "the loss's name (loss Q = …)" : "a name to define, as in `y = sigmoid(net)`")
        var index: EquationIndex?
        var variable: Located<String>?
        if isSymbol("[") {
            _ = advance()
            if case .number(let value, _) = current.kind, value == value.rounded(), abs(value) < 1e9 {
                _ = advance()
                index = .fixed(Int(value))
            } else if let v = current.name {
                variable = Located(value: v, position: current.position)
                _ = advance()
            } else {
                throw SyntaxError(current.position, "the left side's index is a variable (h[t] = … for t = 1..T) or a number (h[1] = …)")
            }
            _ = try expect("]", "after the index")
        }
        _ = try expect("=", "after the name being defined")
        let expression = try readExpression()
        let textEnd = previous
        if isSymbol(","), variable != nil { _ = advance() }
        if current.name == "for" {
            _ = advance()
            guard let v = current.name else { throw SyntaxError(current.position, "expected the index variable after `for` (for t = 1..T)") }
            let forPosition = current.position
            _ = advance()
            guard isSymbol("=") || current.name == "in" else {
                throw SyntaxError(current.position, "expected '=' or 'in' after `for \(v)` (for \(v) = 1..T)")
            }
            _ = advance()
            let from = try readBound()
            _ = try expect("..", "between the range's ends (for \(v) = 1..T)")
            let to = try readBound()
            guard let variable else {
                throw SyntaxError(forPosition, "`for \(v)` needs the left side indexed by it: \(name.value)[\(v)] = …")
            }
            guard variable.value == v else {
                throw SyntaxError(variable.position, "the left side is indexed by \(variable.value) but the range is over \(v); use one variable")
            }
            index = .each(variable: v, from: from, to: to)
        } else if let variable {
            throw SyntaxError(
                variable.position, "\(name.value)[\(variable.value)] needs a range: add `for \(variable.value) = 1..T` at the end of the line")
        }
        let tex = readTeX()
        try expectEnd()
        let text = statement.text(from: first, to: textEnd)
        syntax.equations.append(
            Equation(name: name, index: index, expression: expression, isLoss: isLoss, tex: tex, text: text, line: first.position.line))
    }

    mutating func readName(_ what: String) throws(SyntaxError) -> Located<String> {
        guard let name = current.name else { throw SyntaxError(current.position, "expected \(what), found \(describe(current))") }
        guard !Parser.keywords.contains(name) else {
            throw SyntaxError(current.position, "'\(name)' is a keyword of the language; choose another name")
        }
        let located = Located(value: name, position: current.position)
        _ = advance()
        return located
    }

    mutating func readTeX() -> String? {
        guard case .tex(let tex) = current.kind else { return nil }
        _ = advance()
        return tex
    }

    mutating func expectEnd() throws(SyntaxError) {
        guard case .end = current.kind else {
            throw SyntaxError(current.position, "unexpected \(describe(current)) here; one statement per line (TeX goes last, between $ signs)")
        }
    }

    mutating func readBound() throws(SyntaxError) -> Bound {
        if case .number(let value, _) = current.kind, value == value.rounded(), abs(value) < 1e9 {
            _ = advance()
            return .number(Int(value))
        }
        if isSymbol("-"), case .number(let value, _) = next.kind, value == value.rounded(), abs(value) < 1e9 {
            _ = advance()
            _ = advance()
            return .number(-Int(value))
        }
        if let name = current.name {
            _ = advance()
            return .size(name)
        }
        throw SyntaxError(current.position, "expected a whole number or a size's name, found \(describe(current))")
    }
}
