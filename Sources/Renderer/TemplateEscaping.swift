import Mustache

/// swift-mustache's HTML escaping (`&`, `<`, `>`, `"` and `'` as entities) without its cost: it
/// looks every Character of every `{{value}}` up in a Dictionary, thousands of instructions per
/// value, 4 % of a 200-page build for the head's `{{root}}`s alone. Text without any of the five
/// bytes (nearly every value) comes back as it is; text with one is escaped Character by
/// Character as swift-mustache does, so a `<` that a combining mark follows (one Character, not
/// `<`) stays, as it did.
///
/// `Templates` starts every template with the pragma that selects it (`pragma`): swift-mustache
/// takes the content type from a template's pragma, and partials start again from its own.
struct TemplateEscaping: MustacheContentType {
    /// The name the pragma gives.
    static let name = "unrolled-html"
    /// On a line of its own, which swift-mustache drops whole (a standalone tag), so the template's
    /// first line keeps its own standalone tags.
    static let pragma = "{{% CONTENT_TYPE: \(name) }}\n"

    /// Registers the content type under `name` (once; registering again is harmless).
    static let registered: Void = MustacheContentTypes.register(TemplateEscaping(), named: name)

    func escapeText(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }) else {
            return text
        }
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count + 16)
        for character in text {
            switch character {
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "&": escaped += "&amp;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
