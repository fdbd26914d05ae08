"""Under pytest-xdist, the workers of a run share the traces the CLI makes (trace_checks.SHARED)."""

from __future__ import annotations

import os

import pytest

import trace_checks


@pytest.fixture(scope="session", autouse=True)
def shared_cli_traces(tmp_path_factory):
    if os.environ.get("PYTEST_XDIST_WORKER"):
        # Each worker's base folder is inside the run's.
        folder = tmp_path_factory.getbasetemp().parent / "cli-traces"
        folder.mkdir(exist_ok=True)
        trace_checks.SHARED = folder
    yield
