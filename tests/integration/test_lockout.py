"""The sign-in lockout behind twctl, each sign-in a separate process: wrong
passwords make the wait grow, then lock the account; the lockout survives
a restart (a new process is still refused, even with the right password);
an admin unlocks with `twctl user unlock`; the failures reach the audit
trail once; an unknown name gets the same answers; programs guessing in
parallel get no extra guesses; an edited or deleted sign-in log is
reported to the admin at the next sign-in."""
import json
import os
import re
import subprocess
import time

from twtest import TWCTL, Store, check, finish

POLICY = {"lockout": {"max_failures": 4, "free_failures": 2, "base_delay_s": 1,
                      "max_delay_s": 2}}
WRONG = "not the password at all\n"


def sign_in(store, user, password):
    """One twctl process that signs in and lists patients."""
    return store.twctl("patients", user=user, stdin=password)


def wait_of(stderr):
    """The seconds a refusal asks to wait, or None."""
    m = re.search(r"[Ww]ait (\d+) s", stderr)
    return int(m.group(1)) if m else None


def audit_rows(store, action):
    r = store.twctl("audit", "list", "--action", action, "--json")
    if r.returncode != 0:
        raise RuntimeError(r.stderr)
    return json.loads(r.stdout), r.stderr


store = Store(admin="ana")
log_path = os.path.join(store.dir, "tidewatch.lockout")
with open(os.path.join(store.dir, "security.json"), "w") as f:
    json.dump(POLICY, f)
r = store.twctl("user", "add", "bob", "--role", "operator",
                extra=["--new-password-file", store.pwfile])
check(r.returncode == 0, f"bob added ({r.stderr.strip()})")
right = open(store.pwfile).read()

# ---- the wait grows, then the account locks ---------------------------------
first = sign_in(store, "bob", WRONG)
check(first.returncode == 1 and "Wrong user name or password (1 try left before a 1 s wait)"
      in first.stderr, f"first wrong password: says what comes next ({first.stderr.strip()})")

r = sign_in(store, "bob", WRONG)
wait1 = wait_of(r.stderr)
check(r.returncode == 1 and wait1 == 1, f"second: wait 1 s ({r.stderr.strip()})")
t_second = time.monotonic()

r = sign_in(store, "bob", right)
check(r.returncode == 1 and "Too many failed sign-ins for ‘bob’: wait" in r.stderr,
      f"a new process with the right password is refused while waiting ({r.stderr.strip()})")

time.sleep(max(0.0, t_second + wait1 + 0.2 - time.monotonic()))
r = sign_in(store, "bob", WRONG)
wait2 = wait_of(r.stderr)
check(r.returncode == 1 and wait2 is not None and wait2 > wait1,
      f"third: the wait grew from {wait1} s to {wait2} s ({r.stderr.strip()})")

time.sleep(wait2 + 0.2)
r = sign_in(store, "bob", WRONG)
check(r.returncode == 1 and "‘bob’ is now locked after 4 failed sign-ins" in r.stderr
      and "`twctl user unlock bob`" in r.stderr,
      f"fourth: locked, and how an admin unlocks ({r.stderr.strip()})")

r = sign_in(store, "bob", right)
check(r.returncode == 1 and "locked after 4 failed sign-ins; an administrator must unlock it"
      in r.stderr, f"a new process with the right password: still locked ({r.stderr.strip()})")
time.sleep(POLICY["lockout"]["max_delay_s"] + 0.5)
r = sign_in(store, "bob", right)
check(r.returncode == 1 and "administrator must unlock" in r.stderr,
      "no wait ends a lockout")
check(os.path.exists(log_path), "the count is kept beside the store (tidewatch.lockout)")

# ---- an admin unlocks -------------------------------------------------------
r = store.twctl("user", "unlock", "bob")
check(r.returncode == 0, f"twctl user unlock bob ({(r.stdout + r.stderr).strip()})")
r = sign_in(store, "bob", right)
check(r.returncode == 0, f"bob signs in after the unlock ({r.stderr.strip()})")

failed, _ = audit_rows(store, "login-failed")
bobs = [row for row in failed if row["subject"] == "bob"]
check(len(bobs) == 4, f"the 4 failures are on the audit trail once each (got {len(bobs)})")
locked, _ = audit_rows(store, "account-locked")
check(sum(1 for row in locked if row["subject"] == "bob") == 1, "the lockout is audited")

# ---- unknown names ----------------------------------------------------------
r = sign_in(store, "nosuchuser", WRONG)
check(r.stderr == first.stderr,
      f"an unknown name gets the same answer as a real one ({r.stderr.strip()})")
with open(log_path) as f:
    check("nosuchuser" not in f.read(),
          "a name with no account (maybe a password typed as a name) is not kept in clear")
failed, _ = audit_rows(store, "login-failed")
check(any("a name with no account" in (row["detail"] or "") for row in failed),
      "… and reaches the audit trail as a name with no account")

# ---- guesses in parallel -----------------------------------------------------
# Each attempt is written down before Argon2id runs (here at the interactive
# cost, so the processes overlap): the limit holds however many run at once.
par_dir = os.path.join(store.tmp.name, "parallel")
r = subprocess.run([TWCTL, "--data-dir", par_dir, "--kdf-cost", "interactive",
                    "--new-password-file", store.pwfile, "init", "--admin", "pat"],
                   capture_output=True, text=True, timeout=120)
check(r.returncode == 0, f"a store with interactive-cost slots ({r.stderr.strip()})")
with open(os.path.join(par_dir, "security.json"), "w") as f:
    json.dump({"lockout": {"max_failures": 2, "free_failures": 2, "base_delay_s": 0,
                           "max_delay_s": 0}}, f)
cmd = [TWCTL, "--data-dir", par_dir, "--user", "pat", "patients"]
procs = [subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True) for _ in range(5)]
for p in procs:  # all ask at once: the passwords go out before any answer is read
    p.stdin.write(WRONG)
    p.stdin.close()
answers = [p.stderr.read() for p in procs]
for p in procs:
    p.wait(timeout=120)
guessed = sum(1 for a in answers if "Wrong user name or password" in a)
refused = sum(1 for a in answers if "is locked after 2 failed sign-ins" in a)
check(guessed == 2 and refused == 3,
      f"5 programs at once: 2 guesses, 3 refused before Argon2id (got {guessed} and {refused})")

# ---- tampering --------------------------------------------------------------
rows, warning = audit_rows(store, "tamper-detected")
check(not rows and "warning" not in warning, "an intact log: no warning, nothing audited")

r = sign_in(store, "bob", WRONG)
with open(log_path) as f:
    text = f.read()
with open(log_path, "w") as f:
    # The failure passed off as a refusal, which would not count.
    f.write(text.replace('"event":"failure"', '"event":"refused"', 1))
rows, warning = audit_rows(store, "tamper-detected")
check("twctl: warning: The sign-in log (tidewatch.lockout) was edited" in warning,
      f"an edited log is reported at the admin's next sign-in ({warning.strip()})")
check(len(rows) == 1, f"… and audited as tamper-detected (got {len(rows)})")
rows, warning = audit_rows(store, "tamper-detected")
check("warning" not in warning and len(rows) == 1, "… once")

os.unlink(log_path)
rows, warning = audit_rows(store, "tamper-detected")
check("was deleted, truncated or rewritten since the last sign-in" in warning,
      f"a deleted log is reported at the next sign-in ({warning.strip()})")
check(len(rows) == 2, f"… and audited (got {len(rows)})")

finish()
