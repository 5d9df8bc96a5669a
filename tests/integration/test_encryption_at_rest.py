"""The store on disk is unreadable without the key: plain sqlite3 cannot
open it, patient identity from the feed never appears in plain bytes in the
database, its WAL and SHM files or the key file, a wrong password is
refused, and a key slot whose role was edited no longer opens."""
import datetime
import json
import os
import signal
import subprocess

from twtest import PASSWORD, Feed, Store, check, finish, wait_for

store = Store()
clin_pw = "stethoscope on the night shift"
# user add reads the admin's password from --password-file and the new one
# from standard input (not a terminal): one line.
r = subprocess.run([os.environ.get("TWCTL", "twctl"), "--data-dir", store.dir, "--kdf-cost", "min",
                    "--user", "ana", "--password-file", store.pwfile,
                    "user", "add", "cleo", "--role", "clinician"],
                   input=clin_pw + "\n", capture_output=True, text=True)
check(r.returncode == 0, f"admin added a clinician ({r.stderr.strip()})")
store.assign_wards("cleo", "--all")  # clinicians see their wards' patients only

# A live stream: 30 s of backlog, then real time, so the WAL is in use
# while we look at the files.
start = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=30))
feed = Feed("--patients", "3", "--rate", "10", "--seed", "5",
            "--start", start.strftime("%Y-%m-%dT%H:%M:%SZ")).start()
ingest = store.ingest(feed.url)


def identities():
    r = subprocess.run([os.environ.get("TWCTL", "twctl"), "--data-dir", store.dir,
                        "--user", "cleo", "patients", "--json"],
                       input=clin_pw + "\n", capture_output=True, text=True)
    if r.returncode != 0:
        print(f"# twctl patients: {r.stderr.strip()}")
        return []
    return json.loads(r.stdout)


ok = wait_for(lambda: len(identities()) == 3, timeout=60)
patients = identities()
check(ok, f"the clinician sees the 3 patients of the feed ({len(patients)})")
markers = []
for p in patients:
    check(p["name"] != p["id"] and p["mrn"], f"clinician sees identity of {p['id']}")
    markers += [p["name"], p["mrn"]]

admin_view = json.loads(store.twctl("patients", "--json").stdout or "[]")
check(admin_view and all(p["name"] == p["id"] and p["mrn"] is None for p in admin_view),
      "the admin's patient list is masked (pseudonymous ids, no MRN)")


def plain_hits(paths):
    hits = []
    for path in paths:
        with open(path, "rb") as f:
            data = f.read()
        for m in markers:
            if m.encode() in data:
                hits.append((os.path.basename(path), m))
    return hits


def scan(label):
    files = store.files()
    names = [os.path.basename(f) for f in files]
    hits = plain_hits(files)
    check(not hits, f"{label}: no patient name or MRN in plain bytes of {names} (hits: {hits})")
    return names


# Sanity: the scanner finds a marker where one is in clear text.
probe = os.path.join(store.tmp.name, "probe.txt")
with open(probe, "w") as f:
    f.write("x" + (markers[0] if markers else "nothing") + "y")
check(markers and plain_hits([probe]), "the scan finds a marker written in clear text")

live_names = scan("while ingesting")
check("tidewatch.db-wal" in live_names, f"the WAL file was scanned while live ({live_names})")
ingest.send_signal(signal.SIGINT)
ingest.communicate(timeout=30)
feed.kill(signal.SIGTERM)
scan("after ingest stopped")

db = os.path.join(store.dir, "tidewatch.db")
r = subprocess.run(["sqlite3", db, "SELECT count(*) FROM sqlite_master;"],
                   capture_output=True, text=True)
check(r.returncode != 0 and "not a database" in r.stderr,
      f"plain sqlite3 cannot read the store ({r.stderr.strip()})")
with open(db, "rb") as f:
    header = f.read(16)
check(header != b"SQLite format 3\x00", "the file does not start with the SQLite header")

# Wrong password and unknown user: the same message, no hint which.
r1 = subprocess.run([os.environ.get("TWCTL", "twctl"), "--data-dir", store.dir, "--user", "ana",
                     "stats"], input="not the password\n", capture_output=True, text=True)
r2 = subprocess.run([os.environ.get("TWCTL", "twctl"), "--data-dir", store.dir,
                     "--user", "nobody", "stats"], input=PASSWORD + "\n",
                    capture_output=True, text=True)
check(r1.returncode != 0 and "Wrong user name or password" in r1.stderr,
      f"a wrong password is refused with a clear message ({r1.stderr.strip()})")
check(r2.returncode != 0 and r2.stderr == r1.stderr,
      "an unknown user gets the very same message")

# Editing a slot's role in the key file makes the slot fail to unwrap.
slots_path = os.path.join(store.dir, "tidewatch.keyslots")
with open(slots_path) as f:
    slots = json.load(f)
for s in slots["slots"]:
    if s["user"] == "cleo":
        s["role"] = "admin"
with open(slots_path, "w") as f:
    json.dump(slots, f)
r = subprocess.run([os.environ.get("TWCTL", "twctl"), "--data-dir", store.dir, "--user", "cleo",
                    "user", "list"], input=clin_pw + "\n", capture_output=True, text=True)
check(r.returncode != 0 and "Wrong user name or password" in r.stderr,
      f"a slot promoted to admin by editing the file does not open ({r.stderr.strip()})")

finish()
