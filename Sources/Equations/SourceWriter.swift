/// Writes an expression back in the language's own notation with a recurrence's index filled in:
/// `W_1 [x[t]; h[t-1]]` of the instance t = 2 is named `W_1 [x[2]; h[1]]` in the trace, so every
/// intermediate tensor of every time step has a name of its own that reads as it was written.
struct SourceWriter {
    let substitution: (variable: String, value: Int)

    func text(_ e: Expression) -> String { write(e).text }

    private struct Piece {
        var text: String
        /// 1 sums, 2 products, 3 negation, 4 postfix, 5 atoms.
        var precedence: Int
    }

    private func wrap(_ piece: Piece, below precedence: Int) -> String {
        piece.precedence < precedence ? "(\(piece.text))" : piece.text
    }

    private func write(_ e: Expression) -> Piece {
        switch e {
        case .number(_, let span):
            return Piece(text: span.text, precedence: 5)
        case .reference(let r, _):
            return Piece(text: r.index.map { "\(r.name)[\($0.written(substitution, rangeSeparator: ".."))]" } ?? r.name, precedence: 5)
        case .binary(let op, let a, let b, _):
            let (left, right) = (write(a), write(b))
            switch op {
            case .add, .subtract:
                return Piece(text: "\(wrap(left, below: 1)) \(op.rawValue) \(wrap(right, below: op == .add ? 1 : 2))", precedence: 1)
            case .multiply, .divide:
                return Piece(text: "\(wrap(left, below: 2)) \(op.rawValue) \(wrap(right, below: 3))", precedence: 2)
            case .matmul:
                return Piece(text: "\(wrap(left, below: 2)) \(wrap(right, below: 3))", precedence: 2)
            }
        case .negate(let x, _):
            return Piece(text: "-\(wrap(write(x), below: 3))", precedence: 3)
        case .transpose(let x, _):
            return Piece(text: "\(wrap(write(x), below: 4))^T", precedence: 4)
        case .power(let x, _, let span):
            // The exponent as written: the text after the base's.
            let base = write(x)
            let exponent = span.text.split(separator: "^").last.map(String.init) ?? "2"
            return Piece(text: "\(wrap(base, below: 4))^\(exponent)", precedence: 4)
        case .call(let name, let arguments, _):
            let shown = arguments.map { argument in
                (argument.label.map { "\($0.value)=" } ?? "") + write(argument.value).text
            }
            return Piece(text: "\(name.value)(\(shown.joined(separator: ", ")))", precedence: 5)
        case .stack(let rows, _):
            return Piece(text: "[" + rows.map { $0.map { write($0).text }.joined(separator: ", ") }.joined(separator: "; ") + "]", precedence: 5)
        }
    }
}
