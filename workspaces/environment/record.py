"""What an environment is and why: every choice with its reason, as `swe-team env show` prints it and the job
report lists it. Stored as a label on the environment image, so a job that finds the image built reads the same.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from workspaces.environment.plan import EnvironmentPlan
from workspaces.environment.test_network import FIREWALLED, SERVICE_DESCRIPTIONS

LABEL = "swe-team.environment"
SHOWN_PINS = 12


@dataclass
class EnvironmentRecord:
    python: str
    python_reasons: list[str]
    as_of: str
    as_of_reason: str
    runner: str
    runner_reasons: list[str]
    project: str
    project_reason: str
    declarations: list[str] = field(default_factory=list)
    requirements: list[str] = field(default_factory=list)
    """Every requirement resolved, with its origin (left out of the job's state, which keeps `summary()`)."""
    scm_version: str = ""
    build_layer: list[str] = field(default_factory=list)
    """Why the image has the build layer (empty: it has none)."""
    interpreter_image: str = ""
    image: str = ""
    pins: list[str] = field(default_factory=list)
    status: str = "planned"
    """planned (nothing built), complete, or partial (a requirement no index knows left out, or failures
    `docker.allow_partial_env` let through): `failures` says what."""
    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    test_command: str = ""
    network: str = "none"
    """The workspace's network (`none` or `firewalled`); it and `services` are read from the plan when a workspace
    opens, not from the image."""
    services: list[str] = field(default_factory=list)
    """Servers started beside the workspace (`httpbin`)."""
    network_reasons: list[str] = field(default_factory=list)
    stand_ins: list[str] = field(default_factory=list)
    """Public host names the tests name, answered by httpbin on the test network."""
    local_packages: list[str] = field(default_factory=list)
    """Folders of the repository installed as packages after the project, each with its reason."""

    @classmethod
    def planned(cls, plan: EnvironmentPlan, test_command: str) -> EnvironmentRecord:
        runner = plan.runner.requirement or ("the workspace's pytest" if plan.project.name == "pytest" else "none")
        return cls(
            python=plan.python,
            python_reasons=list(plan.python_reasons),
            as_of=plan.as_of,
            as_of_reason=plan.as_of_reason,
            declarations=sorted(plan.declaration_files),
            requirements=[f"{d.requirement}  ({d.origin})" for d in plan.requirements],
            runner=runner,
            runner_reasons=list(plan.runner.reasons),
            project=plan.project.mode,
            project_reason=plan.project.reason,
            scm_version=plan.project.scm_version,
            build_layer=list(plan.compiles) if plan.build_tools != "never" else [],
            notes=list(plan.notes),
            test_command=test_command,
            network=plan.network.mode,
            services=list(plan.network.services),
            network_reasons=list(plan.network.reasons),
            stand_ins=list(plan.network.stand_ins),
            local_packages=[package.reason for package in plan.local_packages],
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EnvironmentRecord:
        known = {f.name for f in fields(cls)}
        return cls(**{key: value for key, value in data.items() if key in known})

    def to_label(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)

    def summary(self) -> dict[str, Any]:
        """The record without its requirement list, for the job's state (all of it is in `environment.json`)."""
        return {key: value for key, value in self.to_dict().items() if key != "requirements"}

    def lines(self) -> list[str]:
        """One line per choice and its reasons, for the report and `env show`."""
        image = f" (image {self.interpreter_image})" if self.interpreter_image else ""
        lines = [f"Python {self.python}{image}: " + "; ".join(self.python_reasons)]
        lines.append(f"Dependencies as of {self.as_of or 'today'}: {self.as_of_reason}")
        lines.append(f"Declarations read: {', '.join(self.declarations) or 'none'}")
        lines.append(f"Test runner: {self.runner}" + (" — " + "; ".join(self.runner_reasons) if self.runner_reasons
                                                       else ""))
        version = f", setuptools-scm version {self.scm_version}" if self.scm_version else ""
        lines.append(f"Project: {self.project} install{version} — {self.project_reason}")
        lines += [f"Local package {reason}" for reason in self.local_packages]
        lines.append("Build layer: " + ("yes — " + "; ".join(self.build_layer) if self.build_layer else "no"))
        if self.pins:
            shown = ", ".join(self.pins[:SHOWN_PINS]) + (" …" if len(self.pins) > SHOWN_PINS else "")
            lines.append(f"Pinned: {len(self.pins)} packages ({shown})")
        lines.append(_network_line(self.network, self.services, self.network_reasons))
        if self.test_command:
            lines.append(f"Test command: `{self.test_command}` (set in swe-team.toml)")
        state = self.status.upper() if self.status == "partial" else self.status
        lines.append(f"Status: {state}" + (f" (image {self.image})" if self.image else ""))
        lines += [f"FAILED: {failure}" for failure in self.failures]
        lines += [f"Note: {note}" for note in self.notes]
        return lines


def _network_line(network: str, services: list[str], reasons: list[str]) -> str:
    why = " — " + "; ".join(reasons) if reasons else ""
    if network != FIREWALLED:
        return f"Test network: none (no network at all){why}"
    shown = [SERVICE_DESCRIPTIONS.get(name, name) for name in services]
    beside = f", services: {'; '.join(shown)}" if shown else ""
    return f"Test network: firewalled (an internal Docker network with no route out){beside}{why}"
