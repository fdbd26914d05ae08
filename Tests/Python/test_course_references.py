"""The bundled course's prose names steps by what they compute, never by number (#14): outside
code, a "step 12" or "steps 8–19" typed as text is an error here; the numbers come from
references (`[step {step}](#:dQ/dy)`, docs/site.md "Referring to steps and values"), which the
build resolves and checks. Captions (`caption:` in an `unrolled` block) are prose too."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOTES = sorted((ROOT / "Site" / "notes").glob("*.md"))

# "step 12", "Steps 8–19", "steps 20 and 21": a step word followed by a number.
BARE_STEP = re.compile(r"\b[Ss]teps?\s+\d")
# What is not prose: inline code, math, and link destinations (a reference's `(#:…)` part).
NOT_PROSE = [re.compile(r"`[^`\n]*`"), re.compile(r"\$\$.*?\$\$", re.S), re.compile(r"\$[^$\n]*\$"),
             re.compile(r"\]\([^)\s]*\)"), re.compile(r"\]\(<[^>]*>\)")]


def prose_lines(text: str):
    """(line number, text) of each line a reader reads: outside fenced code, except the captions
    of `unrolled` blocks (and their continuation lines)."""
    fence = None
    in_caption = False
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if fence is None:
            match = re.match(r"^(```+|~~~+)\s*(\S*)", stripped)
            if match:
                fence, info, in_caption = match.group(1), match.group(2), False
                continue
            yield number, line
            continue
        if stripped.startswith(fence[0] * len(fence)) and stripped.strip(fence[0]) == "":
            fence = None
            continue
        if info == "unrolled":
            if re.match(r"^caption\s*:", stripped):
                in_caption = True
                yield number, stripped.split(":", 1)[1]
            elif in_caption and line.startswith((" ", "\t")):
                yield number, line
            else:
                in_caption = False


def bare_step_numbers(path: Path) -> list[str]:
    found = []
    for number, line in prose_lines(path.read_text(encoding="utf-8")):
        for pattern in NOT_PROSE:
            line = pattern.sub(" ", line)
        for match in BARE_STEP.finditer(line):
            found.append(f"{path.relative_to(ROOT)}:{number}: '{line[match.start():match.start() + 24].strip()}…'")
    return found


def test_the_scanner_finds_what_it_should():
    sample = ("One step 12 here.\n`step 3` in code, $step 4$ in math.\n```unrolled\nmodel: neuron\n"
              "caption: Steps 1–7 compute.\n  And step 9.\nid: x\n```\n```python\nstep 5\n```\n"
              "A [step {step}](#:dQ/dy) reference and [steps 4](#:4).\n")
    lines = []
    for number, line in prose_lines(sample):
        for pattern in NOT_PROSE:
            line = pattern.sub(" ", line)
        if BARE_STEP.search(line):
            lines.append(number)
    assert lines == [1, 5, 6, 12], lines


def test_no_step_number_is_typed_in_the_notes():
    assert NOTES, "Site/notes has no chapters"
    found = [entry for path in NOTES for entry in bare_step_numbers(path)]
    assert not found, ("step numbers typed as text (write a reference, docs/site.md "
                       "\"Referring to steps and values\"):\n" + "\n".join(found))
