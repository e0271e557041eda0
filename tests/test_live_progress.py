"""The live progress line tells the truth between events: reading the prompt, writing, a silent server, the clock.

Driven with a fake clock and `tick()` (what the refresh thread does), so nothing waits on real time.
"""

from __future__ import annotations

import io

from rich.console import Console

from core.model.usage_ledger import UsageLedger
from swe_team.progress import LiveProgress


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def plain_progress(stall_after_s: float = 60.0) -> tuple[LiveProgress, UsageLedger, FakeClock, io.StringIO]:
    clock = FakeClock()
    ledger = UsageLedger(clock)
    output = io.StringIO()
    console = Console(file=output, force_terminal=False, width=200)
    return LiveProgress(console, ledger, clock=clock, autorefresh=False), ledger, clock, output


def lines(output: io.StringIO) -> list[str]:
    return output.getvalue().splitlines()


def test_a_log_gets_a_heartbeat_while_the_server_reads_then_writes() -> None:
    progress, ledger, clock, output = plain_progress()
    progress("planner", "model call 1")
    call = ledger.call_started("planner", "reasoning", 6123)
    clock.advance(29)
    progress.tick()
    assert lines(output) == ["[   0.0s] planner: model call 1"], "no line before the heartbeat is due"
    clock.advance(2)
    progress.tick()
    assert lines(output)[-1] == "[  31.0s] planner: model call 1 · reading the prompt (6,123 tokens)"
    for _ in range(42):
        ledger.heard(call, 1)
    clock.advance(31)
    ledger.heard(call, 1)
    progress.tick()
    assert lines(output)[-1] == "[  62.0s] planner: model call 1 · writing · 43 tokens"
    assert len(lines(output)) == 3


def test_a_silent_server_is_called_stalled_with_what_to_do_then_heard_again() -> None:
    progress, ledger, clock, output = plain_progress()
    progress("coder", "model call 3")
    call = ledger.call_started("coder", "instruct", 900, stall_after_s=45)
    ledger.heard(call, 5)
    clock.advance(44)
    progress.tick()
    assert len(lines(output)) == 2 and lines(output)[-1].endswith("writing · 5 tokens")
    clock.advance(1)
    progress.tick()
    stalled = lines(output)[-1]
    assert stalled.startswith("[  45.0s] coder: model call 3 · model server silent for 45 s (stalled?)")
    assert "Ctrl-C to stop; the job resumes with `swe-team resume`" in stalled
    clock.advance(5)
    progress.tick()
    assert len(lines(output)) == 3, "the stall is said once, not every tick"
    clock.advance(30)
    progress.tick()
    assert "silent for 80 s (stalled?)" in lines(output)[-1], "the heartbeat keeps counting the silence"
    ledger.heard(call, 1)
    progress.tick()
    assert lines(output)[-1].endswith("coder: model call 3 · writing · 6 tokens")


def test_a_long_tool_run_gets_a_heartbeat_and_a_role_change_a_line() -> None:
    progress, _, clock, output = plain_progress()
    progress("tester", "tool run_tests")
    clock.advance(30)
    progress.tick()
    clock.advance(30)
    progress.tick()
    progress("reviewer", "model call 1")
    assert lines(output) == [
        "[   0.0s] tester: tool run_tests",
        "[  30.0s] tester: tool run_tests",
        "[  60.0s] tester: tool run_tests",
        "[  60.0s] reviewer: model call 1",
    ]


def test_a_request_being_prepared_is_not_a_silent_server() -> None:
    progress, ledger, clock, output = plain_progress()
    progress("planner", "model call 1")
    ledger.call_started("planner", "reasoning", 0, stall_after_s=10, sent=False)
    clock.advance(30)
    progress.tick()
    assert lines(output)[-1] == "[  30.0s] planner: model call 1 · preparing the request"


def test_a_retried_call_says_its_attempt() -> None:
    progress, ledger, clock, output = plain_progress()
    progress("localizer", "model call 2")
    ledger.call_started("localizer", "instruct", 100, attempt=2)
    clock.advance(30)
    progress.tick()
    assert lines(output)[-1].endswith("reading the prompt (100 tokens) (attempt 2)")


def test_on_a_terminal_the_line_runs_between_events_and_shows_brackets_as_typed() -> None:
    clock = FakeClock()
    ledger = UsageLedger(clock)
    output = io.StringIO()
    console = Console(file=output, force_terminal=True, width=200)
    progress = LiveProgress(console, ledger, clock=clock, autorefresh=False)
    progress("planner", "model call 1 [json]")
    ledger.call_started("planner", "reasoning", 2048)
    clock.advance(75)
    progress.tick()
    progress.stop()
    screen = output.getvalue()
    assert "→ planner" in screen
    assert "model call 1 [json]" in screen
    assert "model server silent for 75 s (stalled?)" in screen and "75s" in screen


def test_the_refresh_thread_stops_with_the_line() -> None:
    output = io.StringIO()
    progress = LiveProgress(Console(file=output, force_terminal=False), UsageLedger(), refresh_s=0.01)
    progress("planner", "model call 1")
    progress.stop()
    assert not progress.refreshing
    progress("planner", "model call 2")
    assert progress.refreshing, "the next event starts the line again (after a gate)"
    progress.stop()
    assert not progress.refreshing


def test_a_long_prompt_is_not_called_stalled_before_the_time_the_servers_pace_says_it_takes() -> None:
    progress, ledger, clock, output = plain_progress()
    progress("planner", "model call 1")
    first = ledger.call_started("planner", "reasoning", 1000)
    clock.advance(20)
    ledger.heard(first, 1)
    ledger.call_ended(first)
    progress("localizer", "model call 2")
    ledger.call_started("localizer", "reasoning", 5000)
    clock.advance(80)
    progress.tick()
    assert lines(output)[-1] == (
        "[ 100.0s] localizer: model call 2 · reading the prompt (5,000 tokens, about 100 s at this server's pace)"
    ), "1,000 tokens took 20 s, so 5,000 should take 100 s: 80 s of silence is not a stall"
    clock.advance(80)
    progress.tick()
    assert "model server silent for 160 s (stalled?)" in lines(output)[-1], "past the pace plus the usual 60 s"


def test_the_first_call_of_a_job_has_no_pace_and_is_called_stalled_after_the_usual_silence() -> None:
    progress, ledger, clock, output = plain_progress()
    progress("planner", "model call 1")
    ledger.call_started("planner", "reasoning", 5000)
    clock.advance(60)
    progress.tick()
    assert "model server silent for 60 s (stalled?)" in lines(output)[-1]
