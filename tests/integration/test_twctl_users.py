"""twctl user management, with the same login rules as the app: roles are
enforced in the core, passwords come from files or standard input."""
import json
import os
import subprocess

from twtest import PASSWORD, TWCTL, Store, check, finish

store = Store()


def run(*args, stdin=""):
    return subprocess.run([TWCTL, "--data-dir", store.dir, "--kdf-cost", "min"] + list(args),
                          input=stdin, capture_output=True, text=True)


r = run("--user", "ana", "user", "add", "cleo", "--role", "clinician",
        stdin=f"{PASSWORD}\nfirst clinician pw\n")
check(r.returncode == 0 and "Added cleo as clinician" in r.stdout,
      f"admin adds a clinician, both passwords from standard input ({r.stderr.strip()})")

r = run("--user", "ana", "user", "add", "dan", "--role", "operator", stdin=f"{PASSWORD}\nshort\n")
check(r.returncode != 0 and "at least 8 characters" in r.stderr,
      f"a too short password is refused with what to do ({r.stderr.strip()})")

r = run("--user", "ana", "user", "add", "cleo", "--role", "analyst",
        stdin=f"{PASSWORD}\nanother long pw\n")
check(r.returncode != 0 and "exists already" in r.stderr, f"no second cleo ({r.stderr.strip()})")

r = run("--user", "cleo", "user", "add", "eve", "--role", "admin",
        stdin="first clinician pw\nsome password\n")
check(r.returncode != 0 and "only an administrator" in r.stderr,
      f"a clinician cannot add users ({r.stderr.strip()})")

r = run("--user", "ana", "user", "list", "--json", stdin=f"{PASSWORD}\n")
users = {u["name"]: u["role"] for u in json.loads(r.stdout or "[]")}
check(users == {"ana": "admin", "cleo": "clinician"}, f"user list shows names and roles {users}")

r = run("--user", "ana", "user", "passwd", "cleo", stdin=f"{PASSWORD}\nsecond clinician pw\n")
check(r.returncode == 0, f"admin resets cleo's password ({r.stderr.strip()})")
old = run("--user", "cleo", "stats", stdin="first clinician pw\n")
new = run("--user", "cleo", "stats", stdin="second clinician pw\n")
check(old.returncode != 0 and "Wrong user name or password" in old.stderr,
      "the old password no longer opens the store")
check(new.returncode == 0, f"the new password does ({new.stderr.strip()})")

r = run("--user", "cleo", "user", "passwd", "cleo", stdin="second clinician pw\nthird clinician pw\n")
check(r.returncode == 0, f"a user changes their own password ({r.stderr.strip()})")

r = run("--user", "ana", "--new-password-file", store.pwfile, "init", "--admin", "other")
check(r.returncode != 0 and "already holds a Tidewatch store" in r.stderr,
      f"init refuses to overwrite a store ({r.stderr.strip()})")

empty = os.path.join(store.tmp.name, "empty")
r = subprocess.run([TWCTL, "--data-dir", empty, "--user", "ana", "stats"], input=PASSWORD + "\n",
                   capture_output=True, text=True)
check(r.returncode != 0 and "twctl --data-dir" in r.stderr and "init --admin" in r.stderr,
      f"a missing store says how to create one ({r.stderr.strip()})")

r = subprocess.run([TWCTL, "--data-dir", store.dir, "stats"], input=PASSWORD + "\n",
                   capture_output=True, text=True)
check(r.returncode != 0 and "--user" in r.stderr, f"without a terminal --user is required "
      f"({r.stderr.strip()})")

# The default Argon2id cost is MODERATE: a slot made without --kdf-cost says so.
r = subprocess.run([TWCTL, "--data-dir", store.dir, "--user", "ana", "user", "add", "fay",
                    "--role", "analyst"], input=f"{PASSWORD}\nanalyst password\n",
                   capture_output=True, text=True)
with open(os.path.join(store.dir, "tidewatch.keyslots")) as f:
    slots = {s["user"]: s for s in json.load(f)["slots"]}
check(r.returncode == 0 and "fay" in slots, f"analyst added ({r.stderr.strip()})")
finish()
