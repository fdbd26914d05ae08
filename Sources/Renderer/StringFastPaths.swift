import Foundation

/// Foundation's string cleanups, with a fast path for text that needs none: a page's trace
/// references (hundreds) went through `removingPercentEncoding` and `trimmingCharacters(in:)`
/// several times each, some ten thousand instructions a call even when nothing changed, on the
/// one core that resolves links.
extension StringProtocol {
    /// `removingPercentEncoding`: the text itself when it holds no `%` (what Foundation returns then).
    var percentDecoded: String? {
        utf8.contains(UInt8(ascii: "%")) ? removingPercentEncoding : String(self)
    }
}

extension StringProtocol where UTF8View: BidirectionalCollection {

    /// `trimmingCharacters(in: .whitespaces)`: the text itself when its first and last bytes are
    /// printable ASCII other than the space (no white space at either end to trim).
    var trimmingWhitespaces: String {
        guard let first = utf8.first, let last = utf8.last, (0x21...0x7E).contains(first), (0x21...0x7E).contains(last) else {
            return trimmingCharacters(in: .whitespaces)
        }
        return String(self)
    }
}
