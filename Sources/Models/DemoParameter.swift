import Foundation
import Trace

/// One parameter of a demo: its name, what it means, the values it accepts and its default.
public struct DemoParameter: Sendable {
    public enum Kind: Sendable {
        case integer(ClosedRange<Int>)
        /// A real number between `min` and `max`; `min` itself allowed unless `minExclusive`.
        case real(min: Double, max: Double, minExclusive: Bool)
        case choice([String])
        /// `true` or `false`: YAML's booleans, or `--name` / `--name false` on a command line. Recorded
        /// in a trace's `config` as the text `"true"`/`"false"`, as before booleans had a kind of their
        /// own, so every trace keeps its bytes.
        case boolean
        case integerList(count: ClosedRange<Int>, each: ClosedRange<Int>)
        case realList(count: ClosedRange<Int>, each: ClosedRange<Double>)
        /// Rows of numbers, all the same length: `[[0.5, -1], [1, 0]]`, or `0.5,-1;1,0` on a command line.
        case matrix(rows: ClosedRange<Int>, columns: ClosedRange<Int>)
        /// Free text of a bounded length (e.g. a sentence to tokenize).
        case text(length: ClosedRange<Int>)
        /// The path of a UTF-8 text file the demo reads through `DemoConfig.readFile`: on a command
        /// line relative to the current folder, in a course relative to the page (and kept inside
        /// the course), so the kind says which parameters name files.
        case file
    }

    /// How a parameter drives the cost of a run, so that a run over its `Budget` can say what to lower.
    public enum Scaling: Sendable {
        /// The size of the network or of its data: every pass grows with it (`hidden`, `steps`, a text).
        case size
        /// How many times a pass repeats (`train`).
        case repetitions
    }

    public let name: String
    public let summary: String
    public let kind: Kind
    /// `nil`: the parameter is optional and has no default (the demo derives a value, e.g. from the seed).
    public let defaultValue: JSONValue?
    /// `nil`: the parameter changes what is computed, not how much.
    public let scaling: Scaling?
    /// The demo checks whether this parameter was written, not only its value (written, it must
    /// agree with the parameters that would otherwise decide it: `steps` with `inputs`), so a run
    /// that names it at its default is told apart from one that leaves it out (`DemoConfig.given`).
    public let givenMatters: Bool

    public init(
        _ name: String, _ summary: String, _ kind: Kind, default defaultValue: JSONValue?, scales scaling: Scaling? = nil,
        givenMatters: Bool = false
    ) {
        self.name = name
        self.summary = summary
        self.kind = kind
        self.defaultValue = defaultValue
        self.scaling = scaling
        self.givenMatters = givenMatters
    }

    /// The options of a `.choice` (`false | true` for a `.boolean`).
    static let booleanOptions = ["false", "true"]

    /// The accepted values in words: `1…16`, `0 < x ≤ 10`, `sigmoid | tanh | relu`, `2 to 6 integers in 1…256`.
    public var allowed: String {
        switch kind {
        case .integer(let range): return "\(range.lowerBound)…\(range.upperBound)"
        case .real(let min, let max, let exclusive):
            return exclusive ? "\(format(min)) < x ≤ \(format(max))" : "\(format(min))…\(format(max))"
        case .choice(let options): return options.joined(separator: " | ")
        case .boolean: return Self.booleanOptions.joined(separator: " | ")
        case .integerList(let count, let each):
            return "\(countText(count)) integers in \(each.lowerBound)…\(each.upperBound), comma-separated"
        case .realList(let count, let each):
            return "\(countText(count)) numbers in \(format(each.lowerBound))…\(format(each.upperBound)), comma-separated"
        case .matrix(let rows, let columns):
            return "\(countText(rows)) rows of \(countText(columns)) numbers (rows separated by ';', numbers by ',')"
        case .text(let length):
            return "text of \(countText(length)) characters"
        case .file:
            return "the path of a UTF-8 text file"
        }
    }

    /// Reads a value written on a command line (`4`, `0.5`, `tanh`, `2,3,1`).
    public func parse(_ text: String) throws(DemoError) -> JSONValue {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        func number(_ piece: Substring) throws(DemoError) -> Double {
            guard let value = Double(piece.trimmingCharacters(in: .whitespaces)) else {
                throw .invalidValue(parameter: name, value: text, expected: allowed)
            }
            return value
        }
        switch kind {
        case .integer:
            guard let value = Int(trimmed) else { throw .invalidValue(parameter: name, value: text, expected: allowed) }
            return .int(value)
        case .real:
            return .double(try number(Substring(trimmed)))
        case .choice, .boolean:
            return .string(trimmed)
        case .integerList:
            var values: [JSONValue] = []
            for piece in trimmed.split(separator: ",", omittingEmptySubsequences: false) {
                guard let value = Int(piece.trimmingCharacters(in: .whitespaces)) else {
                    throw .invalidValue(parameter: name, value: text, expected: allowed)
                }
                values.append(.int(value))
            }
            return .array(values)
        case .realList:
            var values: [JSONValue] = []
            for piece in trimmed.split(separator: ",", omittingEmptySubsequences: false) {
                values.append(.double(try number(piece)))
            }
            return .array(values)
        case .matrix:
            var rows: [JSONValue] = []
            for row in trimmed.split(separator: ";", omittingEmptySubsequences: false) {
                var values: [JSONValue] = []
                for piece in row.split(separator: ",", omittingEmptySubsequences: false) {
                    values.append(.double(try number(piece)))
                }
                rows.append(.array(values))
            }
            return .array(rows)
        case .text, .file:
            return .string(text)
        }
    }

    /// Checks a value's type and range, returning it in canonical form (integers as `.int`, reals as `.double`).
    public func validate(_ value: JSONValue) throws(DemoError) -> JSONValue {
        let bad = DemoError.invalidValue(parameter: name, value: value.displayText, expected: allowed)
        switch kind {
        case .integer(let range):
            guard let int = value.intValue else { throw bad }
            guard range.contains(int) else { throw .outOfRange(parameter: name, value: value.displayText, allowed: allowed) }
            return .int(int)
        case .real(let min, let max, let exclusive):
            guard let real = value.doubleValue, real.isFinite else { throw bad }
            guard real <= max, exclusive ? real > min : real >= min else {
                throw .outOfRange(parameter: name, value: value.displayText, allowed: allowed)
            }
            return .double(real)
        case .choice(let options):
            // A YAML `causal: true` arrives as a boolean; the choice is its text.
            guard let string = value.stringValue ?? value.boolValue.map({ String($0) }) else { throw bad }
            guard options.contains(string) else {
                throw .unknownChoice(parameter: name, value: string, options: options, suggestion: closest(to: string, in: options))
            }
            return .string(string)
        case .boolean:
            // A YAML `causal: true` arrives as a boolean, a command line's `--causal true` as text.
            guard let string = value.boolValue.map({ String($0) }) ?? value.stringValue else { throw bad }
            guard Self.booleanOptions.contains(string) else {
                throw .unknownChoice(
                    parameter: name, value: string, options: Self.booleanOptions, suggestion: closest(to: string, in: Self.booleanOptions))
            }
            return .string(string)
        case .integerList(let count, let each):
            guard let ints = value.intArray else { throw bad }
            guard count.contains(ints.count), ints.allSatisfy(each.contains) else {
                throw .outOfRange(parameter: name, value: value.displayText, allowed: allowed)
            }
            return .array(ints.map { .int($0) })
        case .realList(let count, let each):
            guard let reals = value.doubleArray else { throw bad }
            guard count.contains(reals.count), reals.allSatisfy(each.contains) else {
                throw .outOfRange(parameter: name, value: value.displayText, allowed: allowed)
            }
            return .array(reals.map { .double($0) })
        case .matrix(let rowCount, let columnCount):
            guard let rows = value.arrayValue?.map(\.doubleArray), rows.allSatisfy({ $0 != nil }),
                let first = rows.first ?? [], rows.allSatisfy({ $0!.count == first.count })
            else {
                throw bad
            }
            guard rowCount.contains(rows.count), columnCount.contains(first.count),
                rows.allSatisfy({ $0!.allSatisfy(\.isFinite) })
            else {
                throw .outOfRange(parameter: name, value: value.displayText, allowed: allowed)
            }
            return .array(rows.map { .array($0!.map { .double($0) }) })
        case .text(let length):
            guard let text = value.stringValue else { throw bad }
            guard length.contains(text.count) else {
                throw .outOfRange(parameter: name, value: "'\(text)'", allowed: allowed)
            }
            return value
        case .file:
            guard let path = value.stringValue, (1...4096).contains(path.utf8.count) else { throw bad }
            return value
        }
    }

    private func countText(_ count: ClosedRange<Int>) -> String {
        count.lowerBound == count.upperBound ? "\(count.lowerBound)" : "\(count.lowerBound) to \(count.upperBound)"
    }
}

private func format(_ value: Double) -> String {
    value.rounded() == value && abs(value) < 1e15 ? String(Int(value)) : String(value)
}

/// The option nearest to `word` by edit distance, if it is near enough to be a likely typo.
public func closest(to word: String, in options: [String]) -> String? {
    // Longer than every option by more than the edits allowed: nothing is near (and a megabyte of
    // a value is not compared letter by letter).
    guard word.count <= (options.map(\.count).max() ?? 0) + 3 else { return nil }
    let scored = options.map { ($0, editDistance(word.lowercased(), $0.lowercased())) }
    guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
    let limit = max(1, min(3, best.0.count / 3))
    if best.1 <= limit { return best.0 }
    // A word that starts exactly one option (`output` for `output-size`) means that option.
    let extensions = options.filter { !word.isEmpty && $0.hasPrefix(word) }
    return extensions.count == 1 ? extensions[0] : nil
}

/// Edit distance counting a swap of two neighbouring letters as one edit (optimal string
/// alignment), so the common typo "tahn" is one edit from "tanh".
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    guard !a.isEmpty, !b.isEmpty else { return max(a.count, b.count) }
    var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
    for i in 0...a.count { d[i][0] = i }
    for j in 0...b.count { d[0][j] = j }
    for i in 1...a.count {
        for j in 1...b.count {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
            }
        }
    }
    return d[a.count][b.count]
}
