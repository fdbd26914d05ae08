import Foundation
import Models
import Testing

/// `excerpt`: how an error message quotes a value, short and on one line whatever the value.
@Suite struct ExcerptTests {
    @Test func aShortValueIsQuotedAsItIs() {
        #expect("tanh".excerpt == "tanh")
        #expect(String(repeating: "é", count: 200).excerpt == String(repeating: "é", count: 200))
    }

    @Test func aLongValueKeepsItsFirst200CharactersAndItsLength() {
        #expect(String(repeating: "x", count: 5_000).excerpt == String(repeating: "x", count: 200) + "… (5000 characters)")
    }

    @Test func controlCharactersAreEscapedAndCountAsWritten() {
        #expect("a\nb\tc\u{1}d\u{2028}".excerpt == "a\\nb\\tc\\u{1}d\\u{2028}")
        #expect(String(repeating: "\u{1F}", count: 100).excerpt
            == String(repeating: "\\u{1f}", count: 33) + "… (100 characters)")
    }

    /// Found by `make fuzz` (demo-parameter): escaped control characters made a 1,200-character line.
    @Test func aParameterValueOfControlCharactersGivesAShortError() throws {
        let input = String(decoding: Data(base64Encoded: """
            CgoKCwsLCwsLCwsLCwsLCwsLCx8fHx8fHx8fHx8fHx8fHx8fHx8fHx8fHx8fHx8fHx8fHx8fHx8fHx8fHx8fHx8fHx8fHx8fHx8fHx8f\
            Hx8fHx8fHx8fHx8fHx8fHx8fHx8fHx8fHx8LCwsLCwsLCwsLCwsLCwsLCwsLCwsLCwsLCwsLCwsLCwsLCwsLCwsLCwsLCwsLCwsLCwsL\
            CwsLCwsLCwsLCwsLCwsLCwsLCwsLCwsLCwsrCwsLCwsLCwsLCwsLCwsLCwsKMQ==
            """)!, as: UTF8.self)
        let parameter = try #require(Demos.all.first?.parameters.first)
        do {
            _ = try parameter.validate(try parameter.parse(input))
            Issue.record("control characters are not a valid --\(parameter.name)")
        } catch {
            let message = error.message(flagPrefix: "--")
            #expect(message.count < 300 && !message.contains("\n"), "\(message)")
        }
    }
}
