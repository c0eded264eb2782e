"""One bench run inside the throwaway database: seed, measure each part asked for, write the Markdown.

Each part turns its results into figures (value, limit, PASS/FAIL) and a section of Markdown. A part that fails
is reported as failed, with the error, and the run goes on with the next part.
"""

import json
import os
import subprocess
import sys
import time
import traceback
from importlib import import_module, util
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from buildingparty import demo

from . import dues, load, pages, report
from .report import Figure, mb, ms, table, x

PARTS = ("pages", "dues", "exports", "load")


class Run:
    def __init__(self, *, options: dict, out):
        self.options = options
        self.out = out
        self.figures: list[Figure] = []
        self.sections: list[str] = []
        self.timings: list[tuple[str, float]] = []
        self.notes: list[str] = []

    def say(self, text: str) -> None:
        self.out.write(text)
        self.out.flush()

    def timed(self, name: str, function):
        started = time.monotonic()
        self.say(f"— {name} …")
        try:
            return function()
        except Exception as exc:  # one failed part is reported, the others still run
            self.say(traceback.format_exc())
            self.figures.append(Figure(f"{name}: ran", f"failed: {exc.__class__.__name__}: {exc}"[:200], "runs", False))
            self.sections.append(f"## {name}\n\nFailed: `{exc.__class__.__name__}: {str(exc)[:500]}`")
            return None
        finally:
            seconds = time.monotonic() - started
            self.timings.append((name, seconds))
            self.say(f"  {name}: {seconds:.1f} s")

    # --- set-up ----------------------------------------------------------------------------------------------

    def setup(self) -> None:
        self.timed("migrate", lambda: call_command("migrate", interactive=False, verbosity=0))
        scale = self.options["scale"]
        if scale > demo.MAX_SCALE:
            self.notes.append(
                f"Asked for scale {scale}; the demo seed allows at most {demo.MAX_SCALE} (demo.MAX_SCALE), so the run "
                f"used scale {demo.MAX_SCALE}."
            )
            self.say(self.notes[-1])
            scale = demo.MAX_SCALE
        self.scale = scale
        self.timed(f"seed_demo --scale {scale}", lambda: demo.run(scale=scale, stdout=self.out))
        storage = settings.STORAGES["staticfiles"]["BACKEND"]
        if "Manifest" in storage or "load" in self.parts:
            # Pages render {% static %} through the manifest in production, and gunicorn serves them so.
            self.timed("collectstatic", lambda: call_command("collectstatic", interactive=False, verbosity=0))

    # --- the parts -------------------------------------------------------------------------------------------

    def pages(self) -> None:
        def progress(page):
            if page.ok:
                self.say(
                    f"  {page.role:<10} {page.name:<28} {ms(page.page_s):>8} ms  {x(page.x_trivial):>7} trivial  "
                    f"{x(page.x_admin):>7} admin  {page.size / 1024:.0f} KB  {page.queries} q"
                )
            else:
                self.say(f"  {page.role:<10} {page.name:<28} {page.status}")

        measured = pages.measure(
            rounds=self.options["rounds"], roles=self.options["roles"], names=self.options["pages"], progress=progress
        )
        rows = [
            [
                p.role,
                p.name,
                p.url,
                p.status,
                f"{p.size / 1024:.0f}" if p.ok else "—",
                p.queries if p.ok else "—",
                p.rounds or "—",
                ms(p.page_s) if p.ok else "—",
                ms(p.trivial_s) if p.ok else "—",
                ms(p.admin_s),
                x(p.x_trivial),
                x(p.x_admin),
                ms(p.first_s) if p.ok else "—",
                x(p.x_trivial_first),
            ]
            for p in measured
        ]
        self.sections.append(
            f"## Pages ({self.options['rounds']} interleaved rounds after a warm-up, medians; a page slower than "
            f'{pages.SLOW_SECONDS:g} s at its warm-up gets one). "first ms": the warm-up, fetched right after a new '
            "data version (as any write makes), so every value the page keeps in `buildingparty.data_cache` is "
            "computed again; × trivial first: that against the trivial page's median\n\n"
            + table(
                [
                    "account",
                    "page",
                    "URL",
                    "status",
                    "KB",
                    "queries",
                    "rounds",
                    "page ms",
                    "trivial ms",
                    "admin ms",
                    "× trivial",
                    "× admin",
                    "first ms",
                    "× trivial first",
                ],
                rows,
            )
        )
        broken = [p for p in measured if not p.ok]
        self.figures.append(
            Figure(
                "every page answers 200",
                f"{len(measured) - len(broken)}/{len(measured)}"
                + (": " + ", ".join(f"{p.role} {p.name} ({p.status})" for p in broken[:5]) if broken else ""),
                "all",
                not broken and bool(measured),
            )
        )
        lists = [p for p in measured if p.name == "members:list" and p.ok]
        if lists:
            worst_t = max(lists, key=lambda p: p.x_trivial)
            self.figures.append(
                Figure(
                    "member list × trivial (worst account)",
                    f"{x(worst_t.x_trivial)} ({worst_t.role})",
                    f"≤ {report.MEMBER_LIST_X_TRIVIAL}×",
                    worst_t.x_trivial <= report.MEMBER_LIST_X_TRIVIAL,
                )
            )
            with_admin = [p for p in lists if p.x_admin is not None]
            if with_admin:
                worst_a = max(with_admin, key=lambda p: p.x_admin)
                self.figures.append(
                    Figure(
                        "member list × admin changelist (worst account)",
                        f"{x(worst_a.x_admin)} ({worst_a.role})",
                        f"≤ {report.MEMBER_LIST_X_ADMIN}×",
                        worst_a.x_admin <= report.MEMBER_LIST_X_ADMIN,
                    )
                )
        ok = [p for p in measured if p.ok]
        if ok:
            over = sorted((p for p in ok if p.x_trivial > report.PAGE_X_TRIVIAL), key=lambda p: -p.x_trivial)
            worst = max(ok, key=lambda p: p.x_trivial)
            self.figures.append(
                Figure(
                    "every page × trivial (worst)",
                    f"{x(worst.x_trivial)} ({worst.role} {worst.name})"
                    + (
                        f"; {len(over)} over: " + ", ".join(f"{p.role} {p.name} {x(p.x_trivial)}" for p in over[:6])
                        if over
                        else ""
                    ),
                    f"≤ {report.PAGE_X_TRIVIAL}×",
                    not over,
                )
            )
            cold = sorted(ok, key=lambda p: -(p.x_trivial_first or 0))
            self.figures.append(
                Figure(
                    "first request right after a write × trivial (worst; not judged)",
                    ", ".join(f"{p.role} {p.name} {x(p.x_trivial_first)}" for p in cold[:4]),
                    "—",
                    None,
                )
            )
            biggest = max(ok, key=lambda p: p.size)
            self.figures.append(
                Figure(
                    "largest page HTML",
                    f"{biggest.size / 1024:.0f} KB ({biggest.role} {biggest.name})",
                    f"≤ {report.PAGE_MAX_BYTES // 1024} KB",
                    biggest.size <= report.PAGE_MAX_BYTES,
                )
            )
        homes = {p.role for p in ok if p.name == "home"}
        missing = [r for r in pages.ROLES if r not in homes]
        self.figures.append(
            Figure(
                "home pages of the seven demo roles measured",
                f"{len(homes)}/{len(pages.ROLES)}" + (f" (missing: {', '.join(missing)})" if missing else ""),
                f"{len(pages.ROLES)}/{len(pages.ROLES)}",
                not missing,
            )
        )

    def dues(self) -> None:
        counts = self.options["dues_members"]
        result = dues.job_vs_floor(members=counts[0], rounds=self.options["dues_rounds"])
        memory = {}
        for n in counts:
            memory[n] = self.timed(f"dues job memory at {n} members", lambda n=n: self._memory_child(n))
        summary = result.get("summary", {})
        rows = [
            ["members (all with accounts and confirmed standards)", result["members"]],
            ["month billed", result["month"]],
            ["bills made", f"{result['bills']} (job summary: {json.dumps(summary, ensure_ascii=False)})"],
            [
                "same (member, branch, amount) set",
                f"{result['same_bills']} (only job: {result['only_job']}, only floor: {result['only_floor']})",
            ],
            ["job median", f"{ms(result['job_s'])} ms"],
            ["floor (INSERT … SELECT) median", f"{ms(result['floor_s'])} ms"],
            ["job × floor", x(result["ratio"])],
            ["queries (whole job)", result["queries"]],
            ["queries per 1,000 members", f"{result['queries_per_1000']:.1f}"],
            ["synthetic set-up", f"{result['setup_s']} s"],
        ]
        for n, m in memory.items():
            if m:
                rows.append(
                    [
                        f"peak memory at {n} members",
                        f"tracemalloc {mb(m.get('tracemalloc_peak'))}, ru_maxrss rise {mb(m.get('maxrss_delta'))} "
                        f"({m.get('created')} bills, {m.get('seconds_traced')} s traced)",
                    ]
                )
        self.sections.append(
            f"## Dues job (`generate_bills`, {self.options['dues_rounds']} rounds, rolled back)\n\n"
            + table(["", ""], rows)
        )
        self.figures.append(
            Figure("dues job makes the floor's bills", str(result["same_bills"]), "same set", result["same_bills"])
        )
        self.figures.append(
            Figure(
                "dues job × INSERT…SELECT floor",
                x(result["ratio"]),
                f"≤ {report.DUES_X_FLOOR}×",
                result["ratio"] <= report.DUES_X_FLOOR,
            )
        )
        self.figures.append(
            Figure(
                "dues job queries per 1,000 members (all with accounts)",
                f"{result['queries_per_1000']:.1f}",
                f"≤ {report.DUES_QUERIES_PER_1000}",
                result["queries_per_1000"] <= report.DUES_QUERIES_PER_1000,
            )
        )
        if len(counts) >= 2 and memory.get(counts[0]) and memory.get(counts[-1]):
            small, large = memory[counts[0]]["tracemalloc_peak"], memory[counts[-1]]["tracemalloc_peak"]
            ratio = large / small if small else None
            self.figures.append(
                Figure(
                    f"dues job peak memory {counts[-1]} vs {counts[0]} members",
                    f"{x(ratio)} ({mb(small)} → {mb(large)})",
                    f"≤ {report.MEMORY_GROWTH}×",
                    ratio is not None and ratio <= report.MEMORY_GROWTH,
                )
            )

    def _memory_child(self, members: int) -> dict:
        code = (
            "import django, os, sys; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'buildingparty.settings'); "
            "django.setup(); from buildingparty.bench import dues; dues.peak_memory_main(int(sys.argv[1]))"
        )
        done = subprocess.run(
            [sys.executable, "-c", code, str(members)],
            cwd=settings.BASE_DIR,
            env=os.environ.copy(),
            capture_output=True,
            text=True,
        )
        for line in done.stdout.splitlines():
            if line.startswith("BENCH-RESULT "):
                return json.loads(line.split(" ", 1)[1])
        raise RuntimeError(f"the memory run at {members} members failed: {done.stderr[-1500:]}")

    def exports(self) -> None:
        if util.find_spec("buildingparty.bench.exports") is None:
            self.sections.append("## Member export\n\nNot measured: `buildingparty/bench/exports.py` is not there yet.")
            self.figures.append(
                Figure("member export × raw openpyxl", "not measured", f"≤ {report.EXPORT_X_FLOOR}×", None)
            )
            return
        export_vs_floor = import_module("buildingparty.bench.exports").export_vs_floor
        results = {}
        for n in self.options["export_rows"]:
            # The export's synthetic building is rolled back: the load after this sees the demo data only.
            def one(n=n):
                with transaction.atomic():
                    value = export_vs_floor(n)
                    transaction.set_rollback(True)
                return value

            results[n] = self.timed(f"member export at {n} rows", one)
        keys = sorted({k for r in results.values() if r for k in r})
        self.sections.append(
            "## Member export (`buildingparty/bench/exports.py`)\n\n"
            + table(["rows", *keys], [[n, *(r.get(k, "—") for k in keys)] for n, r in results.items() if r])
        )
        measured = [r for r in results.values() if r]
        if not measured:
            return
        key = (
            "writer_ratio"
            if "writer_ratio" in measured[0]
            else "export_ratio"
            if "export_ratio" in measured[0]
            else "ratio"
        )
        worst = max((r.get(key) for r in measured if r.get(key) is not None), default=None)
        self.figures.append(
            Figure(
                f"member export xlsx × raw openpyxl write-only ({key}, worst)",
                x(worst),
                f"≤ {report.EXPORT_X_FLOOR}×",
                None if worst is None else worst <= report.EXPORT_X_FLOOR,
            )
        )
        rows = self.options["export_rows"]
        peak_key = next((k for k in measured[0] if "peak" in k), None)
        if peak_key and len(rows) >= 2 and results.get(rows[0]) and results.get(rows[-1]):
            small, large = results[rows[0]][peak_key], results[rows[-1]][peak_key]
            ratio = large / small if small else None
            self.figures.append(
                Figure(
                    f"member export peak memory {rows[-1]} vs {rows[0]} rows ({peak_key})",
                    f"{x(ratio)} ({small} → {large})",
                    f"≤ {report.MEMORY_GROWTH}× (flat)",
                    ratio is not None and ratio <= report.MEMORY_GROWTH,
                )
            )

    def load(self) -> None:
        env = os.environ.copy()
        env.update(DJANGO_DEBUG="false", DJANGO_SECURE="false", DJANGO_REQUIRE_2FA="false")
        log = Path(settings.VAR_DIR) / "bench" / "gunicorn.log"
        result = load.run(
            clients=self.options["clients"],
            seconds=self.options["load_seconds"],
            workers=self.options["workers"],
            log=log,
            env=env,
        )
        rows = [
            [
                r.label,
                len(r.times),
                r.errors + r.timeouts,
                f"{len(r.times) / result['elapsed']:.1f}",
                ms(r.p(0.5)),
                ms(r.p(0.95)),
                ms(max(r.times) if r.times else None),
                ", ".join(r.error_samples),
            ]
            for r in result["urls"]
        ]
        self.sections.append(
            f"## Load ({result['clients']} clients, {result['seconds']:g} s, gunicorn {result['workers']} sync workers "
            f"on 127.0.0.1)\n\n"
            + table(["URL", "requests", "errors", "req/s", "p50 ms", "p95 ms", "max ms", "error samples"], rows)
            + f"\n\nTotal: {result['completed']} requests in {result['elapsed']:.1f} s, {result['rps']:.1f} req/s; "
            f"errors {result['errors']}, timeouts {result['timeouts']}, unfinished {result['unfinished']}."
        )
        self.figures.append(Figure("load: errors", str(result["errors"]), "0", result["errors"] == 0))
        self.figures.append(
            Figure(
                "load: unfinished (in flight 30 s after the end, or timed out)",
                str(result["unfinished"]),
                "0",
                result["unfinished"] == 0,
            )
        )
        self.figures.append(Figure("load: requests per second (all URLs)", f"{result['rps']:.1f}", "—", None))
        by_label = {r.label: r for r in result["urls"]}
        health, members = by_label.get("/healthz"), by_label.get(load.MEMBER_LIST)
        if health and members and health.times and members.times:
            ratio = members.p(0.95) / health.p(0.95)
            self.figures.append(
                Figure(
                    "load: member list p95 × /healthz p95",
                    f"{x(ratio)} ({ms(members.p(0.95))} ms vs {ms(health.p(0.95))} ms)",
                    f"≤ {report.LOAD_P95_X_HEALTHZ}×",
                    ratio <= report.LOAD_P95_X_HEALTHZ,
                )
            )

    # --- the whole run ---------------------------------------------------------------------------------------

    def run(self) -> str:
        self.parts = (
            [p for p in PARTS if p in self.options["only"]]
            if self.options["only"]
            else [p for p in PARTS if not (p == "load" and self.options["skip_load"])]
        )
        started = time.monotonic()
        self.setup()
        for part in self.parts:
            self.timed(part, getattr(self, part))
        self.timings.append(("total (inside the throwaway database)", time.monotonic() - started))
        return self.markdown()

    def markdown(self) -> str:
        failed = sum(1 for f in self.figures if f.ok is False)
        head = [
            f"# BuildingParty bench, {timezone.localtime():%Y-%m-%d %H:%M}",
            "",
            f"- Machine: {report.machine()}",
            f"- Code: {report.commit()}",
            f"- Demo scale {getattr(self, 'scale', '?')} ({self._counts()}); parts: {', '.join(self.parts)}",
            *(f"- Note: {n}" for n in self.notes),
            f"- Result: {sum(1 for f in self.figures if f.ok)} PASS, {failed} FAIL, "
            f"{sum(1 for f in self.figures if f.ok is None)} not judged",
            "",
            "Ratios are measured side by side in this run; absolute times are noise on a shared machine.",
            "",
            "## Figures",
            "",
            table(
                ["figure", "value", "limit", "result"], [[f.name, f.value, f.limit, f.verdict] for f in self.figures]
            ),
        ]
        timings = table(["step", "seconds"], [[name, f"{s:.1f}"] for name, s in self.timings])
        return "\n".join(head) + "\n\n" + "\n\n".join(self.sections) + "\n\n## Timings\n\n" + timings + "\n"

    def _counts(self) -> str:
        counts = []
        for label, model in (("members", "members.Member"), ("enterprises", "enterprises.Enterprise")):
            try:
                with transaction.atomic():
                    counts.append(f"{apps.get_model(model).objects.count()} {label}")
            except Exception:  # a failed migrate leaves no table: the report is still written
                counts.append(f"? {label}")
        return ", ".join(counts)


def write(markdown: str, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(markdown, encoding="utf-8")
