"""Account administration through twctl, end to end (issue 6): one-time
passwords that must be changed with `twctl passwd`, disable/enable, role
changes, lockout and unlock, reset, and removal that re-encrypts the store
so the removed user's old key slot opens nothing."""
import fcntl
import json
import os
import re
import shutil
import subprocess

from twtest import PASSWORD, TWCTL, Store, check, finish

store = Store()
CLEO_PW = "night shift on ward seven"


def run(*args, stdin="", data_dir=None):
    return subprocess.run([TWCTL, "--data-dir", data_dir or store.dir, "--kdf-cost", "min"]
                          + list(args), input=stdin, capture_output=True, text=True, timeout=120)


def admin(*args, stdin=""):
    return run("--user", "ana", *args, stdin=f"{PASSWORD}\n{stdin}")


def users():
    r = admin("user", "list", "--json")
    return {u["name"]: u for u in json.loads(r.stdout or "[]")}


def one_time_password(output):
    m = re.search(r"One-time password for \S+: ([a-z0-9]{5}(?:-[a-z0-9]{5}){3})", output)
    return m.group(1) if m else None


def audit_actions(subject):
    r = admin("audit", "list", "--json")
    rows = json.loads(r.stdout or "[]")
    return [row["action"] for row in sorted(rows, key=lambda row: row["seq"])
            if row.get("subject") == subject and not row["action"].startswith("login")]


# A lockout policy that is quick to reach.
with open(os.path.join(store.dir, "security.json"), "w") as f:
    json.dump({"lockout": {"max_failures": 3, "free_failures": 3, "base_delay_s": 1,
                           "max_delay_s": 1}}, f)

r = admin("user", "add", "cleo", "--role", "clinician", "--wards", "Ward A,Ward B",
          stdin=f"{CLEO_PW}\n")
check(r.returncode == 0 and "Added cleo as clinician" in r.stdout,
      f"admin adds a clinician with wards ({r.stderr.strip()})")
r = admin("user", "add", "olaf", "--role", "operator", "--one-time")
olaf_otp = one_time_password(r.stdout)
check(r.returncode == 0 and olaf_otp is not None,
      f"--one-time prints a one-time password ({r.stdout.strip()} {r.stderr.strip()})")

listed = users()
check(listed.get("cleo", {}).get("wards") == ["Ward A", "Ward B"]
      and listed["cleo"]["status"] == "active",
      f"the list shows cleo's wards and status {listed.get('cleo')}")
check(listed.get("olaf", {}).get("must_change_password") is True
      and "must change password" in listed["olaf"]["status"],
      f"olaf must change the one-time password {listed.get('olaf')}")
r = admin("user", "list")
check(re.search(r"olaf\s+operator\s+must change password", r.stdout) is not None,
      f"the text list says so too:\n{r.stdout}")

# The one-time password signs in but opens nothing until it is changed.
r = run("--user", "olaf", "stats", stdin=f"{olaf_otp}\n")
check(r.returncode != 0 and "twctl passwd" in r.stderr,
      f"a one-time password points to `twctl passwd` ({r.stderr.strip()})")
r = run("--user", "olaf", "passwd", stdin=f"{olaf_otp}\npassword1\n")
check(r.returncode != 0 and "common passwords" in r.stderr,
      f"a common password is refused ({r.stderr.strip()})")
r = run("--user", "olaf", "passwd", stdin=f"{olaf_otp}\nolaf runs the early feed\n")
check(r.returncode == 0, f"olaf chooses his own password ({r.stderr.strip()})")
r = run("--user", "olaf", "stats", stdin="olaf runs the early feed\n")
check(r.returncode == 0, f"and works with it ({r.stderr.strip()})")
r = run("--user", "olaf", "stats", stdin=f"{olaf_otp}\n")
check(r.returncode != 0, "the one-time password works only once")
check(users()["olaf"]["status"] == "active", "olaf is active")

# Disable / enable.
r = admin("user", "disable", "cleo")
check(r.returncode == 0, f"admin disables cleo ({r.stderr.strip()})")
r = run("--user", "cleo", "stats", stdin=f"{CLEO_PW}\n")
check(r.returncode != 0 and "disabled" in r.stderr,
      f"a disabled user is told so ({r.stderr.strip()})")
check(users()["cleo"]["status"] == "disabled", "the list says disabled")
r = admin("user", "disable", "ana")
check(r.returncode != 0 and "another administrator" in r.stderr,
      f"an admin cannot disable herself ({r.stderr.strip()})")
r = admin("user", "enable", "cleo")
r2 = run("--user", "cleo", "stats", stdin=f"{CLEO_PW}\n")
check(r.returncode == 0 and r2.returncode == 0, f"enabled again, cleo signs in ({r2.stderr.strip()})")

# Role change: no password needed, the key file follows.
r = admin("user", "role", "cleo", "analyst")
check(r.returncode == 0 and users()["cleo"]["role"] == "analyst",
      f"admin makes cleo an analyst ({r.stderr.strip()})")
with open(os.path.join(store.dir, "tidewatch.keyslots")) as f:
    slots = {s["user"]: s for s in json.load(f)["slots"]}
check(slots["cleo"]["role"] == "analyst" and slots["cleo"]["version"] == 2,
      "the key slot was re-sealed with the new role")
r = run("--user", "cleo", "user", "list", stdin=f"{CLEO_PW}\n")
check(r.returncode != 0, "an analyst cannot list users")
admin("user", "role", "cleo", "clinician")

# Lockout and unlock.
for _ in range(3):
    run("--user", "cleo", "stats", stdin="not cleo's password\n")
check(users()["cleo"]["status"].startswith("locked out"),
      f"after 3 failures cleo is locked out ({users()['cleo']['status']})")
r = run("--user", "cleo", "stats", stdin=f"{CLEO_PW}\n")
check(r.returncode != 0 and "administrator" in r.stderr,
      f"even the right password waits for an admin ({r.stderr.strip()})")
r = admin("user", "unlock", "cleo")
check(r.returncode == 0, f"admin unlocks cleo ({r.stderr.strip()})")
r = run("--user", "cleo", "stats", stdin=f"{CLEO_PW}\n")
check(r.returncode == 0, f"cleo signs in again ({r.stderr.strip()})")

# Reset: a new one-time password replaces the old one.
r = admin("user", "reset", "cleo")
cleo_otp = one_time_password(r.stdout)
check(r.returncode == 0 and cleo_otp is not None, f"reset prints a one-time password ({r.stdout.strip()})")
r = run("--user", "cleo", "stats", stdin=f"{CLEO_PW}\n")
check(r.returncode != 0, "the old password is gone")
r = run("--user", "cleo", "passwd", stdin=f"{cleo_otp}\ncleo's own new passphrase\n")
check(r.returncode == 0, f"cleo replaces the one-time password ({r.stderr.strip()})")
CLEO_PW = "cleo's own new passphrase"

# Removal re-encrypts the store.
old_slots = os.path.join(store.tmp.name, "keyslots-before-removal")
shutil.copy(os.path.join(store.dir, "tidewatch.keyslots"), old_slots)
db = os.path.join(store.dir, "tidewatch.db")
with open(db, "rb") as f:
    salt_before = f.read(16)
with open(os.path.join(store.dir, "tidewatch.inuse"), "a+") as held:
    fcntl.flock(held, fcntl.LOCK_SH)   # as another running program does
    r = admin("user", "remove", "olaf")
    check(r.returncode != 0 and "close it" in r.stderr,
          f"removal waits until no other program has the store open ({r.stderr.strip()})")
    fcntl.flock(held, fcntl.LOCK_UN)
r = admin("user", "remove", "olaf")
check(r.returncode == 0 and "new key" in r.stdout, f"admin removes olaf ({r.stderr.strip()})")
with open(db, "rb") as f:
    salt_after = f.read(16)
check(salt_before != salt_after, "the store file was rewritten under a new key")
check("olaf" not in users(), "olaf is gone from the list")
r = run("--user", "olaf", "stats", stdin="olaf runs the early feed\n")
check(r.returncode != 0, "olaf cannot sign in")
r = run("--user", "cleo", "stats", stdin=f"{CLEO_PW}\n")
check(r.returncode == 0, f"cleo still signs in ({r.stderr.strip()})")
r = admin("store", "check")
check(r.returncode == 0, f"the re-encrypted store reads in full ({r.stdout.strip()} {r.stderr.strip()})")

# olaf kept his old key file: beside the new store it opens nothing.
scratch = os.path.join(store.tmp.name, "olaf-copy")
os.mkdir(scratch, 0o700)
shutil.copy(db, os.path.join(scratch, "tidewatch.db"))
shutil.copy(old_slots, os.path.join(scratch, "tidewatch.keyslots"))
r = run("--user", "olaf", "stats", stdin="olaf runs the early feed\n", data_dir=scratch)
check(r.returncode != 0 and "could not be decrypted" in r.stderr,
      f"olaf's old key slot does not open the re-encrypted store ({r.stderr.strip()})")

r = run("--user", "ana", "passwd", stdin=f"{PASSWORD}\nana's brand new passphrase\n")
check(r.returncode == 0, f"ana changes her own password ({r.stderr.strip()})")
r = run("--user", "ana", "stats", stdin="ana's brand new passphrase\n")
check(r.returncode == 0, "and signs in with it")
PASSWORD = "ana's brand new passphrase"

check(audit_actions("cleo") == ["user-add", "user-wards", "user-disable", "user-enable",
                                "user-role", "user-role", "account-locked", "account-unlocked",
                                "user-reset", "password-change"],
      f"every change to cleo is in the audit trail {audit_actions('cleo')}")
check(audit_actions("olaf")[-1:] == ["user-remove"], f"olaf's removal too {audit_actions('olaf')}")
r = admin("audit", "verify")
check(r.returncode == 0, f"the audit chain is intact across the rekey ({r.stdout.strip()})")
finish()
