"""bin/audit-deps, the dependency audit in `make check`: findings fail the check; an unreachable vulnerability
database is said loudly and does not fail it; nothing passes silently."""

import json
import runpy
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "bin" / "audit-deps"


@pytest.fixture
def audit_deps():
    return runpy.run_path(str(SCRIPT), run_name="audit_deps")


def answering(monkeypatch, audit_deps, *, pypi, osv):
    """Make pip-audit's runs answer with these reports (a dict) or fail (None) per service."""

    def fake_run(command, **kwargs):
        report = pypi if command[command.index("--vulnerability-service") + 1] == "pypi" else osv
        if report is None:
            return subprocess.CompletedProcess(command, 1, "", "requests.exceptions.ConnectionError: no route")
        return subprocess.CompletedProcess(command, 1 if "vulns" in json.dumps(report) else 0, json.dumps(report), "")

    monkeypatch.setattr(subprocess, "run", fake_run)  # the module the script imported
    monkeypatch.setattr("sys.argv", ["audit-deps", "requirements.txt"])


NOT_FOUND = {"dependencies": [{"name": "django", "skip_reason": "Dependency not found on PyPI"}], "fixes": []}


def test_no_reachable_database_is_said_loudly_and_does_not_fail(monkeypatch, audit_deps, capsys):
    answering(monkeypatch, audit_deps, pypi=NOT_FOUND, osv=None)
    assert audit_deps["main"]() == 0
    assert "pip-audit: no vulnerability database reachable — dependencies NOT audited" in capsys.readouterr().out


def test_a_known_vulnerability_fails_the_check(monkeypatch, audit_deps, capsys):
    report = {
        "dependencies": [
            {"name": "django", "version": "5.2.19", "vulns": [{"id": "PYSEC-2099-1", "fix_versions": ["5.2.20"]}]},
            {"name": "celery", "version": "5.7.0", "vulns": []},
        ]
    }
    answering(monkeypatch, audit_deps, pypi=None, osv=report)
    assert audit_deps["main"]() == 1
    out = capsys.readouterr().out
    assert "django 5.2.19: PYSEC-2099-1 (fixed in: 5.2.20)" in out and "NOT audited" not in out


def test_a_clean_audit_passes_and_names_what_was_not_found(monkeypatch, audit_deps, capsys):
    report = {
        "dependencies": [
            {"name": "django", "version": "5.2.19", "vulns": []},
            {"name": "chinesecalendar", "skip_reason": "Dependency not found on PyPI"},
        ]
    }
    answering(monkeypatch, audit_deps, pypi=report, osv=None)
    assert audit_deps["main"]() == 0
    out = capsys.readouterr().out
    assert "1 pinned packages audited, 0 known vulnerabilities" in out and "chinesecalendar" in out
