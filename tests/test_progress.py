"""Progress lines: live on a terminal, one summary line elsewhere."""

from __future__ import annotations

import io

from anthropic_models_mock.cli.progress import Progress


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_off_a_terminal_only_the_summary_is_written() -> None:
    stream, clock = io.StringIO(), Clock()
    progress = Progress("models", total=1000, stream=stream, live=False, clock=clock)
    for _ in range(10):
        clock.now += 0.5
        progress.advance(100)
    assert stream.getvalue() == ""
    progress.done()
    assert stream.getvalue() == "mockserver: 1,000/1,000 models in 5.0 s (200/s)\n"


def test_on_a_terminal_the_line_is_redrawn_with_rate_and_eta() -> None:
    stream, clock = io.StringIO(), Clock()
    progress = Progress("models", total=1000, stream=stream, live=True, clock=clock)
    clock.now += 1.0
    progress.advance(250)
    assert stream.getvalue() == "\r\x1b[Kmockserver: 250/1,000 models in 1.0 s (250/s), about 3 s left"
    clock.now += 0.01
    progress.advance(1)  # under a tenth of a second since the last draw: not redrawn
    assert stream.getvalue().count("\r") == 1
    progress.note("a retry")
    assert stream.getvalue().endswith("\r\x1b[Kmockserver: a retry\n")
    progress.done("all done")
    assert stream.getvalue().endswith("mockserver: a retry\nmockserver: all done\n")


def test_a_quick_job_can_stay_quiet() -> None:
    stream, clock = io.StringIO(), Clock()
    progress = Progress("models", stream=stream, live=False, clock=clock)
    progress.advance(5)
    clock.now += 0.2
    progress.done(quiet_under=1.0)
    assert stream.getvalue() == ""
    clock.now += 1.0
    progress.done(quiet_under=1.0)
    assert stream.getvalue() == "mockserver: 5 models in 1.2 s (4/s)\n"


def test_a_closed_stream_is_not_an_error() -> None:
    stream = io.StringIO()
    stream.close()
    progress = Progress("models", stream=stream, live=True)
    progress.note("gone")
    progress.done()


def test_a_phase_names_itself_and_restarts_the_count_and_rate() -> None:
    stream, clock = io.StringIO(), Clock()
    progress = Progress("models", stream=stream, live=True, clock=clock)
    clock.now += 1.0
    progress.advance(10)
    progress.phase("trying alias names", what="names", total=4)
    assert stream.getvalue().endswith("\r\x1b[Kmockserver: trying alias names: 0/4 names in 0.0 s (0/s)")
    clock.now += 1.0
    progress.advance(2)
    assert stream.getvalue().endswith("mockserver: trying alias names: 2/4 names in 1.0 s (2/s), about 1 s left")
    assert progress.elapsed == 2.0  # the whole work's time, for the summary
