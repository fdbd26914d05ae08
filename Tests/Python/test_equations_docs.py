"""Every example of docs/equations.md runs as the page says: each ```equations block through
`unrolled trace --equations FILE`, which must print exactly the ```text block that follows it
(the errors and warnings the page quotes, with the file name the page gives), or nothing when
none follows; the directive of the ````markdown block builds under --strict; and the page's
command lines run. A change to a message or to the language that the page does not follow fails
here, naming the example."""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path

import pytest

from trace_checks import REPO, unrolled_binary

PAGE = REPO / "docs" / "equations.md"
# A fenced block: its fence (three or more backticks), its info string, its body.
FENCE = re.compile(r"^(`{3,})(\w*)\n(.*?)^\1$", re.S | re.M)


def blocks() -> list[tuple[str, str]]:
    return [(info, body) for _, info, body in FENCE.findall(PAGE.read_text(encoding="utf-8"))]


def examples() -> list[tuple[str, str, str]]:
    """(file name, equations, expected output) of every ```equations block."""
    found = []
    listed = blocks()
    for i, (info, body) in enumerate(listed):
        if info != "equations":
            continue
        expected = listed[i + 1][1] if i + 1 < len(listed) and listed[i + 1][0] == "text" else ""
        name = expected.split(":", 1)[0] if expected else f"example-{len(found) + 1}.eq"
        found.append((name, body, expected))
    return found


def directive() -> str:
    """The body of the ````markdown block that shows a directive."""
    shown = [body for info, body in blocks() if info == "markdown" and "model: equations" in body]
    assert len(shown) == 1, "docs/equations.md shows one directive in a ````markdown block"
    return shown[0]


def test_the_page_has_examples_and_quoted_errors():
    found = examples()
    assert len(found) >= 10, found
    assert sum(1 for _, _, expected in found if "error:" in expected) >= 6


@pytest.mark.parametrize("name,text,expected", examples(), ids=[e[0] for e in examples()])
def test_every_example_prints_what_the_page_says(tmp_path, name, text, expected):
    (tmp_path / name).write_text(text, encoding="utf-8")
    run = subprocess.run([unrolled_binary(), "trace", "--equations", name], cwd=tmp_path, capture_output=True, text=True)
    assert run.stderr == expected, f"{name}: the page quotes\n{expected}but the CLI prints\n{run.stderr}"
    assert (run.returncode == 0) == ("error:" not in expected), f"{name}: exit status {run.returncode}"


def test_the_directive_builds_and_the_command_lines_run(tmp_path):
    body = directive()
    notes = tmp_path / "course" / "notes"
    notes.mkdir(parents=True)
    (notes / "a.md").write_text("# A\n\n" + body, encoding="utf-8")
    binary = unrolled_binary()
    build = subprocess.run(
        [binary, "build", tmp_path / "course", "--output", tmp_path / "site", "--strict"], capture_output=True, text=True)
    assert build.returncode == 0, build.stderr
    assert "0 warnings" in build.stderr
    # The command lines read neuron.eq: the directive's equations.
    lines = re.search(r"equations: \|\n((?:  .*\n)+)", body).group(1)
    (tmp_path / "neuron.eq").write_text("".join(line[2:] + "\n" for line in lines.splitlines()), encoding="utf-8")
    commands = [body for info, body in blocks() if info == "sh" and "--equations" in body]
    assert commands, "docs/equations.md shows how to run a file of equations"
    ran = 0
    for line in commands[0].splitlines():
        words = shlex.split(line.split("#")[0])
        if not words:
            continue
        assert words[0] == "unrolled", line
        run = subprocess.run([binary, *words[1:]], cwd=tmp_path, capture_output=True, text=True)
        assert run.returncode == 0, f"{line}: {run.stderr}"
        ran += 1
    assert ran >= 3
    assert (tmp_path / "neuron.json").stat().st_size > 0 and (tmp_path / "neuron.html").stat().st_size > 0


def test_chapter_21_quotes_the_error_the_scalar_formula_gets():
    """Chapter 21 quotes the error of writing the notes' scalar formula for g_W: the quote must be
    what the build says for that line put into the chapter's own gradient-formulas program."""
    import re
    import subprocess
    import tempfile
    from pathlib import Path

    from trace_checks import unrolled_binary

    chapter = (Path(__file__).resolve().parents[2] / "Site" / "notes" / "21-your-own-equations.md").read_text(encoding="utf-8")
    body = chapter.split("id: gradient-formulas", 1)[1].split("equations: |\n", 1)[1].split("\n```", 1)[0]
    program = "\n".join(line[2:] for line in body.splitlines())
    scalar = re.search(r"`(g_W = e ⊙ y ⊙ \(1 - y\) ⊙ x)`", chapter).group(1)
    quoted = re.search(r"```text\n(error: .*)\n```", chapter).group(1)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "scalar.txt"
        path.write_text(re.sub(r"^g_W = .*$", scalar, program, flags=re.MULTILINE), encoding="utf-8")
        result = subprocess.run([str(unrolled_binary()), "trace", "--equations", str(path)], capture_output=True, text=True)
    assert result.returncode == 2
    first = result.stderr.splitlines()[0]
    assert first.split(": ", 1)[1] == quoted, (first, quoted)
