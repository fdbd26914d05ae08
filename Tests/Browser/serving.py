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
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, bufsize=1)
        self.lines: list[str] = []
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
                line = self.process.stderr.readline()
                if line:
                    self.lines.append(line)

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
        self.lines += self.process.stderr.readlines()
        return self.process.returncode


def unrolled_bin(root: Path) -> Path:
    env = os.environ.get("UNROLLED_BIN")
    return Path(env) if env else root / ".build" / "debug" / "unrolled"
