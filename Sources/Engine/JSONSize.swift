import Trace

/// How many bytes a trace's JSON spends on what a tape records, estimated as it is recorded (for
/// the `Meter`) without encoding anything. Within a few percent of the encoder's output on
/// computed values; the constants are averages measured on the demos' traces.
enum JSONSize {
    /// A tensor's record beside its numbers: `{"data":[],"id":…,"name":…,"role":…,"shape":…,"tex":…}`.
    static let tensorRecord = 110.0
    /// A step's record: `{"attrs":{},"index":…,"inputs":[…],"op":…,"output":…,"phase":…,"scope":…}`.
    static let stepRecord = 100.0
    /// A scope's record beside its name and equation: `{"equation":…,"id":…,"name":…,"parent":…}`.
    static let scopeRecord = 45.0
    /// A computed number of unknown magnitude, as a gradient usually is (below 0.01), and its comma.
    static let computedNumber = 22.0

    /// A recorded tensor and, when an op made it, its step.
    static func tensor(_ value: Tensor, isStep: Bool) -> Double {
        tensorRecord + (isStep ? stepRecord : 0) + numbers(value.scalars)
    }

    /// Numbers in shortest round-trip form with their commas: integers take their digits, NaN and
    /// ±∞ their quoted names, other values most often 16 or 17 significant digits, after `0.` and
    /// the zeros of their magnitude, or with an exponent below 10⁻⁴ (`-0.0123…`, `4.53…e-05`).
    static func numbers(_ values: [Double]) -> Double {
        var total = 0
        for x in values {
            let magnitude = abs(x)
            if magnitude < 1e15, x == x.rounded() {
                total += digits(Int(x))
            } else if x.isFinite {
                let length = magnitude >= 0.1 ? 18 : magnitude >= 0.01 ? 19 : magnitude >= 1e-3 ? 20 : 21
                total += length + (x < 0 ? 2 : 1)
            } else {
                total += x.isNaN ? 6 : (x < 0 ? 12 : 11)
            }
        }
        return Double(total)
    }

    /// A scope's record.
    static func scope(name: String, equation: String?) -> Double {
        scopeRecord + Double(name.utf8.count + (equation?.utf8.count ?? 0))
    }

    /// A tensor's axis labels: each label quoted, with its comma.
    static func labels(_ labels: [[String]?]) -> Double {
        Double(labels.reduce(12) { total, axis in total + (axis?.reduce(3) { $0 + $1.utf8.count + 3 } ?? 5) })
    }

    /// An object of declarations (a scope's `attributes`, a tensor's `tags`): each key quoted with
    /// its colon and comma, each value an integer or a short word. Nothing when there are none.
    static func declarations(_ values: [String: JSONValue]) -> Double {
        values.isEmpty ? 0 : Double(values.reduce(12) { total, entry in
            let value: Int = switch entry.value {
            case .string(let text): text.utf8.count + 2
            case .int(let number): digits(number)
            default: 5
            }
            return total + entry.key.utf8.count + 4 + value
        })
    }

    /// Characters of an integer and its comma.
    private static func digits(_ value: Int) -> Int {
        var count = value < 0 ? 3 : 2
        var rest = value.magnitude
        while rest >= 10 {
            rest /= 10
            count += 1
        }
        return count
    }
}

extension HistoryEntry {
    /// JSON bytes of an entry holding `numbers` computed values in `tensors` snapshots, estimated
    /// (`{"iteration":…,"loss":…,"traced":…,"tensors":{"W":{"data":[…],"shape":[…]}}}`): what a
    /// training loop adds to a trace beside its tapes (see `Meter.beginLoop`).
    public static func estimatedBytes(tensors: Int = 0, numbers: Int = 0) -> Double {
        65 + 35 * Double(tensors) + JSONSize.computedNumber * Double(numbers)
    }
}
