import CCmarkGFM

/// GitHub's alerts: a blockquote whose first line is `[!NOTE]`, `[!TIP]`, `[!IMPORTANT]`,
/// `[!WARNING]` or `[!CAUTION]` (any case, alone on its line) and which holds more than that line.
///
/// ```markdown
/// > [!WARNING]
/// > The cell state is not squashed before the output gate.
/// ```
///
/// becomes, as GitHub writes it (its class names, so stylesheets written for GitHub's alerts apply):
///
/// ```html
/// <div class="markdown-alert markdown-alert-warning">
/// <p class="markdown-alert-title"><svg …>…</svg>Warning</p>
/// <p>The cell state is not squashed before the output gate.</p>
/// </div>
/// ```
///
/// As on GitHub, only blockquotes at the top of the page (not inside a list or another blockquote)
/// are alerts; any other blockquote, `[!NOTE] text` on one line and `[!UNKNOWN]` stay blockquotes.
/// The icons are drawn here, in a 16-unit square with the text's colour.
enum Alerts {
    /// The kinds, by the word between `[!` and `]` in upper case: the title shown and the icon's shapes.
    static let kinds: [String: (title: String, icon: String)] = [
        "NOTE": ("Note", #"<circle cx="8" cy="8" r="6.25"/><path d="M8 7.25v4M8 4.75v.01"/>"#),
        "TIP": ("Tip", #"<path d="M6 12.25h4M6.5 14.5h3M6 10.5c0-1.5-2.5-2.75-2.5-5a4.5 4.5 0 0 1 9 0c0 2.25-2.5 3.5-2.5 5z"/>"#),
        "IMPORTANT": ("Important", #"<path d="M1.75 2h12.5v9H8.5l-3.25 3v-3H1.75zM8 4.5v3M8 9.5v.01"/>"#),
        "WARNING": ("Warning", #"<path d="M8 1.75l6.5 12H1.5zM8 6v3.75M8 11.75v.01"/>"#),
        "CAUTION": ("Caution", #"<path d="M5.25 1.5h5.5l3.75 3.75v5.5l-3.75 3.75h-5.5L1.5 10.75v-5.5zM8 4.75v4M8 11v.01"/>"#),
    ]

    /// Turns every alert among `root`'s children into its `<div>`; other blockquotes stay as they
    /// are. `text` is what cmark parsed: a marker written `\[!NOTE]` reads the same in the tree,
    /// and is text (the way to show the syntax itself).
    static func apply(to root: OpaquePointer, text bytes: [UInt8]) {
        // The text's lines, found at the first marker: most pages have none.
        var lineStarts: [Int] = []
        var child = cmark_node_first_child(root)
        while let node = child {
            child = cmark_node_next(node)
            guard cmark_node_get_type(node) == CMARK_NODE_BLOCK_QUOTE else { continue }
            convert(node) { paragraph in
                if lineStarts.isEmpty {
                    lineStarts = [0] + bytes.indices.filter { bytes[$0] == 0x0A }.map { $0 + 1 }
                }
                let line = Int(cmark_node_get_start_line(paragraph)), column = Int(cmark_node_get_start_column(paragraph))
                guard line >= 1, line <= lineStarts.count, column >= 1 else { return false }
                let starts = lineStarts
                let at = starts[line - 1] + column - 1
                return at < bytes.count && bytes[at] == 0x5B  // "["
            }
        }
    }

    /// The kind of a marker text node, `[!note]` → `NOTE`; nil for any other text.
    static func kind(of text: String) -> String? {
        guard text.hasPrefix("[!"), text.hasSuffix("]"), text.utf8.count <= 12 else { return nil }
        let word = text.dropFirst(2).dropLast().uppercased()
        return kinds[word] == nil ? nil : word
    }

    /// `opensWithBracket`: whether the paragraph's first line starts with `[` in the source.
    private static func convert(_ quote: OpaquePointer, opensWithBracket: (OpaquePointer) -> Bool) {
        guard let paragraph = cmark_node_first_child(quote), cmark_node_get_type(paragraph) == CMARK_NODE_PARAGRAPH,
            let marker = cmark_node_first_child(paragraph), cmark_node_get_type(marker) == CMARK_NODE_TEXT,
            let literal = cmark_node_get_literal(marker), let kind = kind(of: String(cString: literal)),
            let (title, icon) = kinds[kind], opensWithBracket(paragraph)
        else { return }
        let lineEnd = cmark_node_next(marker)
        if let lineEnd {
            let type = cmark_node_get_type(lineEnd)
            guard type == CMARK_NODE_SOFTBREAK || type == CMARK_NODE_LINEBREAK else { return }  // `[!NOTE] text`
            guard cmark_node_next(lineEnd) != nil else { return }
        } else if cmark_node_next(paragraph) == nil {
            return  // the marker alone: nothing to call out
        }
        // The marker and its line break go; a paragraph left empty goes too.
        for node in [marker, lineEnd].compactMap({ $0 }) {
            cmark_node_unlink(node)
            cmark_node_free(node)
        }
        if cmark_node_first_child(paragraph) == nil {
            cmark_node_unlink(paragraph)
            cmark_node_free(paragraph)
        }
        let name = kind.lowercased()
        let block = cmark_node_new(CMARK_NODE_CUSTOM_BLOCK)
        cmark_node_set_on_enter(block, """
            <div class="markdown-alert markdown-alert-\(name)">
            <p class="markdown-alert-title"><svg class="markdown-alert-icon" viewBox="0 0 16 16" width="16" height="16" \
            aria-hidden="true" fill="none" stroke="currentColor" stroke-width="1.5" stroke-linecap="round" \
            stroke-linejoin="round">\(icon)</svg>\(title)</p>
            """)
        cmark_node_set_on_exit(block, "</div>")
        cmark_node_insert_before(quote, block)
        while let inner = cmark_node_first_child(quote) {
            cmark_node_append_child(block, inner)
        }
        cmark_node_unlink(quote)
        cmark_node_free(quote)
    }
}
