"""docker-py sometimes reads payload bytes as a stream header and raises "N is not a valid stream" after the command
ran (docker/docker-py#3160). A read is run again; any other command reports the lost output as a workspace error,
never as an engine outage that would stop the job."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from core.errors import WorkspaceUnavailable
from workspaces.docker_exec import GARBLED_RERUNS, ExecRunner, GarbledOutput


class FlakyStreamApi:
    """The engine API surface ExecRunner uses, whose first `garbled` output streams break as docker-py's do."""

    def __init__(self, garbled: int) -> None:
        self.garbled = garbled
        self.starts = 0

    def exec_create(self, container: str, command: list[str], **options: Any) -> dict[str, str]:
        return {"Id": f"exec-{self.starts}"}

    def exec_start(self, exec_id: str, stream: bool, demux: bool) -> Iterator[tuple[bytes | None, bytes | None]]:
        self.starts += 1
        if self.starts <= self.garbled:
            return self._broken()
        return iter([(b"the whole file\n", None)])

    @staticmethod
    def _broken() -> Iterator[tuple[bytes | None, bytes | None]]:
        yield b"the wh", None
        raise ValueError("32 is not a valid stream")

    def exec_inspect(self, exec_id: str) -> dict[str, int]:
        return {"ExitCode": 0}


class Client:
    def __init__(self, api: FlakyStreamApi) -> None:
        self.api = api


def runner(api: FlakyStreamApi) -> ExecRunner:
    return ExecRunner(Client(api), "container", user="1000:1000", memory_limit="1g")


def test_a_read_whose_output_came_back_garbled_runs_again_and_returns_the_whole_output() -> None:
    api = FlakyStreamApi(garbled=GARBLED_RERUNS)
    result = runner(api).run("cat file", timeout=10, cwd="/workspace", rerun_safe=True)
    assert result.stdout == "the whole file\n" and result.exit_code == 0
    assert api.starts == GARBLED_RERUNS + 1


def test_another_command_is_not_run_twice_and_its_lost_output_is_a_workspace_error_not_an_outage() -> None:
    api = FlakyStreamApi(garbled=1)
    with pytest.raises(GarbledOutput) as raised:
        runner(api).run("make install", timeout=10, cwd="/workspace")
    assert api.starts == 1
    assert not isinstance(raised.value, WorkspaceUnavailable)
    assert "came back garbled" in raised.value.user_message() and "run it again" in raised.value.user_message()


def test_a_read_garbled_every_time_is_reported_after_its_reruns() -> None:
    api = FlakyStreamApi(garbled=GARBLED_RERUNS + 1)
    with pytest.raises(GarbledOutput):
        runner(api).run("cat file", timeout=10, cwd="/workspace", rerun_safe=True)
    assert api.starts == GARBLED_RERUNS + 1
