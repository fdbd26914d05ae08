import Foundation
import Trace

/// What `unrolled ops` prints, made from the ops' declarations: for people (`catalogText`) and
/// for tools (`catalogJSON`). The JSON Schema's op rules are generated from the JSON
/// (`scripts/update-schema`), so a new op's name and attributes are written in its Swift file only.
extension OpRegistry {
    /// Every op kind, in the order of the docs' op table: name, number of inputs (null for one or
    /// more) and how many of the last may be left out, whether gradients pass through it, and its attributes (key, kind, required).
    public static var catalog: JSONValue {
        .array(
            kinds.map { kind in
                .object([
                    "name": .string(kind.name),
                    "inputs": kind.arity.map(JSONValue.int) ?? .null,
                    "optional_inputs": .int(kind.optionalInputs),
                    "differentiable": .bool(kind.isDifferentiable),
                    "attributes": .array(
                        kind.attributes.map {
                            .object(["key": .string($0.key), "kind": .string($0.kind.rawValue), "required": .bool($0.kind.isRequired)])
                        }),
                ])
            })
    }

    /// `catalog` as pretty-printed JSON with sorted keys.
    public static func catalogJSON() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(catalog)) ?? Data("[]".utf8), as: UTF8.self)
    }

    /// One line per op: its name, its inputs and its attributes (`?` marks one a step may leave out).
    public static func catalogText() -> String {
        let rows = kinds.map { kind -> (String, String) in
            let inputs = inputCountText(of: kind)
            let attributes = kind.attributes.map { "\($0.key)\($0.kind.isRequired ? "" : "?"): \($0.kind.rawValue)" }
            let gradient = kind.isDifferentiable ? "" : "; no gradient rule"
            return (kind.name, inputs + (attributes.isEmpty ? "" : "; " + attributes.joined(separator: ", ")) + gradient)
        }
        let width = rows.map(\.0.count).max() ?? 0
        return rows.map { $0.0.padding(toLength: width + 2, withPad: " ", startingAt: 0) + $0.1 }.joined(separator: "\n")
    }
}
