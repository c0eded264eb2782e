"""The bench's Markdown: the figures with their limits first, then the tables they come from."""

import os
import platform
import subprocess
from dataclasses import dataclass

from django.conf import settings
from django.db import connection

# The limits (issue 15, point 7).
MEMBER_LIST_X_TRIVIAL = 1.5
MEMBER_LIST_X_ADMIN = 0.5
PAGE_X_TRIVIAL = 3.0
PAGE_MAX_BYTES = 300 * 1024
DUES_X_FLOOR = 2.0
DUES_QUERIES_PER_1000 = 20
MEMORY_GROWTH = 1.2  # 50k against 5k: "within 1.2×" (dues), "flat" (export)
EXPORT_X_FLOOR = 1.3
LOAD_P95_X_HEALTHZ = 3.0


@dataclass
class Figure:
    name: str
    value: str
    limit: str
    ok: bool | None  # None: not measured

    @property
    def verdict(self) -> str:
        return {True: "PASS", False: "FAIL", None: "n/a"}[self.ok]


def x(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}×"


def ms(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds * 1000:.1f}"


def mb(n: float | None) -> str:
    return "—" if n is None else f"{n / 2**20:.1f} MB"


def table(header: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    for row in rows:
        lines.append("| " + " | ".join(str(c).replace("|", "\\|").replace("\n", " ") for c in row) + " |")
    return "\n".join(lines)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    memory = ""
    try:
        memory = f", {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GB RAM"
    except (ValueError, OSError):
        pass
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    import django

    return (
        f"{cpu}, {os.cpu_count()} CPUs{memory}; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}, Django {django.get_version()}, PostgreSQL {postgres}"
    )


def commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=5
        )
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            timeout=5,
        )
        return out.stdout.strip() + (" (with uncommitted changes)" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"
