"""The dangerous-code check finds what a change adds (not what was there, not look-alikes), lets allowlisted uses
pass, and reads settings that name no rule as a clear error."""

from __future__ import annotations

import pytest

from core.ci_settings import DANGEROUS_CODE_RULES
from core.errors import ConfigError
from core.settings import load_settings
from tools.dangerous_code import WHY, scan_diff
from tools.diff_lines import parse_unified_diff

NEW_MODULE = """\
import pickle
import ssl
import subprocess
import yaml
from os import system as sh

import requests


def handle(cmd, data, url, blob):
    model.eval()
    subprocess.run(
        cmd,
        shell=True,
    )
    subprocess.run(["ls"], shell=False)
    sh("ls")
    yaml.load(data, Loader=yaml.SafeLoader)
    yaml.load(data)
    requests.get(url, verify=False)
    context = ssl._create_unverified_context()
    context.verify_mode = ssl.CERT_NONE
    exec(data)
    return eval(data), pickle.loads(blob)
"""
EXPECTED = [
    (12, "subprocess-shell"),
    (17, "os-system"),
    (19, "yaml-load"),
    (20, "tls-verify-off"),
    (21, "tls-verify-off"),
    (22, "tls-verify-off"),
    (23, "exec"),
    (24, "eval"),
    (24, "pickle-loads"),
]


def added_file_diff(path: str, text: str) -> str:
    lines = text.splitlines()
    body = "".join(f"+{line}\n" for line in lines)
    header = f"diff --git a/{path} b/{path}\nnew file mode 100644\n--- /dev/null\n+++ b/{path}\n"
    return f"{header}@@ -0,0 +1,{len(lines)} @@\n{body}"


def test_every_rule_is_found_on_the_line_that_adds_it_and_look_alikes_are_not() -> None:
    hits = scan_diff(added_file_diff("app/handler.py", NEW_MODULE), lambda path: NEW_MODULE)
    assert [(hit.line, hit.rule) for hit in hits] == EXPECTED
    assert {rule for _, rule in EXPECTED} == set(DANGEROUS_CODE_RULES) == set(WHY)
    assert hits[0].code == "subprocess.run(" and "command injection" in hits[0].why


def test_only_added_lines_count_a_shell_true_added_to_an_old_call_does() -> None:
    old_call = 'import subprocess\n\nsubprocess.run(\n    "make",\n    check=True,\n)\nvalue = eval("1")\n'
    new_text = old_call.replace("    check=True,\n", "    check=True,\n    shell=True,\n").replace('"1"', '"2"')
    diff = (
        "diff --git a/build.py b/build.py\n--- a/build.py\n+++ b/build.py\n@@ -3,5 +3,6 @@\n subprocess.run(\n"
        '     "make",\n     check=True,\n+    shell=True,\n )\n-value = eval("1")\n+value = eval("2")\n'
    )
    assert parse_unified_diff(diff)[0].added_lines == {6: "    shell=True,", 8: 'value = eval("2")'}
    hits = scan_diff(diff, lambda path: new_text)
    assert [(hit.line, hit.rule) for hit in hits] == [(6, "subprocess-shell"), (8, "eval")]
    unchanged_call = diff.replace("+    shell=True,\n", "").replace("@@ -3,5 +3,6 @@", "@@ -3,5 +3,5 @@")
    assert [hit.rule for hit in scan_diff(unchanged_call, lambda path: old_call.replace('"1"', '"2"'))] == ["eval"]


def test_a_file_that_does_not_parse_or_cannot_be_read_is_matched_line_by_line() -> None:
    broken = "def f(cmd:\n    os.system(cmd)  # eval( in a comment is not code\n"
    hits = scan_diff(added_file_diff("tool.py", broken), lambda path: broken)
    assert [(hit.line, hit.rule) for hit in hits] == [(2, "os-system")]
    unreadable = scan_diff(added_file_diff("tool.py", NEW_MODULE), lambda path: None)
    assert {hit.rule for hit in unreadable} == set(DANGEROUS_CODE_RULES) - {"os-system"}, "`sh` needs the imports"


def test_the_allowlist_lets_a_rule_pass_everywhere_or_in_matching_files_only() -> None:
    diff = added_file_diff("scripts/deploy.py", NEW_MODULE) + added_file_diff("app/handler.py", NEW_MODULE)
    allowed = scan_diff(diff, lambda path: NEW_MODULE, ["scripts/*.py:*", "tls-verify-off"])
    assert {hit.path for hit in allowed} == {"app/handler.py"}
    assert "tls-verify-off" not in {hit.rule for hit in allowed} and len(allowed) == len(EXPECTED) - 3


def test_deleted_files_removed_lines_and_other_languages_are_not_scanned() -> None:
    deleted = (
        "diff --git a/old.py b/old.py\ndeleted file mode 100644\n--- a/old.py\n+++ /dev/null\n@@ -1 +0,0 @@\n-eval(x)\n"
    )
    assert scan_diff(deleted, lambda path: None) == []
    assert scan_diff(added_file_diff("web/app.js", "eval(userInput)\n"), lambda path: None) == []


def test_an_allowlist_entry_naming_no_rule_is_a_config_error() -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings(None, {"review": {"dangerous_code_allow": ["scripts/*.py:shell"]}})
    assert "scripts/*.py:shell" in raised.value.user_message() and "subprocess-shell" in raised.value.user_message()
