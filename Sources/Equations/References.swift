/// The tensors one equation instance reads, or the first reference it cannot resolve: an unknown
/// name (with the nearest known one), a sequence without its index, an index out of range.
struct References {
    let resolver: Resolver
    let substitution: (variable: String, value: Int)?
    let isLossLine: Bool
    var keys: [TensorKey] = []
    var problem: EquationDiagnostic?

    init(resolver: Resolver, substitution: (variable: String, value: Int)?, isLossLine: Bool) {
        self.resolver = resolver
        self.substitution = substitution
        self.isLossLine = isLossLine
    }

    mutating func fail(_ position: SourcePosition, _ message: String) {
        if problem == nil { problem = .error(position, message) }
    }

    mutating func collect(_ expression: Expression) {
        guard problem == nil else { return }
        switch expression {
        case .number: break
        case .reference(let reference, let span):
            for key in resolve(reference, at: span.start, allowRange: false) { keys.append(key) }
        case .binary(_, let a, let b, _):
            collect(a)
            collect(b)
        case .negate(let x, _), .transpose(let x, _), .power(let x, _, _):
            collect(x)
        case .call(let name, let arguments, _):
            guard let spec = Functions.named(name.value) else {
                // `W(x + b)` written without a space: a product, when W is a tensor.
                if resolver.kinds[name.value] != nil, arguments.count == 1, arguments[0].label == nil {
                    keys.append(contentsOf: resolve(Reference(name: name.value, index: nil), at: name.position, allowRange: false))
                    collect(arguments[0].value)
                    return
                }
                let near = suggestion(for: name.value, in: Functions.names + Array(Functions.aliases.keys))
                fail(
                    name.position,
                    "unknown function '\(name.value.prefix(40))'"
                        + (near.map { "; did you mean \($0)?" } ?? "; the functions are \(Functions.names.joined(separator: ", "))"))
                return
            }
            for argument in arguments {
                if case .reference(let reference, let span) = argument.value, case .range = reference.index {
                    guard argument.label == nil, spec.name == "sum" || spec.name == "concat" else {
                        fail(span.start, "a range \(reference.name)[a..b] is a list of tensors: only sum(…) and concat(…) take one")
                        return
                    }
                    keys.append(contentsOf: resolve(reference, at: span.start, allowRange: true))
                } else {
                    collect(argument.value)
                }
            }
        case .stack(let rows, _):
            for row in rows {
                for item in row { collect(item) }
            }
        }
    }

    /// The keys a reference names: one, or a range's.
    mutating func resolve(_ reference: Reference, at position: SourcePosition, allowRange: Bool) -> [TensorKey] {
        let name = reference.name
        guard let kind = resolver.kinds[name] else {
            if resolver.sizes[name] != nil, reference.index == nil { return [] }  // a size used as a number
            if name == "true" || name == "false" { return [] }
            if Functions.named(name) != nil {
                fail(position, "\(name) is a function: write \(name)(…)")
                return []
            }
            if let substitution, substitution.variable == name {
                fail(position, "\(name) is the index variable; an index is used as x[\(name)], not as a number")
                return []
            }
            let known = Array(resolver.kinds.keys) + Array(resolver.sizes.keys)
            let near = suggestion(for: name, in: known)
            fail(
                position,
                "unknown name '\(name.prefix(40))'"
                    + (near.map { "; did you mean '\($0)'?" } ?? "; declare it (input \(name.prefix(40)) = …, param \(name.prefix(40)) : 2×1) or define it (\(name.prefix(40)) = …)"))
            return []
        }
        switch reference.index {
        case nil:
            if kind.sequence {
                fail(position, "\(name) is a sequence (line \(kind.line)); write \(name)[t] for one of its tensors")
                return []
            }
            return [TensorKey(name)]
        case .at(let variable, let offset)?:
            guard kind.sequence else {
                fail(position, "\(name) is a single tensor (line \(kind.line)), not a sequence; write it without an index")
                return []
            }
            var index = offset
            if let variable {
                if let substitution, substitution.variable == variable {
                    index += substitution.value
                } else if let size = resolver.sizes[variable] {
                    index += size
                } else {
                    fail(
                        position,
                        substitution == nil
                            ? "\(name)[\(variable)…] uses \(variable) outside a range; add `for \(variable) = 1..T` to this equation"
                            : "unknown index variable \(variable); this equation's index is \(substitution!.variable)")
                    return []
                }
            }
            let key = TensorKey(name, index)
            guard resolver.definitions[key] != nil else {
                let defined = resolver.definitions.keys.filter { $0.name == name }.compactMap(\.index)
                let range = defined.isEmpty ? "" : " (\(name) is defined for \(defined.min()!)..\(defined.max()!))"
                fail(
                    position,
                    "\(key) is not defined\(range); \(index < (defined.min() ?? 0) ? "give the start value: const \(key) = zeros(…)" : "check the index")")
                return []
            }
            return [key]
        case .range(let from, let to)?:
            guard allowRange else {
                fail(position, "a range \(name)[a..b] is a list of tensors: only sum(…) and concat(…) take one")
                return []
            }
            guard kind.sequence else {
                fail(position, "\(name) is a single tensor (line \(kind.line)), not a sequence; write it without a range")
                return []
            }
            guard let a = resolver.bound(from), let b = resolver.bound(to) else {
                fail(position, "a range's ends are whole numbers or sizes (\(name)[1..T])")
                return []
            }
            guard a <= b else {
                fail(position, "the range \(a)..\(b) is empty; write the smaller end first")
                return []
            }
            var keys: [TensorKey] = []
            for i in a...b {
                let key = TensorKey(name, i)
                guard resolver.definitions[key] != nil else {
                    fail(position, "\(key) is not defined, so \(name)[\(a)..\(b)] cannot be read")
                    return []
                }
                keys.append(key)
            }
            return keys
        }
    }
}
