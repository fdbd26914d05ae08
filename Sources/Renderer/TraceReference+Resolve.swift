import Foundation
import Models
import Trace

/// What a reference found in its trace.
struct ResolvedReference: Codable, Equatable, Sendable {
    /// The steps it names, as indices into `steps` (the viewer's step N is index N − 1), in order:
    /// one for a tensor, all that pass for filters alone, none for a history value.
    var steps: [Int]
    /// Filters alone name a run of steps (the backward phase, a time step); a tensor names one.
    var isRange: Bool
    /// The value it quotes: a tensor (its shape and values) or one number (shape `[]`); nil for
    /// filters alone.
    var value: QuotedValue?
    /// The tensor the value is read from (a step's output, or an input no step makes); nil for a
    /// history value or filters alone. An exercise's worked answer opens the step only when the
    /// value is that step's own output.
    var tensor: Int? = nil

    enum CodingKeys: String, CodingKey { case steps, isRange, value, tensor }
}

/// A value a reference quotes: its shape, how many numbers it has and their norm, and the numbers
/// themselves when a sentence can quote them (`ReferenceText.maxQuotedValues`). What the notes can
/// read of a value is all the trace cache keeps of it (`TraceFacts`), not a whole layer's numbers.
struct QuotedValue: Codable, Equatable, Sendable {
    var shape: [Int]
    var count: Int
    /// The Euclidean norm ‖v‖₂, summed in index order from +0 as the engine sums.
    var norm: Double
    /// The numbers, row-major; nil when there are more than a sentence can quote.
    var data: [Double]?
    /// For one element of a tensor (`c_2[2,1]`): its flat index, row-major, in the whole tensor.
    var element: Int? = nil

    init(shape: [Int], data: [Double], element: Int? = nil) {
        self.shape = shape
        count = data.count
        norm = data.reduce(0) { $0 + $1 * $1 }.squareRoot()
        self.data = data.count <= ReferenceText.maxQuotedValues ? data : nil
        self.element = element
    }

    enum CodingKeys: String, CodingKey { case shape, count, norm, data, element }
}

extension TraceReference {
    /// Finds what the reference names in `trace` (its `traceID` already chose the trace).
    func resolve(in trace: TraceDocument) -> Result<ResolvedReference, ReferenceProblem> {
        switch target {
        case .step(let number):
            guard number <= trace.steps.count else {
                return .failure(.unresolved("the trace has \(trace.steps.count) steps, not \(number)"))
            }
            return .success(ResolvedReference(steps: [number - 1], isRange: false, value: nil))
        case .steps(let name, let element, let filters):
            return StepMatcher(trace: trace).resolve(name: name, element: element, filters: filters)
        case .history(let series, let element, let filters):
            return HistoryMatcher(trace: trace).resolve(series: series, element: element, filters: filters)
        }
    }
}

/// Finds steps by what they make: their tensor's name, phase, op, scopes and declared structure.
private struct StepMatcher {
    let trace: TraceDocument

    func resolve(name: String?, element: [Int]?, filters: [TraceReference.Filter]) -> Result<ResolvedReference, ReferenceProblem> {
        var matches = Array(trace.steps.indices)
        if let name {
            // A parameter or an input by its name alone is the tensor itself, as the forward pass
            // reads it; the steps that make new versions of it (updates) need a filter: `w@phase=update`.
            if filters.isEmpty, let given = unmade(named: name) { return given(element) }
            matches = matches.filter { output(of: $0).name == name }
            guard !matches.isEmpty else { return .failure(.unresolved(noTensor(named: name))) }
        }
        let named = matches
        for filter in filters {
            switch apply(filter, to: matches) {
            case .success(let narrowed): matches = narrowed
            case .failure(let problem): return .failure(problem)
            }
        }
        let written = (name ?? "") + (filters.isEmpty ? "" : "@" + filters.map(\.text).joined(separator: ","))
        guard !matches.isEmpty else {
            let made = name == nil ? "" : "; \(name!) is made at " + list(named)
            return .failure(.unresolved("no step matches '\(written)'\(made)"))
        }
        guard let name else { return .success(ResolvedReference(steps: matches, isRange: true, value: nil)) }
        guard matches.count == 1 else {
            return .failure(.unresolved("'\(written)' matches \(matches.count) steps: \(list(matches)); \(tellApart(matches))"))
        }
        let tensor = output(of: matches[0])
        switch quote(shape: tensor.shape, data: tensor.data, name: name, element: element) {
        case .success(let value): return .success(ResolvedReference(steps: matches, isRange: false, value: value, tensor: tensor.id))
        case .failure(let problem): return .failure(problem)
        }
    }

    private func output(of step: Int) -> TensorRecord { trace.tensors[trace.steps[step].output] }

    /// An input, parameter or constant of that name (one tensor no step makes): its value, linked to
    /// the first step that reads it.
    private func unmade(named name: String) -> ((_ element: [Int]?) -> Result<ResolvedReference, ReferenceProblem>)? {
        let made = Set(trace.steps.map(\.output))
        let tensors = trace.tensors.filter { $0.name == name && !made.contains($0.id) }
        guard tensors.count == 1, let tensor = tensors.first else { return nil }
        let reader = trace.steps.indices.first { trace.steps[$0].inputs.contains(tensor.id) }
        return { element in
            quote(shape: tensor.shape, data: tensor.data, name: name, element: element)
                .map { ResolvedReference(steps: reader.map { [$0] } ?? [], isRange: false, value: $0, tensor: tensor.id) }
        }
    }

    /// The scopes a step is in, innermost first.
    private func scopes(of step: Int) -> [Scope] {
        var chain: [Scope] = [], next = trace.steps[step].scope
        while let id = next, trace.scopes.indices.contains(id), chain.count < trace.scopes.count {
            chain.append(trace.scopes[id])
            next = trace.scopes[id].parent
        }
        return chain
    }

    /// The innermost of a step's scopes that `test` accepts: `scopes(of:).first(where:)` without
    /// the array, for filters that look at every step of a trace.
    private func firstScope(of step: Int, where test: (Scope) -> Bool) -> Scope? {
        var next = trace.steps[step].scope, depth = 0
        while let id = next, trace.scopes.indices.contains(id), depth < trace.scopes.count {
            if test(trace.scopes[id]) { return trace.scopes[id] }
            next = trace.scopes[id].parent
            depth += 1
        }
        return nil
    }

    private func apply(_ filter: TraceReference.Filter, to matches: [Int]) -> Result<[Int], ReferenceProblem> {
        switch filter {
        case .first: return .success(Array(matches.prefix(1)))
        case .last: return .success(Array(matches.suffix(1)))
        case .nth(let k): return pick(k, of: matches, what: "match")
        case .total:
            // A gradient's last version: no later step makes another gradient of the same tensor.
            var last: [Int: Int] = [:]
            for step in trace.steps where trace.tensors[step.output].role == .gradient {
                if let of = trace.tensors[step.output].of { last[of] = step.index }
            }
            return .success(matches.filter { step in output(of: step).of.map { last[$0] == step } ?? false })
        case .equals("phase", let value):
            guard let phase = Phase(rawValue: value) else {
                return .failure(.syntax("there is no phase '\(value)'; the phases are \(Phase.allCases.map(\.rawValue).joined(separator: ", "))"))
            }
            return .success(matches.filter { trace.steps[$0].phase == phase })
        case .equals("op", let value):
            return .success(matches.filter { trace.steps[$0].op == value })
        case .equals("scope", let value):
            guard trace.scopes.contains(where: { $0.name == value }) else {
                let names = orderedUnique(trace.scopes.map(\.name))
                return .failure(.unresolved("the trace has no scope '\(value)'\(suggestion(value, in: names)); its scopes are \(excerpt(names))"))
            }
            return .success(matches.filter { firstScope(of: $0) { $0.name == value } != nil })
        case .equals("contribution", let value):
            guard let k = Int(value), k >= 1 else { return .failure(.syntax("contribution=k counts from 1, not '\(value)'")) }
            return pick(k, of: matches.filter(isContribution), what: "contribution")
        case .equals(let key, let value):
            // A key the scopes declare (t, direction, iteration …) is read from the step's scopes, so
            // that `@t=1` is the time step's run and not the loss's steps on tensors tagged t = 1; a
            // key only tags declare (gate, quantity) is read from the step's tensor. The set of every
            // declared key is made only for the error (a trace has thousands of tensors, a page
            // hundreds of references).
            let inScopes = trace.scopes.contains { $0.attributes?[key] != nil }
            guard inScopes || trace.tensors.contains(where: { $0.tags?[key] != nil }) else {
                let known = ["phase", "op", "scope", "contribution"] + declaredKeys().sorted()
                return .failure(.unresolved("the trace declares no '\(key)'\(suggestion(key, in: known)); filters may use \(known.joined(separator: ", "))"))
            }
            return .success(matches.filter { step in
                inScopes
                    ? firstScope(of: step) { $0.attributes?[key] != nil }?.attributes?[key]?.displayText == value
                    : output(of: step).tags?[key]?.displayText == value
            })
        }
    }

    private func pick(_ k: Int, of matches: [Int], what: String) -> Result<[Int], ReferenceProblem> {
        guard k <= matches.count else {
            return .failure(.unresolved("there is no \(ordinal(k)) \(what): there \(matches.count == 1 ? "is" : "are") \(matches.count) (\(list(matches)))"))
        }
        return .success([matches[k - 1]])
    }

    /// A step that adds to ∂Q/∂x: it makes a gradient, and is not the `add` that sums two of them.
    private func isContribution(_ step: Int) -> Bool {
        let out = output(of: step)
        guard out.role == .gradient else { return false }
        let sums = trace.steps[step].op == "add" && trace.steps[step].inputs.contains {
            trace.tensors[$0].role == .gradient && trace.tensors[$0].of == out.of
        }
        return !sums
    }

    /// The attribute keys the trace's scopes and tensor tags declare.
    private func declaredKeys() -> Set<String> {
        var keys = Set<String>()
        for scope in trace.scopes { keys.formUnion(scope.attributes?.keys ?? [:].keys) }
        for tensor in trace.tensors { keys.formUnion(tensor.tags?.keys ?? [:].keys) }
        return keys
    }

    private func noTensor(named name: String) -> String {
        let names = orderedUnique(trace.steps.indices.map { output(of: $0).name })
        let hint = suggestion(name, in: names)
        let inputs = trace.tensors.contains { $0.name == name } ? " (\(name) is an input or a parameter, which no step makes)" : ""
        return "no step makes a tensor named '\(name)'\(inputs)\(hint)"
    }

    /// "62 (matmul in iteration 1 › t = 3 › RNN cell), 79 (…)", at most eight.
    private func list(_ steps: [Int]) -> String {
        let shown = steps.prefix(8).map { step -> String in
            let path = scopes(of: step).reversed().map(\.name).joined(separator: " › ")
            return "\(step + 1) (\(trace.steps[step].op)\(path.isEmpty ? "" : " in \(path)"))"
        }
        return shown.joined(separator: ", ") + (steps.count > 8 ? ", …" : "")
    }

    /// How to choose one of several matches: a filter whose values differ across all of them.
    private func tellApart(_ steps: [Int]) -> String {
        let phases = steps.map { trace.steps[$0].phase.rawValue }, ops = steps.map { trace.steps[$0].op }
        var candidates: [(String, [String?])] = [("phase", phases), ("op", ops)]
        for key in declaredKeys().sorted() {
            candidates.append((key, steps.map { step in
                scopes(of: step).lazy.compactMap { $0.attributes?[key]?.displayText }.first ?? output(of: step).tags?[key]?.displayText
            }))
        }
        func distinct(_ values: [String?]) -> Bool { !values.contains(nil) && Set(values).count == values.count }
        if let (key, values) = candidates.first(where: { distinct($0.1) }) {
            return "choose one with " + values.map { "@\(key)=\($0!)" }.joined(separator: ", ")
        }
        // Two keys together (a time step and an op: the contribution of t = 2 and the sum after it).
        for (i, first) in candidates.enumerated() {
            for second in candidates[(i + 1)...] {
                let pairs = zip(first.1, second.1).map { a, b in a.flatMap { a in b.map { "@\(first.0)=\(a),\(second.0)=\($0)" } } }
                if distinct(pairs) { return "choose one with " + pairs.map { $0! }.joined(separator: ", ") }
            }
        }
        return "add a filter (@t=…, @phase=…, @contribution=k, @total, @first, @last or @k)"
    }
}

/// Finds a value of the training history: an iteration's (or epoch's) loss or snapshot, or the
/// entry's own number (`history.epoch@mark=best`: the epoch early stopping kept).
private struct HistoryMatcher {
    let trace: TraceDocument

    func resolve(series: String, element: [Int]?, filters: [TraceReference.Filter]) -> Result<ResolvedReference, ReferenceProblem> {
        guard var entries = trace.history, !entries.isEmpty else {
            return .failure(.unresolved("the trace has no training history (a demo records one when it trains, e.g. `train: 100`)"))
        }
        for filter in filters {
            switch filter {
            case .first: entries = Array(entries.prefix(1))
            case .last: entries = Array(entries.suffix(1))
            case .nth(let k):
                entries = entries.filter { $0.iteration == k }
            case .equals(let key, let value) where key == "iteration" || key == "epoch":
                guard let k = Int(value) else { return .failure(.syntax("\(key)=k takes a number, not '\(value)'")) }
                entries = entries.filter { $0.iteration == k }
            case .equals("mark", let name):
                // An entry a series marks (early stopping's `best` and `stop`), as the trace declares it.
                let marked = (trace.series ?? []).compactMap { $0.marks?[name] }
                guard let k = marked.first else {
                    let names = Set((trace.series ?? []).flatMap { ($0.marks ?? [:]).keys }).sorted()
                    return .failure(.unresolved(names.isEmpty
                        ? "no series of the trace marks an entry (early stopping marks `best` and `stop`)"
                        : "no series marks '\(name)'; the marks are \(names.joined(separator: ", "))"))
                }
                entries = entries.filter { $0.iteration == k }
            default:
                return .failure(.syntax("a history value takes @last, @first, @k, @iteration=k, @epoch=k or @mark=name, not @\(filter.text)"))
            }
        }
        guard entries.count == 1 else {
            let range = trace.history!.map(\.iteration)
            return .failure(.unresolved(entries.isEmpty
                ? "the history has no such entry; it runs from \(range.first!) to \(range.last!)"
                : "history.\(series) has \(entries.count) values; pick one: @last, @first, @iteration=k"))
        }
        let entry = entries[0]
        let whole: (shape: [Int], data: [Double])
        if series == "loss" {
            whole = ([], [entry.loss])
        } else if series == "iteration" || series == "epoch", entry.tensors?[series] == nil {
            whole = ([], [Double(entry.iteration)])
        } else if let snapshot = entry.tensors?[series] {
            whole = (snapshot.shape, snapshot.data)
        } else {
            let keys = ["loss"] + (entry.tensors?.keys.sorted() ?? [])
            return .failure(.unresolved("the history has no series '\(series)'\(suggestion(series, in: keys)); it has \(keys.joined(separator: ", "))"))
        }
        return quote(shape: whole.shape, data: whole.data, name: "history.\(series)", element: element).map { ResolvedReference(steps: [], isRange: false, value: $0) }
    }
}

/// The whole value, or the element `[i,j]` (from 1, one index per axis; a vector takes one index).
private func quote(shape: [Int], data: [Double], name: String, element: [Int]?) -> Result<QuotedValue, ReferenceProblem> {
    guard let element else { return .success(QuotedValue(shape: shape, data: data)) }
    let long = shape.filter { $0 != 1 }
    let outside = ReferenceProblem.unresolved(
        "\(name)[\(element.map(String.init).joined(separator: ","))] is outside its shape \(shape.map(String.init).joined(separator: "×")) (indices count from 1)")
    let flat: Int
    if element.count == shape.count {
        guard zip(element, shape).allSatisfy({ $0 <= $1 }) else { return .failure(outside) }
        flat = zip(element, shape).reduce(0) { $0 * $1.1 + $1.0 - 1 }
    } else if element.count == 1, long.count <= 1 {
        // A vector (a column or a row) takes one index along its long axis: in row-major order
        // that is its place among the values.
        guard element[0] <= data.count else { return .failure(outside) }
        flat = element[0] - 1
    } else {
        return .failure(.syntax("\(name) has shape \(shape.map(String.init).joined(separator: "×")): give \(shape.count) indices, as the viewer writes them"))
    }
    return .success(QuotedValue(shape: [], data: [data[flat]], element: flat))
}

private func orderedUnique(_ items: [String]) -> [String] {
    var seen = Set<String>()
    return items.filter { seen.insert($0).inserted }
}

private func suggestion(_ word: String, in options: [String]) -> String {
    closest(to: word, in: options).map { "; did you mean '\($0)'?" } ?? ""
}

private func excerpt(_ names: [String]) -> String {
    names.prefix(10).map { "'\($0)'" }.joined(separator: ", ") + (names.count > 10 ? ", …" : "")
}

private func ordinal(_ k: Int) -> String {
    let suffix = (11...13).contains(k % 100) ? "th" : [1: "st", 2: "nd", 3: "rd"][k % 10] ?? "th"
    return "\(k)\(suffix)"
}
