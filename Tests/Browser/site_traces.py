"""A site's trace data read back without the viewer: `traces/<id>.js` holds
`UnrolledTraceData[id] = "1:<n>:<Z85>"` (docs/trace-format.md, "Compact layout"). Decoded here
from the documents' description, independently of viewer-data.js and of the Swift writer: Z85 as
ZeroMQ RFC 32 defines it, zlib, then the layout: a little-endian UInt32 n, n bytes of JSON, then
8·m bytes holding m doubles byte-shuffled (byte k of number i at k·m + i); each `data` of a
tensor or a training snapshot is [offset, count] into those numbers."""

from __future__ import annotations

import json
import re
import struct
import zlib
from pathlib import Path

Z85 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#"
DIGIT = {c: i for i, c in enumerate(Z85)}


def z85_decode(text: str) -> bytes:
    assert len(text) % 5 == 0, f"Z85 text of {len(text)} characters"
    digits = [DIGIT[c] for c in text]
    values = [(((a * 85 + b) * 85 + c) * 85 + d) * 85 + e
              for a, b, c, d, e in zip(*[iter(digits)] * 5)]
    return struct.pack(f">{len(values)}I", *values)


def decode_script(text: str) -> tuple[str, dict]:
    """The trace id a data script names and the trace it holds."""
    match = re.search(r'\)\[("(?:[^"\\]|\\.)*")\] = "1:(\d+):([^"]*)";', text)
    assert match, "no `[id] = \"1:<n>:<Z85>\";` in the script"
    raw = zlib.decompress(z85_decode(match.group(3))[: int(match.group(2))])
    (length,) = struct.unpack_from("<I", raw, 0)
    trace = json.loads(raw[4:4 + length])
    shuffled = raw[4 + length:]
    m = len(shuffled) // 8
    plain = bytearray(8 * m)
    for k in range(8):
        plain[k::8] = shuffled[k * m:(k + 1) * m]
    numbers = struct.unpack(f"<{m}d", plain)

    def take(where):
        offset, count = where
        return list(numbers[offset:offset + count])

    for tensor in trace["tensors"]:
        tensor["data"] = take(tensor["data"])
    for entry in trace.get("history") or []:
        for snapshot in (entry.get("tensors") or {}).values():
            snapshot["data"] = take(snapshot["data"])
    return json.loads(match.group(1)), trace


def site_trace(site: Path, trace_id: str) -> dict:
    """The trace `traces/<id>.js` of a built site holds (checking that it is that id's)."""
    name, trace = decode_script((site / "traces" / f"{trace_id}.js").read_text(encoding="utf-8"))
    assert name == trace_id, f"traces/{trace_id}.js names the trace {name!r}"
    return trace


def page_traces(path: Path) -> dict[str, Path]:
    """The traces a page shows (`<unrolled-trace trace-id … data-src>`), with the data script each names."""
    html = path.read_text(encoding="utf-8", errors="replace")
    found = re.finditer(r'<unrolled-trace [^>]*trace-id="([^"]+)"[^>]*data-src="([^"]+)"', html)
    return {m.group(1): (path.parent / m.group(2)).resolve() for m in found}


def normalized(trace) -> object:
    """A trace as JSON writes it: NaN and ±∞ as their strings (the layout stores them as doubles)."""
    if isinstance(trace, float):
        if trace != trace:
            return "NaN"
        if trace in (float("inf"), float("-inf")):
            return "Infinity" if trace > 0 else "-Infinity"
        return trace
    if isinstance(trace, list):
        return [normalized(x) for x in trace]
    if isinstance(trace, dict):
        return {k: normalized(v) for k, v in trace.items()}
    return trace
