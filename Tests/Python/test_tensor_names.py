"""Every tensor of every demo's trace reads as TeX a reader can follow (docs/trace-format.md,
"Names"): a `tex`, never a counter (`\\mathrm{mul\\_51}`), short, that Debian's KaTeX typesets with
the viewer's own options; and an unnamed element-wise product, sum or matrix product of named
tensors reads as the rule writes it from their TeX, checked here from the rule, not the engine."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from trace_cases import HISTORY_ONLY
from trace_checks import CLI_CASES, REPO, cli_trace, unrolled_binary

KATEX = Path("/usr/share/javascript/katex/katex.min.js")
CHECK_MATH = REPO / "Templates" / "tools" / "check-math.js"
KIT = REPO / "Templates" / "assets" / "viewer" / "viewer-kit.js"
TRACED = sorted(set(CLI_CASES) - HISTORY_ONLY)


def op_names() -> list[str]:
    listing = subprocess.run([str(unrolled_binary()), "ops", "--json"], capture_output=True, check=True, text=True).stdout
    return [op["name"] for op in json.loads(listing)]


def counter_name(name: str, ops: list[str]) -> bool:
    """The name the engine gives a tensor the model did not name: `<op>_<id>`."""
    return any(re.fullmatch(re.escape(op) + r"_\d+", name) for op in ops)


def visible_width(tex: str) -> int:
    """The symbols TeX shows, counted as the rule counts them: a command one (none for spacing,
    fonts, accents, \\left and \\right, fractions), braces, `_`, `^` and spaces none."""
    invisible = {"left", "right", "mathrm", "operatorname", "text", "mathbf", "mathit", "mathcal", "mathbb", "boldsymbol",
                 "tilde", "hat", "bar", "vec", "dot", "frac", "tfrac", "dfrac", "displaystyle", "textstyle", "limits", "big", "Big"}
    width = 0
    for command, symbol, char in re.findall(r"\\([A-Za-z]+)|\\(.)|([^{}_^ ])", tex):
        if command:
            width += command not in invisible
        elif symbol:
            width += symbol not in ",;:! "
        else:
            width += 1
    return width


@pytest.mark.parametrize("case", TRACED)
def test_every_tensor_reads_as_tex_and_none_as_a_counter(case):
    ops = op_names()
    trace = cli_trace(case)
    counters = [t for t in trace["tensors"] if counter_name(t["name"], ops)]
    for tensor in trace["tensors"]:
        assert isinstance(tensor["tex"], str) and tensor["tex"].strip(), tensor
        assert not counter_name(tensor["tex"], ops), tensor
        assert not re.search(r"\\mathrm\{(" + "|".join(map(re.escape, ops)) + r")\\_\d+\}", tensor["tex"]), tensor
    # The counter stays the name (what the notes' references use); only its TeX changed.
    for tensor in counters:
        assert tensor["role"] != "gradient" and tensor["tex"] != tensor["name"]


@pytest.mark.parametrize("case", TRACED)
def test_a_reading_the_engine_writes_stays_short(case):
    """What the engine writes (an op's reading, a gradient's ∂Q/∂x) shows at most 40 symbols: a
    reading is shortened past 24, and names are elided past 40. A name the model gave is never
    shortened, so a gradient may be longer by as much as the name of what it is the gradient of."""
    ops = op_names()
    tensors = cli_trace(case)["tensors"]
    written = [t for t in tensors if counter_name(t["name"], ops) or t["role"] == "gradient"]
    assert written
    for tensor in written:
        of = tensors[tensor["of"]] if tensor["role"] == "gradient" else None
        named = visible_width(of["tex"]) if of and not counter_name(of["name"], ops) else 0
        assert visible_width(tensor["tex"]) <= 40 + named, tensor["tex"]


def test_an_unnamed_product_sum_or_matrix_product_of_names_reads_as_the_rule_writes_it():
    """From the rule: `a \\odot b`, `a + b`, `a - b`, `A B`, operands as their TeX when the model
    named them and their TeX is one symbol group (no space)."""
    ops = op_names()
    trace = cli_trace("lstm-default")
    tensors = trace["tensors"]
    symbol = {"mul": " \\odot ", "add": " + ", "sub": " - ", "matmul": " "}
    seen = set()
    for step in trace["steps"]:
        out = tensors[step["output"]]
        operands = [tensors[i] for i in step["inputs"]]
        if step["op"] not in symbol or not counter_name(out["name"], ops) or out["role"] == "gradient":
            continue
        if any(counter_name(t["name"], ops) or t["role"] == "gradient" or " " in t["tex"] for t in operands):
            continue
        assert out["tex"] == symbol[step["op"]].join(t["tex"] for t in operands), out
        seen.add(step["op"])
    assert seen == {"mul", "matmul", "add", "sub"}, seen
    # The cell state of t = 2: c_2 = f_2 ⊙ c_1 + i_2 ⊙ c̃_2, its two products read as the notes write them.
    c2 = next(s for s in trace["steps"] if tensors[s["output"]]["name"] == "c_2")
    assert [tensors[i]["tex"] for i in c2["inputs"]] == ["f_{2} \\odot c_{1}", "i_{2} \\odot \\tilde{c}_{2}"]


def test_every_tensors_tex_typesets_in_katex_with_the_viewers_options():
    """check-math.js typesets each TeX as the reader's browser does (viewer-kit.js's options) and
    reports what KaTeX refuses (a double superscript, an unknown command)."""
    seen: dict[str, str] = {}
    for case in TRACED:
        for tensor in cli_trace(case)["tensors"]:
            seen.setdefault(tensor["tex"], f"{case}: {tensor['name']}")
    spans = list(seen)
    result = subprocess.run(["node", str(CHECK_MATH), str(KATEX), str(KIT)], input=json.dumps([[s, False] for s in spans]),
                            capture_output=True, text=True, check=True)
    problems = [f"{seen[spans[i]]}: {spans[i]}: {message}" for i, message in json.loads(result.stdout)]
    assert problems == [], "\n".join(problems[:20])
