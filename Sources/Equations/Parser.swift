/// Reads an equations text into `Syntax`: one statement per line (see docs/equations.md for the
/// grammar). A statement with an error is reported and skipped; the others are still read, so
/// one pass reports every line that is wrong.
struct Parser {
    private(set) var diagnostics: [EquationDiagnostic] = []

    /// Names that cannot be a tensor's: they start statements or clauses.
    static let keywords: Set<String> = ["input", "param", "const", "loss", "size", "for", "in"]

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

/// Reads one statement's tokens.
private struct StatementReader {
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
            case "input", "param", "const": return try readDeclaration(DeclaredRole(rawValue: word)!, into: &syntax)
            case "loss": return try readEquation(isLoss: true, into: &syntax)
            default:
                let near = suggestion(for: word, in: ["input", "param", "const", "loss", "size"])
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

    // MARK: Values and shapes

    /// A number, `[1, 2; 3, 4]`, `zeros(2, 1)` or `ones(2, 1)`.
    mutating func readValue() throws(SyntaxError) -> ValueSyntax {
        if let word = current.name, word == "zeros" || word == "ones" {
            _ = advance()
            _ = try expect("(", "after \(word) (\(word)(2, 1))")
            let shape = try readShape(closing: ")")
            _ = try expect(")", "after the shape")
            return .filled(word == "zeros" ? 0 : 1, shape)
        }
        if isSymbol("[") {
            _ = advance()
            var rows: [[Double]] = [[]]
            while true {
                rows[rows.count - 1].append(try readSignedNumber())
                if isSymbol(",") {
                    _ = advance()
                } else if isSymbol(";") {
                    _ = advance()
                    rows.append([])
                } else if isSymbol("]") {
                    _ = advance()
                    break
                } else if case .number = current.kind {
                    continue  // numbers apart by spaces, as MATLAB allows
                } else if isSymbol("-") {
                    continue
                } else {
                    throw SyntaxError(current.position, "expected ',', ';' or ']' in a matrix, found \(describe(current))")
                }
            }
            if let width = rows.first?.count, let uneven = rows.firstIndex(where: { $0.count != width }) {
                throw SyntaxError(previous.position, "row \(uneven + 1) of this matrix has \(rows[uneven].count) numbers but row 1 has \(width)")
            }
            return .matrix(rows: rows, bracketed: true)
        }
        return .matrix(rows: [[try readSignedNumber()]], bracketed: false)
    }

    mutating func readSignedNumber() throws(SyntaxError) -> Double {
        var sign = 1.0
        if isSymbol("-") {
            _ = advance()
            sign = -1
        } else if isSymbol("+") {
            _ = advance()
        }
        guard case .number(let value, _) = current.kind else {
            throw SyntaxError(current.position, "expected a number, found \(describe(current)) (values are numbers; computed values are equations)")
        }
        _ = advance()
        return sign * value
    }

    /// `2×3`, `2x3`, `2 x H`, `(2, 3)`, `2, 3` (inside zeros/ones).
    mutating func readShape(closing: String? = nil) throws(SyntaxError) -> [Dimension] {
        var wrapped = false
        if closing == nil, isSymbol("(") {
            _ = advance()
            wrapped = true
        }
        var dims: [Dimension] = []
        var pendingSplit: String?
        while true {
            if let rest = pendingSplit {
                pendingSplit = nil
                if let n = Int(rest) { dims.append(.number(n)) } else { dims.append(.size(rest)) }
            } else if case .number(let value, let text) = current.kind {
                guard value == value.rounded(), value >= 1, value <= 1_000_000 else {
                    throw SyntaxError(current.position, "a dimension is a whole number from 1 to 1000000, not \(text.prefix(40))")
                }
                dims.append(.number(Int(value)))
                _ = advance()
            } else if let name = current.name {
                dims.append(.size(name))
                _ = advance()
            } else {
                throw SyntaxError(current.position, "expected a dimension (a number or a size's name), found \(describe(current))")
            }
            if isSymbol("*") || isSymbol(",") {
                _ = advance()
            } else if let name = current.name, name.first == "x" || name.first == "X" {
                // `2x3` reads as 2 then the name x3; `2 x H` as 2, x, H.
                let rest = String(name.dropFirst())
                _ = advance()
                if !rest.isEmpty { pendingSplit = rest }
            } else {
                break
            }
        }
        if wrapped { _ = try expect(")", "after the shape") }
        guard dims.count <= 6 else { throw SyntaxError(previous.position, "a tensor has at most 6 dimensions") }
        return dims
    }

    // MARK: Expressions

    /// expression := term { (+|-) term }
    mutating func readExpression() throws(SyntaxError) -> Expression {
        let start = current
        var left = try readTerm()
        while isSymbol("+") || isSymbol("-") {
            let op: BinaryOperator = advance().symbol == "+" ? .add : .subtract
            let right = try readTerm()
            left = .binary(op, left, right, span(from: start))
        }
        return left
    }

    /// term := unary { (* | / | @ | juxtaposition) unary }
    mutating func readTerm() throws(SyntaxError) -> Expression {
        let start = current
        var left = try readUnary()
        while true {
            let op: BinaryOperator
            if isSymbol("*") {
                op = .multiply
            } else if isSymbol("/") {
                op = .divide
            } else if isSymbol("@") {
                op = .matmul
            } else if startsOperand {
                let right = try readUnary()
                left = .binary(.matmul, left, right, span(from: start))
                continue
            } else {
                break
            }
            _ = advance()
            let right = try readUnary()
            left = .binary(op, left, right, span(from: start))
        }
        return left
    }

    /// Whether the current token starts an operand written right after another (`W x`, `2 x`, `W (x + b)`).
    var startsOperand: Bool {
        switch current.kind {
        case .name(let n): return n != "for" && n != "in"
        case .number: return true
        case .symbol(let s): return s == "(" || s == "["
        default: return false
        }
    }

    mutating func readUnary() throws(SyntaxError) -> Expression {
        if isSymbol("-") {
            let start = advance()
            let operand = try readUnary()
            return .negate(operand, span(from: start))
        }
        if isSymbol("+") {
            _ = advance()
            return try readUnary()
        }
        return try readPostfix()
    }

    /// postfix := atom { ^T | ᵀ | ^number | [index] (touching) }
    mutating func readPostfix() throws(SyntaxError) -> Expression {
        let start = current
        var base = try readAtom()
        while true {
            if isSymbol("ᵀ") {
                _ = advance()
                base = .transpose(base, span(from: start))
            } else if isSymbol("^") {
                _ = advance()
                if current.name == "T" || current.name == "top" {
                    _ = advance()
                    base = .transpose(base, span(from: start))
                } else if case .number(let p, _) = current.kind {
                    _ = advance()
                    base = .power(base, p, span(from: start))
                } else if isSymbol("("), case .number(let p, _) = next.kind {
                    _ = advance()
                    _ = advance()
                    _ = try expect(")", "after the power")
                    base = .power(base, p, span(from: start))
                } else {
                    throw SyntaxError(current.position, "after ^ write T (transpose) or a number (x^2), found \(describe(current))")
                }
            } else if isSymbol("["), touches(previous, current) {
                let at = current.position
                guard case .reference(var reference, _) = base, reference.index == nil else {
                    throw SyntaxError(at, "only a declared sequence is indexed (x[t]); for a slice use slice(x, axis, start, end), for rows rows(E, [i, j])")
                }
                _ = advance()
                reference.index = try readIndex()
                _ = try expect("]", "after the index")
                base = .reference(reference, span(from: start))
            } else {
                return base
            }
        }
    }

    func touches(_ a: Token, _ b: Token) -> Bool {
        a.position.line == b.position.line && a.range.upperBound == b.range.lowerBound
    }

    /// `t`, `t-1`, `t+1`, `2`, `1..T`.
    mutating func readIndex() throws(SyntaxError) -> IndexSyntax {
        var variable: String?
        var offset = 0
        if let name = current.name {
            variable = name
            _ = advance()
            if isSymbol("+") || isSymbol("-") {
                let sign = advance().symbol == "-" ? -1 : 1
                guard case .number(let n, _) = current.kind, n == n.rounded(), n < 1e6 else {
                    throw SyntaxError(current.position, "an index offset is a whole number (h[t-1])")
                }
                _ = advance()
                offset = sign * Int(n)
            }
        } else {
            var sign = 1
            if isSymbol("-") {
                _ = advance()
                sign = -1
            }
            guard case .number(let n, _) = current.kind, n == n.rounded(), n < 1e9 else {
                throw SyntaxError(current.position, "an index is a variable (x[t], h[t-1]) or a whole number (x[2]), found \(describe(current))")
            }
            _ = advance()
            offset = sign * Int(n)
        }
        if isSymbol("..") {
            _ = advance()
            guard offset == 0 || variable == nil else {
                throw SyntaxError(current.position, "a range's ends are numbers or sizes (Q[1..T])")
            }
            let from: Bound = variable.map { .size($0) } ?? .number(offset)
            return .range(from, try readBound())
        }
        return .at(variable: variable, offset: offset)
    }

    mutating func readAtom() throws(SyntaxError) -> Expression {
        let start = current
        switch current.kind {
        case .number(let value, _):
            _ = advance()
            return .number(value, span(from: start))
        case .name(let name):
            guard !Parser.keywords.contains(name) else {
                throw SyntaxError(current.position, "'\(name)' is a keyword; it cannot be used in an expression")
            }
            _ = advance()
            if isSymbol("("), touches(previous, current) || Functions.named(name) != nil {
                return try readCall(Located(value: name, position: start.position), start: start)
            }
            return .reference(Reference(name: name, index: nil), span(from: start))
        case .symbol("("):
            _ = advance()
            let inner = try readExpression()
            _ = try expect(")", "to close the parenthesis")
            return inner.respanned(span(from: start))
        case .symbol("["):
            _ = advance()
            if isSymbol("]") {
                _ = advance()
                return .stack([], span(from: start))  // an empty list of axes; anywhere else an error
            }
            var rows: [[Expression]] = [[]]
            while true {
                rows[rows.count - 1].append(try readExpression())
                if isSymbol(",") {
                    _ = advance()
                } else if isSymbol(";") {
                    _ = advance()
                    rows.append([])
                } else {
                    _ = try expect("]", "to close the bracket ([a; b] stacks, [a, b] puts side by side)")
                    break
                }
            }
            return .stack(rows, span(from: start))
        default:
            throw SyntaxError(current.position, "expected a name, a number, '(' or '[', found \(describe(current))")
        }
    }

    mutating func readCall(_ name: Located<String>, start: Token) throws(SyntaxError) -> Expression {
        _ = advance()  // (
        var arguments: [Argument] = []
        if !isSymbol(")") {
            while true {
                var label: Located<String>?
                if let word = current.name, next.symbol == "=" {
                    label = Located(value: word, position: current.position)
                    _ = advance()
                    _ = advance()
                }
                arguments.append(Argument(label: label, value: try readExpression()))
                if isSymbol(",") {
                    _ = advance()
                    continue
                }
                break
            }
        }
        _ = try expect(")", "to close \(name.value)(…)")
        return .call(name, arguments, span(from: start))
    }

    func span(from start: Token) -> Span {
        Span(start: start.position, text: statement.text(from: start, to: previous))
    }
}

extension Expression {
    /// The same expression with the span of the parentheses around it (its text then keeps them).
    func respanned(_ span: Span) -> Expression {
        switch self {
        case .number(let v, _): return .number(v, span)
        case .reference(let r, _): return .reference(r, span)
        case .binary(let op, let a, let b, _): return .binary(op, a, b, span)
        case .negate(let x, _): return .negate(x, span)
        case .transpose(let x, _): return .transpose(x, span)
        case .power(let x, let p, _): return .power(x, p, span)
        case .call(let n, let args, _): return .call(n, args, span)
        case .stack(let rows, _): return .stack(rows, span)
        }
    }
}
