/// What a parsed page is made of, as `MarkdownDocument` reports it and takes it back: its headings,
/// links and fenced code blocks, and how a link is rewritten.

/// A heading of the page, in document order.
public struct Heading: Equatable, Sendable {
    /// 1 to 6.
    public var level: Int
    /// The heading's text with inline markup removed; math as its TeX source between its delimiters.
    public var text: String
    /// Unique within the page, GitHub style (see `HeadingIDs`).
    public var id: String
    /// The line of the heading (for a setext heading, its first text line).
    public var line: Int
}

/// A link or image destination as written in the source (autolinks included).
public struct LinkReference: Equatable, Sendable {
    public enum Kind: Equatable, Sendable { case link, image }
    public var kind: Kind
    /// The destination after cmark's unescaping, e.g. `lstm.md#gates` or `images/cell.png`.
    public var destination: String
    public var title: String
    /// The link text or the image's alt text, inline markup removed.
    public var text: String
    /// The line where the link or image starts.
    public var line: Int
}

/// What a link becomes when rendered: a new destination, and its text's placeholders filled in
/// (a reference to a trace's step writes the step's number: `[step {step}](#:dQ/dy)`).
public struct LinkRewrite: Equatable, Sendable {
    /// The new destination; nil keeps the one written.
    public var destination: String?
    /// Each placeholder of the link's text (`{step}`) and what replaces it, in every text node.
    public var replacements: [String: String]
    /// The text of a link written with none (`[](#:dQ/dy)`).
    public var emptyText: String?
    /// HTML around the link, and its new title (an exercise's answer: `Exercise`); nil keeps it bare.
    public var htmlBefore: String?
    public var htmlAfter: String?
    public var title: String?

    public init(destination: String?, replacements: [String: String] = [:], emptyText: String? = nil) {
        self.destination = destination
        self.replacements = replacements
        self.emptyText = emptyText
    }
}

/// A fenced code block (indented code blocks have no info string and are not listed).
public struct CodeBlock: Equatable, Sendable {
    /// The whole info string after the opening fence, trimmed, e.g. `unrolled` or `swift title="x"`.
    public var info: String
    /// The block's content, ending with a newline unless empty.
    public var content: String
    /// The line of the opening fence.
    public var line: Int
    /// The line of the closing fence (the last line of the container when the fence is never closed).
    public var endLine: Int
}
