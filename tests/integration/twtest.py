"""Helpers for integration tests: real processes on loopback, no mocks."""
import datetime
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

FEED = os.path.abspath(os.environ["TW_FEED"]) if "TW_FEED" in os.environ else "tidewatch-feed"
TWCTL = os.path.abspath(os.environ["TWCTL"]) if "TWCTL" in os.environ else "twctl"
PASSWORD = "correct horse battery staple"

_failures = []


def check(condition, message):
    """Record a failed expectation without stopping, so one run shows all."""
    if condition:
        print(f"ok - {message}")
    else:
        print(f"not ok - {message}")
        _failures.append(message)


def finish():
    if _failures:
        print(f"{len(_failures)} check(s) failed", file=sys.stderr)
        sys.exit(1)
    sys.exit(0)


class Feed:
    """A tidewatch-feed process; restartable with identical options."""

    def __init__(self, *args, port=0):
        self.args = list(args)
        self.port = port
        self.proc = None
        self.sent = None

    def start(self):
        cmd = [FEED, "--port", str(self.port)] + self.args
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     text=True)
        line = self.proc.stdout.readline()
        m = re.search(r"listening on ws://127\.0\.0\.1:(\d+)/", line)
        if not m:
            raise RuntimeError(f"feed did not start: {line!r}")
        self.port = int(m.group(1))
        return self

    @property
    def url(self):
        return f"ws://127.0.0.1:{self.port}/"

    def kill(self, sig=signal.SIGKILL):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            out, _ = self.proc.communicate(timeout=10)
            m = re.search(r"sent (\d+) messages", out or "")
            self.sent = int(m.group(1)) if m else None
        self.proc = None


class Store:
    """A data directory with an encrypted store and an admin."""

    def __init__(self, admin="ana"):
        self.tmp = tempfile.TemporaryDirectory(prefix="tw-it-")
        self.dir = os.path.join(self.tmp.name, "data")
        self.admin = admin
        self.pwfile = os.path.join(self.tmp.name, "pw")
        with open(self.pwfile, "w") as f:
            f.write(PASSWORD + "\n")
        r = self.twctl("init", "--admin", admin, login=False,
                       extra=["--new-password-file", self.pwfile])
        if r.returncode != 0:
            raise RuntimeError(r.stderr)

    def twctl(self, *args, login=True, user=None, extra=(), stdin=None, timeout=120):
        cmd = [TWCTL, "--data-dir", self.dir, "--kdf-cost", "min"] + list(extra)
        if login:
            cmd += ["--user", user or self.admin]
            if stdin is None:
                cmd += ["--password-file", self.pwfile]
        cmd += list(args)
        return subprocess.run(cmd, input=stdin or "", capture_output=True, text=True,
                              timeout=timeout)

    def ingest(self, url, *args):
        cmd = [TWCTL, "--data-dir", self.dir, "--user", self.admin,
               "--password-file", self.pwfile, "ingest", url] + list(args)
        return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def clinician(self):
        """A clinician (same password) on every ward, added on first use:
        the tests check series by entity key, and roles without identity
        (the admin) see only pseudonyms."""
        name = "stats.clin"
        if not getattr(self, "_clinician", None):
            r = self.twctl("user", "add", name, "--role", "clinician",
                           extra=["--new-password-file", self.pwfile])
            if r.returncode != 0:
                raise RuntimeError(r.stderr)
            self.assign_wards(name, "--all")
            self._clinician = name
        return self._clinician

    def assign_wards(self, user, *wards):
        """Clinicians see the patients of their wards only (issue 6):
        `--all`, `--none` or ward names."""
        r = self.twctl("wards", user, *wards)
        if r.returncode != 0:
            raise RuntimeError(r.stderr)

    def stats(self, user=None):
        r = self.twctl("stats", "--json", user=user or self.clinician())
        if r.returncode != 0:
            raise RuntimeError(r.stderr)
        return json.loads(r.stdout)

    def files(self):
        return [os.path.join(self.dir, n) for n in sorted(os.listdir(self.dir))]


def wait_for(predicate, timeout, step=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


def stream_start():
    """Now, to the second, as the feed's --start and as microseconds."""
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    return now.strftime("%Y-%m-%dT%H:%M:%SZ"), int(now.timestamp()) * 1_000_000


def check_exact_stream(store, label, count, patients, rate, start_us, metrics=8,
                       cursor=True, no_duplicates=True):
    """Every series holds exactly what a feed of `count` messages sent: the
    first tick to the last, each sample once. Returns the source's stats."""
    stats = store.stats()
    src = stats["sources"][0]
    per_patient = count // patients
    if cursor:
        check(src["cursor"] == count, f"{label}: cursor reached the last sequence {count} "
              f"(got {src['cursor']})")
    check(src["stored"] == count * metrics,
          f"{label}: stored {count * metrics} samples (got {src['stored']})")
    if no_duplicates:
        check(src["duplicates"] == 0, f"{label}: resumed exactly, no duplicate delivered "
              f"(got {src['duplicates']})")
    check(len(stats["series"]) == patients * metrics,
          f"{label}: {patients * metrics} series (got {len(stats['series'])})")
    last_us = start_us + (per_patient - 1) * 1_000_000 // rate
    bad = [s for s in stats["series"]
           if s["count"] != per_patient or s["first_us"] != start_us or s["last_us"] != last_us]
    check(not bad, f"{label}: every series holds exactly {per_patient} samples from the first "
          f"tick to the last (bad: {bad[:2]})")
    return src
