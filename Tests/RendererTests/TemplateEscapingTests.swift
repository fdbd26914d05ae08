import Foundation
import Mustache
import Testing
@testable import Renderer

/// The templates' escaping against swift-mustache's own (a template without the pragma).
@Suite struct TemplateEscapingTests {
    static let texts = [
        "", "../", "plain title", "<b>&amp;</b>", "\"quoted\" 'single'", "a<\u{0338}b", "<\u{0301}", "é & ü", "😀<😀>",
        "&\u{200D}", "'\u{0308}x", "tab\t<\n>",
    ]

    @Test func aValueIsEscapedAsSwiftMustacheEscapesIt() throws {
        TemplateEscaping.registered
        let theirs = try MustacheTemplate(string: "[{{value}}]")
        let ours = try MustacheTemplate(string: TemplateEscaping.pragma + "[{{value}}]")
        for text in Self.texts {
            #expect(ours.render(["value": text]) == theirs.render(["value": text]), "\(text.debugDescription)")
        }
        // Written out for two of them, so that the comparison itself is checked.
        #expect(ours.render(["value": "<b>&amp;</b>"]) == "[&lt;b&gt;&amp;amp;&lt;/b&gt;]")
        #expect(ours.render(["value": "a<\u{0338}b"]) == "[a<\u{0338}b]")
    }

    @Test func thePragmaLineLeavesTheTemplateAsItWas() throws {
        TemplateEscaping.registered
        // A first line that is a standalone section stays standalone; partials escape too.
        let template = "{{#on}}\n<p>{{value}}</p>\n{{/on}}\n  {{> part}}\nend\n"
        let partial = "<i>{{value}}</i>\n"
        var plain = MustacheLibrary(), pragma = MustacheLibrary()
        try plain.register(template, named: "t")
        try plain.register(partial, named: "part")
        try pragma.register(TemplateEscaping.pragma + template, named: "t")
        try pragma.register(TemplateEscaping.pragma + partial, named: "part")
        let context: [String: Any] = ["on": true, "value": "<x>"]
        #expect(pragma.render(context, withTemplate: "t") == plain.render(context, withTemplate: "t"))
        #expect(pragma.render(context, withTemplate: "t") == "<p>&lt;x&gt;</p>\n  <i>&lt;x&gt;</i>\nend\n")
    }
}
