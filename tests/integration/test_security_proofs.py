"""Issue 6 proofs through real twctl processes: Python's plain sqlite3
module reads neither the store nor its WAL (while twctl ingests live), and
`twctl store check` finds one flipped byte in a database page (exit 1, a
message naming the damage and what to do), or in the WAL a crash left
behind, and says so when all is well.
(Marker bytes on disk: test_encryption_at_rest.py and the unit test
leak-files; a lockout surviving a restart: test_lockout.py.)"""
import datetime
import os
import re
import shutil
import signal
import sqlite3

from twtest import Feed, Store, check, finish, wait_for

PAGE_SIZE = 4096
store = Store()
db = os.path.join(store.dir, "tidewatch.db")
wal = db + "-wal"


def plain_sqlite_reads(path, **kwargs):
    """What the plain module makes of @path: None when it refuses it."""
    try:
        con = sqlite3.connect(path, **kwargs)
        try:
            return con.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            con.close()
    except sqlite3.DatabaseError as e:
        print(f"# sqlite3 {sqlite3.sqlite_version} on {os.path.basename(path)}: {e}")
        return None


# Positive control: the same module reads a plain database with a WAL.
control_dir = os.path.join(store.tmp.name, "control")
os.mkdir(control_dir)
control = os.path.join(control_dir, "plain.db")
con = sqlite3.connect(control)
con.execute("PRAGMA journal_mode=WAL")
con.execute("CREATE TABLE t (x)")
con.execute("INSERT INTO t VALUES ('readable')")
con.commit()
check(plain_sqlite_reads(control) is not None, "the plain sqlite3 module reads a plain database")


def plain_like_pages(wal_path):
    """Frames of a WAL whose page image looks like a plain b-tree page (a
    table leaf starts with 0x0d, an interior page with 0x05, an index page
    with 0x0a or 0x02; the first free block's offset is small)."""
    with open(wal_path, "rb") as f:
        data = f.read()
    frames = [data[32 + i * (24 + PAGE_SIZE) + 24:32 + (i + 1) * (24 + PAGE_SIZE)]
              for i in range((len(data) - 32) // (24 + PAGE_SIZE))]
    return frames, [i for i, page in enumerate(frames)
                    if page[:1] in (b"\x0d", b"\x05", b"\x0a", b"\x02")
                    and int.from_bytes(page[1:3], "big") < PAGE_SIZE and page[7:8] == b"\x00"]


control_frames, control_plain = plain_like_pages(control + "-wal")
check(control_plain, f"the page test recognises plain pages in a plain WAL "
      f"({len(control_plain)} of {len(control_frames)})")
con.close()

# A live stream, so the WAL holds frames while we look.
start = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=60)
feed = Feed("--patients", "4", "--rate", "20", "--seed", "11",
            "--start", start.strftime("%Y-%m-%dT%H:%M:%SZ")).start()
ingest = store.ingest(feed.url)
check(wait_for(lambda: os.path.exists(wal) and os.path.getsize(wal) > PAGE_SIZE, timeout=60),
      "twctl ingest writes to the WAL")

check(plain_sqlite_reads(f"file:{db}?mode=ro", uri=True) is None,
      "plain sqlite3 cannot read the live store")
copy_dir = os.path.join(store.tmp.name, "copy")
os.mkdir(copy_dir)
copied_wal = os.path.join(copy_dir, "tidewatch.db-wal")


def copy_live_files():
    """A copy of the files as they are now; TRUE once the WAL copy holds frames."""
    for name in ("tidewatch.db", "tidewatch.db-wal", "tidewatch.db-shm"):
        if os.path.exists(os.path.join(store.dir, name)):
            shutil.copy(os.path.join(store.dir, name), copy_dir)
    return os.path.exists(copied_wal) and os.path.getsize(copied_wal) > 32 + 24 + PAGE_SIZE


check(wait_for(copy_live_files, timeout=30),
      f"a copy of the live WAL was taken ({os.path.getsize(copied_wal)} bytes)")
# The WAL's frames are pages as SQLCipher wrote them: the frame headers
# are SQLite's, the page images must not be.
frames, plain_like = plain_like_pages(copied_wal)
check(len(frames) > 0 and len(plain_like) <= len(frames) // 20 + 1,
      f"the WAL's {len(frames)} page images do not look like plain b-tree pages "
      f"({len(plain_like)} by chance)")

wal_alone = os.path.join(store.tmp.name, "wal-as-db.db")
shutil.copy(copied_wal, wal_alone)
check(plain_sqlite_reads(wal_alone) is None, "plain sqlite3 cannot read the WAL as a database")
# Last: opening the copy lets plain SQLite apply the WAL's frames to it
# (it copies the encrypted pages and deletes the WAL).
check(plain_sqlite_reads(os.path.join(copy_dir, "tidewatch.db")) is None,
      "plain sqlite3 cannot read a copy of the store with its WAL")

ingest.send_signal(signal.SIGINT)
ingest.communicate(timeout=30)
feed.kill(signal.SIGTERM)

# twctl store check: intact, then one flipped byte in a page.
r = store.twctl("store", "check")
m = re.search(r"The store is intact \((\d+) pages", r.stdout)
check(r.returncode == 0 and m is not None, f"store check: intact ({r.stdout.strip()})")
pages = os.path.getsize(db) // PAGE_SIZE
check(not os.path.exists(wal) or os.path.getsize(wal) == 0,
      "the WAL was checkpointed when ingest stopped")

clin_pw = os.path.join(store.tmp.name, "clin-pw")
with open(clin_pw, "w") as f:
    f.write("a clinician's own password\n")
r = store.twctl("user", "add", "cleo", "--role", "clinician", extra=["--new-password-file", clin_pw])
check(r.returncode == 0, f"a clinician was added ({r.stderr.strip()})")
r = store.twctl("store", "check", user="cleo", stdin="a clinician's own password\n")
check(r.returncode != 0 and "administrator" in r.stderr,
      f"only an administrator may check the store ({r.stderr.strip()})")

with open(db, "rb") as f:
    pristine = f.read()
page = pages // 2
offset = page * PAGE_SIZE + 1000
damaged = bytearray(pristine)
damaged[offset] ^= 0x01
with open(db, "wb") as f:
    f.write(damaged)
r = store.twctl("store", "check")
print("# " + r.stdout.strip().replace("\n", "\n# "))
check(r.returncode == 1, f"store check exits 1 on one flipped byte in page {page + 1} of {pages}")
check("damaged" in r.stdout and "backup" in r.stdout,
      "the message names the damage and says to restore from a backup")
# (When the page is one signing in reads, e.g. store_meta, the check
# stops there and names what could not be read.)
check(f"Page {page + 1}" in r.stdout or "table" in r.stdout or "Could not read" in r.stdout,
      "the message names the page, the table or what could not be read")

with open(db, "wb") as f:
    f.write(pristine)
r = store.twctl("store", "check")
check(r.returncode == 0 and "intact" in r.stdout, "the restored file checks intact again")

# A crash leaves the WAL behind. SQLite recovers it at the next open and
# silently drops a damaged frame with every frame after it; store check
# reads the WAL before anything opens the store.
feed = Feed("--patients", "4", "--rate", "50", "--seed", "12",
            "--start", start.strftime("%Y-%m-%dT%H:%M:%SZ")).start()
ingest = store.ingest(feed.url)
frame_bytes = 24 + PAGE_SIZE
check(wait_for(lambda: os.path.exists(wal) and os.path.getsize(wal) > 32 + 20 * frame_bytes,
               timeout=60), "twctl ingest filled the WAL with 20 frames")
ingest.kill()
ingest.communicate(timeout=30)
feed.kill(signal.SIGTERM)
with open(wal, "rb") as f:
    wal_bytes = bytearray(f.read())
# Frames of the current generation carry the header's salts.
n_frames = 0
while (32 + (n_frames + 1) * frame_bytes <= len(wal_bytes)
       and wal_bytes[32 + n_frames * frame_bytes + 8:32 + n_frames * frame_bytes + 16]
       == wal_bytes[16:24]):
    n_frames += 1
# A frame some commit depends on: before the last commit frame (its
# header's "database size" field is not zero).
commits = [i for i in range(n_frames)
           if wal_bytes[32 + i * frame_bytes + 4:32 + i * frame_bytes + 8] != b"\0\0\0\0"]
check(commits and commits[-1] > 0, f"the WAL holds committed frames ({len(commits)} commits)")
middle = commits[-1] // 2 if commits else 0
wal_bytes[32 + middle * frame_bytes + 24 + 1000] ^= 0x01
with open(wal, "wb") as f:
    f.write(wal_bytes)
r = store.twctl("store", "check")
print("# " + r.stdout.strip().replace("\n", "\n# "))
check(r.returncode == 1 and "write-ahead log" in r.stdout and f"frame {middle + 1} of" in r.stdout,
      f"store check names frame {middle + 1} of the WAL left by a crash, flipped byte and all")
check(os.path.exists(wal + ".damaged"), "a copy of the damaged WAL is kept beside the store")

finish()
