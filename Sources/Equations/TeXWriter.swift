import Foundation

/// Writes an expression in TeX the way notes write it: `W x + b`, `\sigma(\mathrm{net})`,
/// `\tfrac{1}{2}`-style fractions as `\frac`, `h_{t-1}` with the index substituted (`h_{1}`).
///
/// Names: a declared TeX (`param W_in : 3×2 $W_{\mathrm{in}}$`) wins; otherwise a name splits at
/// its first `_` into base and subscript, a Greek letter's name becomes the letter (`alpha` →
/// `\alpha`), a longer word is upright (`net` → `\mathrm{net}`).
struct TeXWriter: Sendable {
    /// Declared TeX, by tensor name.
    let names: [String: String]
    let sizes: [String: Int]
    let substitution: (variable: String, value: Int)?

    init(names: [String: String], sizes: [String: Int], substitution: (variable: String, value: Int)?) {
        self.names = names
        self.sizes = sizes
        self.substitution = substitution
    }

    static let greek: Set<String> = [
        "alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda", "mu", "nu",
        "xi", "pi", "rho", "sigma", "tau", "upsilon", "phi", "varphi", "chi", "psi", "omega", "Gamma", "Delta", "Theta", "Lambda",
        "Xi", "Pi", "Sigma", "Upsilon", "Phi", "Psi", "Omega",
    ]

    /// A number as TeX: `3`, `0.5`, `-2`, `1.5 \times 10^{-4}`.
    static func number(_ n: Double) -> String {
        if n == n.rounded(), abs(n) < 1e15 { return String(Int(n)) }
        let text = String(n)
        guard let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) else { return text }
        let exponent = Int(text[text.index(after: e)...]) ?? 0
        return "\(text[..<e]) \\times 10^{\(exponent)}"
    }

    /// `net` → `\mathrm{net}`, `W_1` → `W_{1}`, `W_in` → `W_{\mathrm{in}}`, `alpha` → `\alpha`.
    static func word(_ w: String) -> String {
        if greek.contains(w) { return "\\" + w }
        if w.count == 1 { return w }
        if w.allSatisfy({ $0.isNumber }) { return w }
        return "\\mathrm{\(w)}"
    }

    /// A tensor's TeX: its declared TeX or one made from its name, with its index as a subscript.
    func name(_ name: String, index: String? = nil) -> String {
        if let declared = names[name] {
            guard let index else { return declared }
            return "{\(declared)}_{\(index)}"
        }
        let parts = name.split(separator: "_", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        let base = parts[0].isEmpty ? "\\_" : Self.word(parts[0])
        var subscripts: [String] = []
        if parts.count == 2, !parts[1].isEmpty { subscripts.append(Self.word(parts[1].replacingOccurrences(of: "_", with: ","))) }
        if let index { subscripts.append(index) }
        return subscripts.isEmpty ? base : "\(base)_{\(subscripts.joined(separator: ","))}"
    }

    func name(_ key: TensorKey) -> String { name(key.name, index: key.index.map(String.init)) }

    func tex(_ expression: Expression) -> String { write(expression).text }

    /// The TeX of an intermediate tensor's name: parenthesized when it is a sum or a product, so
    /// that `\partial Q / \partial (y - t)` reads right.
    func name(of expression: Expression) -> String {
        let piece = write(expression)
        return piece.precedence < 4 ? "\\left(\(piece.text)\\right)" : piece.text
    }

    /// The TeX of `lhs = expression`.
    func equation(_ key: TensorKey, _ expression: Expression) -> String { "\(name(key)) = \(tex(expression))" }

    // MARK: Writing

    /// How tightly a piece binds: 1 sums, 2 products, 3 negation, 4 superscripted, 5 atoms.
    private struct Piece {
        var text: String
        var precedence: Int
    }

    private func wrap(_ piece: Piece, below precedence: Int) -> String {
        guard piece.precedence < precedence else { return piece.text }
        return "\\left(\(piece.text)\\right)"
    }

    /// A base for ^: braces around something already superscripted, parentheses around the rest.
    private func base(_ piece: Piece) -> String {
        if piece.precedence == 4 { return "{\(piece.text)}" }
        return wrap(piece, below: 5)
    }

    private func isNumeric(_ e: Expression) -> Bool {
        switch e {
        case .number: return true
        case .reference(let r, _): return r.index == nil && sizes[r.name] != nil
        case .negate(let x, _), .power(let x, _, _), .transpose(let x, _): return isNumeric(x)
        case .binary(_, let a, let b, _): return isNumeric(a) && isNumeric(b)
        case .stack, .call: return false
        }
    }

    private func write(_ e: Expression) -> Piece {
        switch e {
        case .number(let n, _):
            return Piece(text: Self.number(n), precedence: n < 0 ? 3 : 5)
        case .reference(let r, _):
            if r.index == nil, sizes[r.name] != nil { return Piece(text: r.name, precedence: 5) }
            return Piece(text: name(r.name, index: r.index.map { $0.written(substitution, rangeSeparator: ":") }), precedence: 5)
        case .binary(let op, let a, let b, _):
            let (left, right) = (write(a), write(b))
            switch op {
            case .add:
                return Piece(text: "\(wrap(left, below: 1)) + \(wrap(right, below: 1))", precedence: 1)
            case .subtract:
                return Piece(text: "\(wrap(left, below: 1)) - \(wrap(right, below: 2))", precedence: 1)
            case .multiply:
                let symbol = isNumeric(a) || isNumeric(b) ? "\\," : " \\odot "
                // After a number, a product needs no parentheses: `\frac{1}{2}\,\sum (y - t)^2`, `2\,a \odot b`.
                return Piece(text: "\(wrap(left, below: 2))\(symbol)\(wrap(right, below: isNumeric(a) ? 2 : 3))", precedence: 2)
            case .matmul:
                return Piece(text: "\(wrap(left, below: 2))\\,\(wrap(right, below: 3))", precedence: 2)
            case .divide:
                return Piece(text: "\\frac{\(left.text)}{\(right.text)}", precedence: 5)
            }
        case .negate(let x, _):
            return Piece(text: "-\(wrap(write(x), below: 3))", precedence: 3)
        case .transpose(let x, _):
            return Piece(text: "\(base(write(x)))^\\top", precedence: 4)
        case .power(let x, let p, _):
            return Piece(text: "\(base(write(x)))^{\(Self.number(p))}", precedence: 4)
        case .call(let name, let arguments, _):
            return call(name.value, arguments)
        case .stack(let rows, _):
            let body = rows.map { $0.map { write($0).text }.joined(separator: " & ") }.joined(separator: " \\\\ ")
            return Piece(text: "\\begin{bmatrix} \(body) \\end{bmatrix}", precedence: 5)
        }
    }

    private func call(_ name: String, _ arguments: [Argument]) -> Piece {
        guard let spec = Functions.named(name) else {
            // A product written W(x + b).
            let argument = arguments.first.map { write($0.value) } ?? Piece(text: "", precedence: 5)
            return Piece(text: "\(self.name(name))\\left(\(argument.text)\\right)", precedence: 2)
        }
        let tensors = arguments.filter { $0.label == nil }.prefix(max(1, spec.tensors.lowerBound == spec.tensors.upperBound ? spec.tensors.lowerBound : arguments.count))
        if spec.name == "sum" {
            // Σ of several tensors (or of a list h[1..T]): the terms, added.
            let terms = arguments.filter { $0.label == nil && !isNumeric($0.value) }.flatMap { argument -> [String] in
                if case .reference(let r, _) = argument.value, case .range(let a, let b) = r.index { return expand(r.name, a, b) }
                return [wrap(write(argument.value), below: 1)]
            }
            if terms.count > 1 { return Piece(text: terms.joined(separator: " + "), precedence: 1) }
        }
        let command: String
        switch spec.tex {
        case .command(let c): command = c
        case .named(let n): command = "\\operatorname{\(n)}"
        }
        let shown = tensors.map { argument -> String in
            if case .reference(let r, _) = argument.value, case .range(let a, let b) = r.index {
                return expand(r.name, a, b).joined(separator: ", ")
            }
            return write(argument.value).text
        }
        let attributes = arguments.filter { $0.label != nil }.compactMap { a -> String? in
            guard let label = a.label?.value, label == "axis" || label == "axes" else { return nil }
            return "\\mathrm{\(label)}=\(write(a.value).text)"
        }
        let sub = attributes.isEmpty ? "" : "_{\(attributes.joined(separator: ","))}"
        if spec.name == "sqrt", shown.count == 1 { return Piece(text: "\\sqrt{\(shown[0])}", precedence: 5) }
        if spec.name == "sum", shown.count == 1, let only = tensors.first {
            let argument = write(only.value)
            return Piece(text: "\\sum\(sub) \(wrap(argument, below: 4))", precedence: 2)
        }
        return Piece(text: "\(command)\(sub)\\left(\(shown.joined(separator: ", "))\\right)", precedence: 5)
    }

    /// `Q_{1}, Q_{2}, Q_{3}`, or with a gap `Q_{1}, \dots, Q_{9}` past four terms.
    private func expand(_ base: String, _ a: Bound, _ b: Bound) -> [String] {
        let from: Int? = if case .number(let n) = a { n } else if case .size(let s) = a { sizes[s] } else { nil }
        let to: Int? = if case .number(let n) = b { n } else if case .size(let s) = b { sizes[s] } else { nil }
        guard let from, let to, from <= to else { return [name(base, index: "\(a.text):\(b.text)")] }
        if to - from < 4 { return (from...to).map { name(base, index: String($0)) } }
        return [name(base, index: String(from)), "\\dots", name(base, index: String(to))]
    }
}
