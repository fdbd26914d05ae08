import Foundation
import Testing
@testable import Renderer

/// The fast paths of `StringFastPaths.swift` against the Foundation calls they stand for.
@Suite struct StringFastPathTests {
    static let texts = [
        "", " ", "a", " a", "a ", "\ta\t", "phase=backward", "h_2[1, 2]", "%2C", "a%2Cb", "%zz", "%", "100%",
        "\u{00A0}x\u{00A0}", "x\u{3000}", "\u{2003}é", "é", "~x~", "\u{7F}", "a\nb", "\nx\n", "😀", "a b",
    ]

    @Test func percentDecodingIsFoundations() {
        for text in Self.texts {
            #expect(text.percentDecoded == text.removingPercentEncoding, "\(text.debugDescription)")
            let sub = ("[" + text + "]").dropFirst().dropLast()
            #expect(sub.percentDecoded == sub.removingPercentEncoding, "\(text.debugDescription)")
        }
    }

    @Test func trimmingIsFoundations() {
        for text in Self.texts {
            #expect(text.trimmingWhitespaces == text.trimmingCharacters(in: .whitespaces), "\(text.debugDescription)")
        }
        // Written out, so that the comparison itself is checked.
        #expect(" \tx y\u{00A0}".trimmingWhitespaces == "x y")
    }
}
