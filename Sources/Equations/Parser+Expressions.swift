/// Expressions: sums of terms, terms of factors (`*`, `/`, `@`, juxtaposition), unary minus,
/// postfix `^T` `ᵀ` `^2` and indices, atoms (names, numbers, calls, `( )`, `[ ]` stacks).
extension StatementReader {
    /// expression := term { (+|-) term }
    mutating func readExpression() throws(SyntaxError) -> Expression {
        let start = current
        var left = try readTerm()
        while isSymbol("+") || isSymbol("-") {
            let at = current.position
            let op: BinaryOperator = advance().symbol == "+" ? .add : .subtract
            let right = try readTerm()
            left = .binary(op, left, right, span(from: start, operatorAt: at))
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
                // Written side by side, the product is "at" its right operand.
                let at = current.position
                let right = try readUnary()
                left = .binary(.matmul, left, right, span(from: start, operatorAt: at))
                continue
            } else {
                break
            }
            let at = advance().position
            let right = try readUnary()
            left = .binary(op, left, right, span(from: start, operatorAt: at))
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

    /// The span from `start` to the token just read; `operatorAt`, a binary operator's own place.
    func span(from start: Token, operatorAt: SourcePosition? = nil) -> Span {
        Span(start: start.position, text: statement.text(from: start, to: previous), operatorAt: operatorAt)
    }
}

extension Expression {
    /// The same expression with the span of the parentheses around it (its text then keeps them).
    func respanned(_ span: Span) -> Expression {
        switch self {
        case .number(let v, _): return .number(v, span)
        case .reference(let r, _): return .reference(r, span)
        case .binary(let op, let a, let b, let inner):
            var outer = span
            outer.operatorAt = inner.operatorAt
            return .binary(op, a, b, outer)
        case .negate(let x, _): return .negate(x, span)
        case .transpose(let x, _): return .transpose(x, span)
        case .power(let x, let p, _): return .power(x, p, span)
        case .call(let n, let args, _): return .call(n, args, span)
        case .stack(let rows, _): return .stack(rows, span)
        }
    }
}
