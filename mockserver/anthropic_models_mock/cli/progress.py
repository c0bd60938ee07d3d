"""Progress of long work, on stderr: a live line on a terminal, one summary line otherwise."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

__all__ = ["Progress"]

#: Seconds between redraws of a terminal's progress line.
_REDRAW = 0.1


class Progress:
    """Counts ``what`` (``"models"``) as work goes on.

    On a terminal the line is redrawn in place (count, rate, and ETA when ``total`` is known);
    elsewhere (a log, a CI job) nothing is printed until ``done``, which writes one line.
    ``note`` prints a line of its own (a retry, a warning) without breaking the live line;
    ``phase`` starts counting another part of the work, named on the live line.
    """

    def __init__(
        self,
        what: str,
        *,
        total: int | None = None,
        stream: TextIO | None = None,
        live: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
        prefix: str = "mockserver: ",
    ) -> None:
        self.what, self.total, self.count = what, total, 0
        self._stream = stream if stream is not None else sys.stderr
        self._live = _is_terminal(self._stream) if live is None else live
        self._clock, self._prefix = clock, prefix
        self._start = self._drawn = self._phase_start = clock()
        self._shown = False
        self._phase: str | None = None

    @property
    def elapsed(self) -> float:
        """Seconds since the work started (all phases)."""
        return self._clock() - self._start

    def phase(self, name: str, *, what: str | None = None, total: int | None = None) -> None:
        """Start counting another part of the work (``listing models (beta=true)``): count, rate and ETA restart."""
        self._phase, self.total, self.count = name, total, 0
        self.what = what or self.what
        self._phase_start = self._clock()
        if self._live:
            self._draw()

    def advance(self, n: int = 1) -> None:
        """Count ``n`` more; on a terminal, redraw at most ten times a second."""
        self.count += n
        if self._live and self._clock() - self._drawn >= _REDRAW:
            self._draw()

    def note(self, line: str) -> None:
        """A line of its own (a retry, a warning), above the live line."""
        self._clear()
        self._write(f"{self._prefix}{line}\n")

    def done(self, summary: str | None = None, *, quiet_under: float = 0.0) -> None:
        """End with one line: ``summary``, or the count, time and rate. Nothing if it took under ``quiet_under`` s."""
        self._clear()
        if self.elapsed < quiet_under:
            return
        self._write(f"{self._prefix}{summary or self.status()}\n")

    def status(self) -> str:
        """``1,000,000 models in 4.2 s (238,095/s)``, with the ETA while unfinished and the total is known.

        Within a ``phase``, the line starts with its name, and the time and rate are the phase's.
        """
        elapsed = self._clock() - self._phase_start
        rate = self.count / elapsed if elapsed > 0 else 0.0
        text = f"{self._phase}: " if self._phase else ""
        text += f"{self.count:,}"
        if self.total is not None:
            text += f"/{self.total:,}"
        text += f" {self.what} in {elapsed:.1f} s ({rate:,.0f}/s)"
        if self.total is not None and rate > 0 and self.count < self.total:
            text += f", about {(self.total - self.count) / rate:.0f} s left"
        return text

    def _draw(self) -> None:
        self._drawn = self._clock()
        self._shown = True
        self._write(f"\r\x1b[K{self._prefix}{self.status()}")

    def _clear(self) -> None:
        if self._shown:
            self._write("\r\x1b[K")
            self._shown = False

    def _write(self, text: str) -> None:
        try:
            self._stream.write(text)
            self._stream.flush()
        except (OSError, ValueError):  # a closed or vanished stderr: progress is not worth failing for
            pass


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (OSError, ValueError):
        return False
