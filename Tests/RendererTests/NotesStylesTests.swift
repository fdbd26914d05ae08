import Foundation
import Testing
@testable import Renderer

/// Notes as four toolchains write them (#15): each written for this test in the style of GitHub,
/// Jupyter Book (MyST), kramdown (Jekyll) and pandoc, built together under `--strict`: no warning,
/// no math left as raw text, and (where Node.js and KaTeX are installed) every span typeset by
/// KaTeX at build time.
@Suite("Notes in the styles of other toolchains")
struct NotesStylesTests {
    static let github = #"""
        # Softmax, as GitHub renders it

        > [!NOTE]
        > The outputs sum to one.

        Inline math GitHub's way, $`\sigma(z)_i = e^{z_i} / \sum_j e^{z_j}`$, and the usual $p(y \mid x)$.

        ```math
        \mathcal{L} = -\sum_i t_i \log \sigma(z)_i
        ```

        | input | output |
        |---|---|
        | $z$ | $\sigma(z)$ |

        A claim with a footnote.[^1]

        [^1]: Bishop, chapter 4.
        """#

    static let myst = #"""
        ---
        title: Cross-entropy, the Jupyter Book way
        ---

        The loss is

        ```{math}
        :label: loss
        Q = -\sum_k t_k \log y_k
        ```

        and over several lines

        $$
        \|y - t\|^2
        = \sum_k |y_k - t_k|^2
        $$

        with $\bm{y} = \operatorname*{softmax}(\bm{z})$.
        """#

    static let kramdown = #"""
        ---
        layout: post
        title: Gradient descent, Jekyll style
        ---

        The update is

        $$
        w \leftarrow w - \eta \, \nabla_w Q
        $$

        where $\eta > 0$ and the norm $\norm{\nabla_w Q}$ shrinks near a minimum; in text,
        $\mbox{learning rate} = 0.1$.
        """#

    static let pandoc = #"""
        % Backpropagation, pandoc style

        The chain rule \(\frac{\partial Q}{\partial w} = \frac{\partial Q}{\partial y}\frac{\partial y}{\partial w}\),
        and prices are not math: it costs $5 and $10.

        \[
        \delta_j = \varphi'(a_j) \sum_k w_{kj} \delta_k
        \]

        \begin{align}
        a_j &= \sum_i w_{ji} x_i \\
        y_j &= \varphi(a_j)
        \end{align}

        The first dollar cannot close: $a + b $ is text, and $c$ is math.[^n]

        [^n]: As `tex_math_dollars` reads it.
        """#

    @Test func everyStyleBuildsWithoutWarningsAndWithoutRawMath() throws {
        let course = try TestCourse([
            "notes/github.md": Self.github, "notes/myst.md": Self.myst,
            "notes/kramdown.md": Self.kramdown, "notes/pandoc.md": Self.pandoc,
        ])
        var options = course.options(strict: true)
        options.katex = URL(fileURLWithPath: "/usr/share/javascript/katex")
        let summary = try Site.build(options)
        #expect(summary.warnings.isEmpty, "\(summary.warnings)")
        for name in ["github", "myst", "kramdown", "pandoc"] {
            let page = try course.page("notes/\(name).html")
            // The prose a reader sees: math elements, code and tags taken out.
            var text = page
            for pattern in [#"<(span|div) class="math[^"]*">[\s\S]*?</(span|div)>"#, #"<code[\s\S]*?</code>"#, #"<script[\s\S]*?</script>"#, #"<[^>]+>"#] {
                text = text.replacingOccurrences(of: pattern, with: " ", options: .regularExpression)
            }
            for raw in ["$$", "\\[", "\\(", "\\begin", "\\frac", "\\sum", "$`"] {
                #expect(!text.contains(raw), "\(name): '\(raw)' left as text")
            }
            #expect(page.contains("class=\"math"), "\(name): no math")
        }
        let pandoc = try course.page("notes/pandoc.html")
        #expect(pandoc.contains("$a + b $ is text") && pandoc.contains("it costs $5 and $10"))
        #expect(try course.page("notes/github.html").contains("markdown-alert-note"))
        #expect(try course.page("notes/myst.html").contains("<title>Cross-entropy, the Jupyter Book way"))
    }
}
