"""``manage.py bench``: measure the pages, the dues job, the member export and a short load as ratios.

The command runs twice: the outer run creates a throwaway PostgreSQL database, starts itself again with
DATABASE_URL pointing at it (the inner run, ``--in-db``, does the work: buildingparty/bench/runner.py), and drops
the database at the end, also when the inner run fails or Ctrl-C stops it.
"""

import argparse
import os
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/"
PARTS = ("pages", "dues", "exports", "load")


def _counts(value: str) -> list[int]:
    try:
        counts = [int(v) for v in value.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r}: whole numbers separated by commas") from None
    if not counts or min(counts) < 1:
        raise argparse.ArgumentTypeError(f"{value!r}: at least one count, each 1 or more")
    return counts


def _parts(value: str) -> list[str]:
    parts = [p.strip() for p in value.split(",") if p.strip()]
    unknown = [p for p in parts if p not in PARTS]
    if unknown or not parts:
        raise argparse.ArgumentTypeError(f"{value!r}: choose from {', '.join(PARTS)}")
    return parts


def _roles(value: str) -> list[str]:
    from buildingparty.bench.pages import ROLES

    roles = [r.strip() for r in value.split(",") if r.strip()]
    unknown = [r for r in roles if r not in ROLES]
    if unknown or not roles:
        raise argparse.ArgumentTypeError(f"{value!r}: choose from {', '.join(ROLES)}")
    return roles


def _names(value: str) -> list[str]:
    return [n.strip() for n in value.split(",") if n.strip()]


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return number


def server_url() -> str:
    """The PostgreSQL server to work on: DATABASE_URL's, else the local default. Refuses anything else."""
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        return DEFAULT_SERVER
    if urlsplit(url).scheme not in ("postgres", "postgresql", "pgsql", "postgis"):
        raise CommandError(
            f"bench needs PostgreSQL, and DATABASE_URL points elsewhere ({urlsplit(url).scheme}). Unset it (the bench "
            f"then uses {DEFAULT_SERVER}) or point it at a PostgreSQL server."
        )
    return url


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _admin_connection(url: str):
    import psycopg2

    parts = urlsplit(url)
    try:
        conn = psycopg2.connect(
            dbname="postgres",
            user=parts.username or "postgres",
            password=parts.password or None,
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 5432,
            connect_timeout=5,
        )
    except psycopg2.Error as exc:
        raise CommandError(f"bench needs a PostgreSQL server and cannot reach one at {parts.hostname}: {exc}") from exc
    conn.autocommit = True
    return conn


class Command(BaseCommand):
    help = (
        "Benchmark the main pages, the dues job, the member export and a short load in a throwaway PostgreSQL "
        "database seeded with the demo at --scale; print the figures as ratios with their limits and write the "
        "Markdown to var/bench/latest.md."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale", type=_positive, default=100, help="demo scale (default 100; the seed may cap it)"
        )
        parser.add_argument("--rounds", type=_positive, default=5, help="timed rounds per page (default 5)")
        parser.add_argument(
            "--only", type=_parts, metavar="PART[,PART]", help=f"run only these parts ({', '.join(PARTS)})"
        )
        parser.add_argument(
            "--roles", type=_roles, metavar="ACCOUNT[,ACCOUNT]", help="measure the pages of these demo accounts only"
        )
        parser.add_argument(
            "--pages",
            type=_names,
            metavar="NAME[,NAME]",
            help="measure only these pages (URL names, e.g. members:list)",
        )
        parser.add_argument("--skip-load", action="store_true", help="leave out the load part")
        parser.add_argument("--keep-db", action="store_true", help="keep the throwaway database (its name is printed)")
        parser.add_argument("--load-seconds", type=float, default=60, help="length of the load (default 60)")
        parser.add_argument("--clients", type=_positive, default=50, help="concurrent clients in the load (default 50)")
        parser.add_argument("--workers", type=int, choices=(2, 3, 4), default=3, help="gunicorn workers (default 3)")
        parser.add_argument(
            "--dues-members",
            type=_counts,
            default=[5000, 50000],
            metavar="N[,N]",
            help="members for the dues job: the first for time and queries, each for peak memory (default 5000,50000)",
        )
        parser.add_argument(
            "--dues-rounds", type=_positive, default=5, help="timed rounds of job and floor (default 5)"
        )
        parser.add_argument(
            "--export-rows", type=_counts, default=[5000, 50000], metavar="N[,N]", help="rows of the member export"
        )
        parser.add_argument("--output", type=Path, help="the Markdown file (default var/bench/latest.md)")
        parser.add_argument(
            "--template", help="copy this (already migrated, unused) database instead of starting empty: quicker"
        )
        parser.add_argument("--in-db", help=argparse.SUPPRESS)

    def handle(self, *args, **options):
        if options["in_db"]:
            return self.inner(options)
        return self.outer(options)

    # --- outer: the throwaway database -----------------------------------------------------------------------

    def outer(self, options):
        server = server_url()
        name = f"bp_bench_{os.getpid()}"
        admin = _admin_connection(server)
        with admin.cursor() as cursor:
            template = f' TEMPLATE "{options["template"]}"' if options["template"] else ""
            cursor.execute(f'CREATE DATABASE "{name}"{template}')
        self.stdout.write(f"Throwaway database {name} on {urlsplit(server).hostname}:{urlsplit(server).port or 5432}")
        pidfile = Path(settings.VAR_DIR) / "bench" / f"gunicorn-{os.getpid()}.pid"
        env = {
            **os.environ,
            "DATABASE_URL": with_database(server, name),
            "BENCH_PIDFILE": str(pidfile),
            # Production-like, whatever the caller's environment: DEBUG off (no query log, the static manifest),
            # plain HTTP on 127.0.0.1, and the demo accounts sign in without a second factor.
            "DJANGO_DEBUG": "false",
            "DJANGO_SECURE": "false",
            "DJANGO_REQUIRE_2FA": "false",
        }
        argv = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "bench", "--in-db", name]
        argv += self._passed_on(options)
        child = None
        previous = signal.signal(signal.SIGTERM, self._terminated)
        try:
            child = subprocess.Popen(argv, env=env, cwd=settings.BASE_DIR)
            status = child.wait()
            if status:
                raise CommandError(f"the bench run failed (exit status {status})")
        except KeyboardInterrupt:
            self.stderr.write("Interrupted; cleaning up …")
            raise CommandError("interrupted") from None
        finally:
            signal.signal(signal.SIGTERM, previous)
            self._stop(child)
            self._stop_server(pidfile)
            if options["keep_db"]:
                self.stdout.write(f"Kept the database {name}: DATABASE_URL={with_database(server, name)}")
            else:
                with admin.cursor() as cursor:
                    cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                self.stdout.write(f"Dropped {name}.")
            admin.close()

    @staticmethod
    def _terminated(signum, frame):
        raise KeyboardInterrupt

    @staticmethod
    def _stop(child):
        """The inner run got the terminal's Ctrl-C too: give it time to stop its server, then make sure."""
        if child is None or child.poll() is not None:
            return
        child.send_signal(signal.SIGINT)
        try:
            child.wait(timeout=30)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()

    @staticmethod
    def _stop_server(pidfile: Path):
        """A gunicorn the inner run could not stop (it was killed) is stopped here."""
        try:
            pid = int(pidfile.read_text())
        except (OSError, ValueError):
            return
        pidfile.unlink(missing_ok=True)
        try:
            os.killpg(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass

    @staticmethod
    def _passed_on(options) -> list[str]:
        argv = [
            "--scale", str(options["scale"]),
            "--rounds", str(options["rounds"]),
            "--load-seconds", str(options["load_seconds"]),
            "--clients", str(options["clients"]),
            "--workers", str(options["workers"]),
            "--dues-members", ",".join(map(str, options["dues_members"])),
            "--dues-rounds", str(options["dues_rounds"]),
            "--export-rows", ",".join(map(str, options["export_rows"])),
        ]  # fmt: skip
        if options["only"]:
            argv += ["--only", ",".join(options["only"])]
        if options["pages"]:
            argv += ["--pages", ",".join(options["pages"])]
        if options["roles"]:
            argv += ["--roles", ",".join(options["roles"])]
        if options["skip_load"]:
            argv.append("--skip-load")
        if options["output"]:
            argv += ["--output", str(Path(options["output"]).resolve())]
        return argv

    # --- inner: the measurements -----------------------------------------------------------------------------

    def inner(self, options):
        if connection.vendor != "postgresql" or connection.settings_dict["NAME"] != options["in_db"]:
            raise CommandError("--in-db is the bench's own: run `manage.py bench` without it")
        from buildingparty.bench import runner

        markdown = runner.Run(options=options, out=self.stdout).run()
        output = options["output"] or Path(settings.VAR_DIR) / "bench" / "latest.md"
        runner.write(markdown, Path(output))
        self.stdout.write("")
        self.stdout.write(markdown)
        self.stdout.write(f"Written to {output}")
