"""`unrolled serve` started for a test or a benchmark: on a free port (`--port 0`), its address read
from the line it prints, stopped with SIGINT (Ctrl-C) as a person stops it."""

from __future__ import annotations

import os
import re
import select
import signal
import subprocess
import time
from pathlib import Path

ADDRESS = re.compile(r"serving .* at (http://\S+) \(Ctrl-C stops\)")


class Server:
    """A running `unrolled serve COURSE --port 0`; `lines` holds what it printed so far."""

    def __init__(self, binary: Path, course: Path, *arguments: str, timeout: float = 1800):
        self.process = subprocess.Popen([str(binary), "serve", str(course), "--port", "0", *arguments],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.lines: list[str] = []
        # Read from the pipe's file descriptor, not through Python's buffered reader: a readline()
        # would take several lines into its buffer, where select() no longer sees them.
        self._partial = b""
        self.address = ""
        match = self.wait_for(ADDRESS, timeout)
        self.address = match.group(1)

    def wait_for(self, pattern: re.Pattern | str, timeout: float, after: int = 0) -> re.Match:
        """The first line printed (from line `after` on) that matches `pattern`, waiting for it up to `timeout`."""
        pattern = re.compile(pattern) if isinstance(pattern, str) else pattern
        seen = after
        deadline = time.monotonic() + timeout
        while True:
            for line in self.lines[seen:]:
                if match := pattern.search(line):
                    return match
            seen = len(self.lines)
            left = deadline - time.monotonic()
            if left <= 0 or self.process.poll() is not None and not self._ready(0):
                raise AssertionError(f"`unrolled serve` printed no line matching {pattern.pattern!r}:\n" + "".join(self.lines))
            if self._ready(min(left, 1.0)):
                self._read()

    def _read(self) -> None:
        chunk = os.read(self.process.stderr.fileno(), 65536)
        if not chunk:
            return
        *complete, self._partial = (self._partial + chunk).split(b"\n")
        self.lines += [line.decode("utf-8", "replace") + "\n" for line in complete]

    def _read_more(self) -> bool:
        before = len(self.lines), self._partial
        self._read()
        return (len(self.lines), self._partial) != before

    def _ready(self, timeout: float) -> bool:
        return bool(select.select([self.process.stderr], [], [], timeout)[0])

    def stop(self, timeout: float = 60) -> int:
        """Ctrl-C; the exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError("`unrolled serve` did not stop on SIGINT")
        while self._ready(0) and self._read_more():
            pass
        if self._partial:
            self.lines.append(self._partial.decode("utf-8", "replace"))
            self._partial = b""
        return self.process.returncode


def unrolled_bin(root: Path) -> Path:
    env = os.environ.get("UNROLLED_BIN")
    return Path(env) if env else root / ".build" / "debug" / "unrolled"
