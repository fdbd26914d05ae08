/// How a tensor reads in TeX: the name a model gave it (`f_{2}`), or the op that made it written
/// over its operands' readings (`f_{2} \odot c_{1}`), so that no reader sees a counter (`mul_51`).
///
/// Each op writes its own reading beside its forward and gradient rule (`Op.tex`), from these
/// builders, which parenthesise an operand that binds more loosely than the operator around it.
/// A reading stays short: past `maxWidth` visible symbols the widest operand that is itself a
/// reading (not a name) is shortened, its own operands elided to `\cdots` first, or becomes `\cdots`
/// itself, again until it fits (`\sigma(\cdots)`, `\cdots + b_{f}`);
/// past `hardWidth` (long names, or many operands) names are elided too, so nothing grows into
/// a tower. Ids are a topological order, so every operand's reading, already short, is known
/// before its user's: writing all of a tape's names is one pass (`Tape.texNames`).
public struct TeXName: Sendable {
    /// How tightly a reading binds, loosest first: an operator parenthesises a looser operand.
    public enum Binding: Int, Comparable, Sendable {
        /// A term of a sum or a difference (`a + b`, `-a`), and `\cdots`.
        case sum
        /// A factor of an element-wise product (`a \odot b`, `0.5\, a`).
        case product
        /// A matrix product, written by juxtaposition (`W x`).
        case juxtaposition
        /// Never split: a name, a call (`\sigma(a)`), a fraction, a bracket, a power.
        case atom

        public static func < (a: Binding, b: Binding) -> Bool { a.rawValue < b.rawValue }
    }

    /// The longest reading kept whole, in visible symbols (`W_{f} [h_{1}; x_{2}] + b_{f}` is 12).
    public static let maxWidth = 24
    /// The longest reading of names alone (`[x_{1}; x_{2}; \ldots; x_{9}]`) before names are elided.
    public static let hardWidth = 40
    /// The longest reading in a gradient's denominator (`\partial (f_{2} \odot c_{1})`).
    public static let gradientWidth = 16

    public let tex: String
    public let binding: Binding
    /// About how many symbols it shows: a command such as `\odot` is one, braces, `_` and `^` none.
    public let width: Int
    /// Ends in a superscript (`W^{\top}`): a power written after it parenthesises it first.
    public let hasSuperscript: Bool
    /// Holds a fraction: a fraction or an exponent around it is written inline instead.
    public let isTall: Bool
    /// What it reads, when it is an op's reading: shortening writes it again with operands elided.
    let source: (op: any Op, operands: [TeXName])?

    public init(tex: String, binding: Binding, hasSuperscript: Bool = false, isTall: Bool = false) {
        self.tex = tex
        self.binding = binding
        self.width = Self.visibleWidth(of: tex)
        self.hasSuperscript = hasSuperscript
        self.isTall = isTall
        self.source = nil
    }

    private init(_ name: TeXName, source: (op: any Op, operands: [TeXName])) {
        (tex, binding, width, hasSuperscript, isTall) = (name.tex, name.binding, name.width, name.hasSuperscript, name.isTall)
        self.source = source
    }

    /// A name as the model wrote it. It binds as an atom unless a top-level `+` or `-` shows it
    /// is an expression (`1 - z`, `-1`), which then binds as a sum.
    public init(name tex: String) {
        var depth = 0, loose = false, superscript = false
        for c in tex {
            switch c {
            case "{", "(", "[": depth += 1
            case "}", ")", "]": depth -= 1
            case "+", "-": if depth == 0 { loose = true }
            case "^": if depth == 0 { superscript = true }
            default: break
            }
        }
        self.init(tex: tex, binding: loose ? .sum : .atom, hasSuperscript: superscript, isTall: tex.contains("\\frac"))
    }

    /// What an elided operand reads: `\cdots`, parenthesised by any operator but a sum's.
    public static let elided = TeXName(tex: "\\cdots", binding: .sum)

    /// Whether it is an op's reading (which shortening may elide) rather than a name.
    public var isReading: Bool { source != nil }

    // MARK: Writing an op's reading

    /// `op`'s reading of `operands`, shortened to `limit` visible symbols as the type's notes say.
    public static func reading(of op: any Op, _ operands: [TeXName], within limit: Int = maxWidth) -> TeXName {
        var operands = operands
        var name = op.tex(operands)
        // The widest operand that is a reading is shortened by the excess, its own operands
        // elided first (`\sum (\mathrm{target} \odot (\cdots))`), or elided whole when it cannot
        // shrink that far. Each turn narrows one operand, so the loop ends; and each operand is
        // shortened about once, so shortening a reading costs about its size.
        while name.width > limit, let widest = widest(of: operands, where: { $0.isReading }) {
            let operand = operands[widest], target = operand.width - (name.width - limit)
            let shorter = target > 0 ? operand.shortened(to: target) : operand
            operands[widest] = shorter.width <= target && shorter.width < operand.width ? shorter : .elided
            name = op.tex(operands)
        }
        while name.width > max(limit, hardWidth), let widest = widest(of: operands, where: { $0.width > 1 }) {
            operands[widest] = .elided
            name = op.tex(operands)
        }
        return TeXName(name, source: (op, operands))
    }

    /// The same reading within `limit` symbols (a name, or one that fits, is itself).
    public func shortened(to limit: Int) -> TeXName {
        guard width > limit, let source else { return self }
        return Self.reading(of: source.op, source.operands, within: limit)
    }

    private static func widest(of operands: [TeXName], where eligible: (TeXName) -> Bool) -> Int? {
        operands.indices.filter { eligible(operands[$0]) }.max { operands[$0].width < operands[$1].width }
    }

    // MARK: Builders an op's `tex` uses

    /// The TeX of `operand`, in parentheses when it binds more loosely than `binding`.
    public static func operand(_ operand: TeXName, _ binding: Binding) -> String {
        operand.binding < binding ? parenthesised(operand) : operand.tex
    }

    /// `(a)`; `\left(a\right)`, sized to it, when it holds a fraction (plain parentheses keep a
    /// function's name against its argument: `\tanh(c)`, not `\tanh\left(c\right)`'s gap).
    public static func parenthesised(_ a: TeXName) -> String {
        a.isTall ? "\\left(\(a.tex)\\right)" : "(\(a.tex))"
    }

    /// `a symbol b` (`a + b`, `a \odot b`, juxtaposition for an empty symbol), binding as `binding`;
    /// a right operand that binds alike is parenthesised too when the operator is not associative.
    public static func infix(_ a: TeXName, _ symbol: String, _ b: TeXName, _ binding: Binding, associative: Bool = true) -> TeXName {
        // `a - (b - c)`, and `a + (-b)`: a right operand that starts with a sign is parenthesised.
        let right = (associative || b.binding > binding) && !b.tex.hasPrefix("-") ? operand(b, binding) : parenthesised(b)
        let gap = symbol.isEmpty ? " " : " \(symbol) "
        return TeXName(tex: operand(a, binding) + gap + right, binding: binding, isTall: a.isTall || b.isTall)
    }

    /// `symbol a` (`-a`, `\sum a`), binding as `binding`, its operand parenthesised below `operandBinding`.
    public static func prefix(_ symbol: String, _ a: TeXName, _ binding: Binding, operand operandBinding: Binding) -> TeXName {
        let gap = symbol.last?.isLetter == true ? " " : ""
        return TeXName(tex: symbol + gap + operand(a, operandBinding), binding: binding, isTall: a.isTall)
    }

    /// `f(a, b)`: `\sigma(a)`, `\operatorname{softmax}(a)`.
    public static func call(_ function: String, _ arguments: [TeXName]) -> TeXName {
        let list = arguments.map(\.tex).joined(separator: ", "), isTall = arguments.contains { $0.isTall }
        return TeXName(tex: isTall ? "\(function)\\left(\(list)\\right)" : "\(function)(\(list))", binding: .atom, isTall: isTall)
    }

    /// `\operatorname{op\_name}(a, b)`: the reading of an op that writes none of its own.
    public static func call(op name: String, _ arguments: [TeXName]) -> TeXName {
        call("\\operatorname{\(name.replacingUnderscores)}", arguments)
    }

    /// `a^{power}` (`W^{\top}`, `h^{2}`); `a` is parenthesised unless it is an atom without a superscript.
    public static func power(_ a: TeXName, _ power: String) -> TeXName {
        let base = a.binding < .atom || a.hasSuperscript || a.isTall ? parenthesised(a) : a.tex
        return TeXName(tex: "\(base)^{\(power)}", binding: .atom, hasSuperscript: true, isTall: a.isTall)
    }

    /// `\frac{a}{b}`, or `a / b` inline when either holds a fraction already (no towers).
    public static func fraction(_ a: TeXName, _ b: TeXName) -> TeXName {
        if a.isTall || b.isTall { return infix(a, "/", b, .product, associative: false) }
        return TeXName(tex: "\\frac{\(a.tex)}{\(b.tex)}", binding: .atom, isTall: true)
    }

    /// `a[index]`, an element or a range of `a` (`h_{2}[1{:}2]`).
    public static func indexed(_ a: TeXName, _ index: String) -> TeXName {
        TeXName(tex: "\(operand(a, .atom))[\(index)]", binding: .atom, isTall: a.isTall)
    }

    /// `[a; b]` (stacked, axis 0) or `[a, b]` (side by side); past four parts the middle ones read `\ldots`.
    public static func bracket(_ parts: [TeXName], separator: String) -> TeXName {
        let shown = parts.count > 4 ? [parts[0].tex, parts[1].tex, "\\ldots", parts[parts.count - 1].tex] : parts.map(\.tex)
        return TeXName(tex: "[" + shown.joined(separator: separator + " ") + "]", binding: .atom, isTall: parts.contains { $0.isTall })
    }

    /// A number as a factor: `2`, `-0.5`, `\tfrac{1}{3}`, `\tfrac{1}{\sqrt{2}}`, else three significant digits.
    public static func number(_ x: Double) -> String {
        if x < 0 { return "-" + number(-x) }
        if x == x.rounded(), x < 1e6 { return String(Int(x)) }
        if x > 0, x < 1, let n = wholeNumber(1 / x) { return "\\tfrac{1}{\(n)}" }
        if x > 0, x < 1, let n = wholeNumber(1 / (x * x)) { return "\\tfrac{1}{\\sqrt{\(n)}}" }
        var text = String(format: "%.3g", x)
        if let e = text.firstIndex(of: "e") {
            let exponent = Int(text[text.index(after: e)...]) ?? 0
            text = "\(text[..<e]) \\times 10^{\(exponent)}"
        }
        return text
    }

    private static func wholeNumber(_ x: Double) -> Int? {
        let n = x.rounded()
        return n >= 2 && n < 1e6 && abs(x - n) <= 1e-9 * n ? Int(n) : nil
    }

    // MARK: Measuring

    /// Commands that show nothing themselves (spacing, fonts, accents over what follows, sizes).
    private static let invisible: Set<Substring> = [
        "left", "right", "mathrm", "operatorname", "text", "mathbf", "mathit", "mathcal", "mathbb", "boldsymbol",
        "tilde", "hat", "bar", "vec", "dot", "frac", "tfrac", "dfrac", "displaystyle", "textstyle", "limits", "big", "Big",
    ]

    /// About how many symbols `tex` shows: letters, digits and signs one each, a command one
    /// (none for those of `invisible`), braces, `_`, `^` and spaces none.
    static func visibleWidth(of tex: String) -> Int {
        var width = 0
        var characters = tex[...]
        while let c = characters.popFirst() {
            switch c {
            case "\\":
                let name = characters.prefix(while: \.isLetter)
                if name.isEmpty {
                    // `\_`, `\{` show a symbol; `\,`, `\;`, `\!`, `\ ` are spacing.
                    if let next = characters.popFirst(), !",;:! ".contains(next) { width += 1 }
                } else {
                    characters = characters.dropFirst(name.count)
                    if !invisible.contains(name) { width += 1 }
                }
            case "{", "}", "_", "^", " ": break
            default: width += 1
            }
        }
        return width
    }
}

extension Op {
    /// The default reading: `\operatorname{op}(a, b)`. Ops that read as notes write them
    /// (`a + b`, `W x`, `\sigma(a)`) implement `tex` beside their forward and gradient rule.
    public func tex(_ operands: [TeXName]) -> TeXName { .call(op: name, operands) }
}
