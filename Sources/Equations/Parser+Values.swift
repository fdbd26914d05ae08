/// The values and shapes of declarations: `[1, 2; 3, 4]`, `zeros(2, 1)`, `: 2×3`, `: 1x1x4x4`.
extension StatementReader {
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
                let count = rows[uneven].count
                throw SyntaxError(previous.position, "row \(uneven + 1) of this matrix has \(count) number\(count == 1 ? "" : "s") but row 1 has \(width)")
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

    /// `2×3`, `2x3`, `2 x H`, `1x1x4x4`, `(2, 3)`, `2, 3` (inside zeros/ones).
    mutating func readShape(closing: String? = nil) throws(SyntaxError) -> [Dimension] {
        var wrapped = false
        if closing == nil, isSymbol("(") {
            _ = advance()
            wrapped = true
        }
        var dims: [Dimension] = []
        // The dimensions still to take from a word the lexer read whole: `x3` of `2x3`, `x1x4x4` of `1x1x4x4`.
        var pending: [Dimension] = []
        while true {
            if !pending.isEmpty {
                dims.append(pending.removeFirst())
                if !pending.isEmpty { continue }
            } else if case .number(let value, let text) = current.kind {
                dims.append(try dimension(value, text))
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
                let position = current.position
                _ = advance()
                pending = try splitDimensions(String(name.dropFirst()), at: position)
            } else {
                break
            }
            guard dims.count + pending.count <= 6 else { throw SyntaxError(previous.position, "a tensor has at most 6 dimensions") }
        }
        if wrapped { _ = try expect(")", "after the shape") }
        guard dims.count <= 6 else { throw SyntaxError(previous.position, "a tensor has at most 6 dimensions") }
        return dims
    }

    func dimension(_ value: Double, _ text: String, at position: SourcePosition? = nil) throws(SyntaxError) -> Dimension {
        guard value == value.rounded(), value >= 1, value <= 1_000_000 else {
            throw SyntaxError(position ?? current.position, "a dimension is a whole number from 1 to 1000000, not \(text.prefix(40))")
        }
        return .number(Int(value))
    }

    /// The dimensions in what follows an `x` the lexer kept in a name: `3` → 3; `1x4x4` → 1, 4, 4;
    /// `4xH` → 4, H; `H` or `max` → the size of that name.
    func splitDimensions(_ rest: String, at position: SourcePosition) throws(SyntaxError) -> [Dimension] {
        guard !rest.isEmpty else { return [] }
        let parts = rest.split(separator: "x", omittingEmptySubsequences: false).flatMap { $0.split(separator: "X", omittingEmptySubsequences: false) }
        guard parts.dropLast().allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }), let last = parts.last, !last.isEmpty else {
            return [.size(rest)]
        }
        var dims: [Dimension] = []
        for part in parts {
            if part.allSatisfy(\.isNumber) {
                dims.append(try dimension(Double(part) ?? .infinity, String(part), at: position))
            } else {
                dims.append(.size(String(part)))
            }
        }
        return dims
    }
}
