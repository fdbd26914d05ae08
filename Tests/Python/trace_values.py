"""Trace values as the format writes them, read independently of the engine: `load_trace`
parses a trace keeping the sign of `-0` and refusing bare NaN/Infinity; `decode_number` and
`tensor_array` turn trace JSON values ("NaN", "Infinity", "-Infinity" included) into floats
and arrays. numpy_ops.py re-exports them beside the ops."""

from __future__ import annotations

import json
import math

import numpy as np

NON_FINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


class OpError(ValueError):
    """The inputs or attrs do not fit the op (the engine would refuse the step)."""


def _parse_int(token: str):
    # Engine doubles with integral values are written without a fraction (`2`, `-0`). Python's
    # json would read `-0` as the integer 0 and lose the sign, so it becomes the float -0.0.
    return -0.0 if token == "-0" else int(token)


def _reject_constant(token: str):
    raise ValueError(f"bare {token} is not JSON; a trace writes it as the string \"{token}\"")


def load_trace(text: str | bytes) -> dict:
    """A trace parsed from JSON text, keeping the sign of `-0` and refusing bare NaN/Infinity."""
    return json.loads(text, parse_int=_parse_int, parse_constant=_reject_constant)


def decode_number(value) -> float:
    """A trace number: a JSON number or one of the strings "NaN", "Infinity", "-Infinity"."""
    if isinstance(value, str):
        if value not in NON_FINITE:
            raise OpError(f"not a number: {value!r}")
        return NON_FINITE[value]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise OpError(f"not a number: {value!r}")
    return float(value)


def tensor_array(record: dict) -> np.ndarray:
    """The values of a trace tensor (or history snapshot) as an array of its shape."""
    data = np.array([decode_number(v) for v in record["data"]], dtype=np.float64)
    return data.reshape(record["shape"])
