"""twctl audit: verify the chain against the key file's head, list with
filters, export CSV (and the export is itself on the trail)."""
import csv
import json
import os
import stat

from twtest import Store, check, finish

store = Store()
keyfile = os.path.join(store.dir, "tidewatch.keyslots")


def audit(*args, user=None):
    return store.twctl("audit", *args, user=user)


def listed(*args):
    r = audit("list", "--json", *args)
    if r.returncode != 0:
        raise RuntimeError(r.stderr)
    return json.loads(r.stdout)


# Changes the issue says are audited, made through twctl.
for name, url in (("ward-7", "mqtt://nurse:s3cret@127.0.0.1:1/ward7"),
                  ("lab", "ws://127.0.0.1:1/lab")):
    r = store.twctl("source", "add", name, url)
    check(r.returncode == 0, f"source {name} added ({r.stderr.strip()})")

r = audit("verify")
check(r.returncode == 0 and "intact" in r.stdout,
      f"verify on an untouched store: exit 0 and says intact ({r.returncode}: {r.stdout.strip()} "
      f"{r.stderr.strip()})")
r = audit("verify", "--json")
report = json.loads(r.stdout or "{}")
check(r.returncode == 0 and report.get("intact") is True and report.get("rows", 0) >= 2,
      f"verify --json reports the rows checked ({report})")

rows = listed()
sources = [x for x in rows if x["action"] == "source-change"]
check([x["subject"] for x in sources] == ["lab", "ward-7"],
      f"both source additions are listed, newest first ({[x['subject'] for x in sources]})")
check(all(x["actor"] == "ana" for x in sources), "the admin who added them is the actor")
check(not any("s3cret" in (x["detail"] or "") for x in rows),
      "the source's password is not written to the audit trail")
check([x["seq"] for x in rows] == sorted((x["seq"] for x in rows), reverse=True),
      "rows come newest first")

only = listed("--action", "source-change", "--search", "ward-7")
check([x["subject"] for x in only] == ["ward-7"], f"--action and --search combine ({only})")
check(len(listed("--limit", "1")) == 1, "--limit 1 gives one row")
check(listed("--user", "nobody") == [], "--user of someone who did nothing gives no rows")
check(listed("--since", "2999-01-01") == [], "--since in the future gives no rows")
check(listed("--until", "2000-01-01T00:00:00Z") == [], "--until in the past gives no rows")
check(len(listed("--since", sources[-1]["time"], "--action", "source-change")) == 2,
      "--since the first addition's own time includes it")
r = audit("list", "--since", "yesterday")
check(r.returncode == 2 and "2026-11-23" in r.stderr,
      f"a time that is not one is refused with the format to use ({r.stderr.strip()})")

r = audit("list", "--json", user=store.clinician())
check(r.returncode != 0 and "administrator" in r.stderr,
      f"a clinician may not read the audit trail ({r.stderr.strip()})")

# Export: RFC 4180 CSV, oldest first, readable by the owner only.
out = os.path.join(store.tmp.name, "audit.csv")
r = audit("export", out)
with open(out, newline="") as f:
    raw = f.read()
with open(out, newline="") as f:
    table = list(csv.reader(f))
check(r.returncode == 0 and f"{len(table) - 1} audit rows" in r.stdout,
      f"export says how many rows it wrote ({r.stdout.strip()} {r.stderr.strip()})")
check(table[0] == ["seq", "time", "actor", "action", "subject", "detail"], f"CSV header {table[0]}")
check(raw.count("\r\n") == len(table), "lines end in CRLF (RFC 4180)")
# Every sign-in is on the trail too: compare with what preceded the export.
after = listed()
exports = [x for x in after if x["action"] == "export"]
check(len(exports) == 1 and exports[0]["actor"] == "ana" and out in (exports[0]["detail"] or ""),
      f"the export itself is on the audit trail ({exports})")
before = [x for x in after if exports and x["seq"] < exports[0]["seq"]]
check([int(row[0]) for row in table[1:]] == sorted(x["seq"] for x in before),
      "the export holds every row before it, oldest first")
by_seq = {x["seq"]: x for x in before}
check(all(int(row[0]) in by_seq and row[2] == by_seq[int(row[0])]["actor"]
          and row[3] == by_seq[int(row[0])]["action"]
          and row[4] == (by_seq[int(row[0])]["subject"] or "") for row in table[1:]),
      "each CSV row says what the list says")
check(stat.S_IMODE(os.stat(out).st_mode) == 0o600, "the export is readable by its owner only")

# Quarantine export and reprocess are audited too.
qout = os.path.join(store.tmp.name, "quarantine.ndjson")
r = store.twctl("quarantine", "export", qout)
check(r.returncode == 0, f"quarantine export ({r.stderr.strip()})")
r = store.twctl("quarantine", "reprocess")
check(r.returncode == 0, f"quarantine reprocess ({r.stderr.strip()})")
q = listed("--search", "quarantine")
check(sorted(x["action"] for x in q) == ["export", "quarantine-reprocess"]
      and all(x["subject"] == "quarantine" and x["actor"] == "ana" for x in q),
      f"quarantine export and reprocess are listed ({[(x['action'], x['detail']) for x in q]})")

r = audit("verify")
check(r.returncode == 0, f"still intact after all that ({r.stdout.strip()})")

# Tampering with the key file's head.
with open(keyfile) as f:
    sidecar = json.load(f)
head = sidecar["audit_head"]
mac = head["mac"]
sidecar["audit_head"]["mac"] = ("0" if mac[0] != "0" else "1") + mac[1:]
with open(keyfile, "w") as f:
    json.dump(sidecar, f)
r = audit("verify")
check(r.returncode == 1 and "audit head" in r.stdout and f"row {head['seq']}" in r.stdout,
      f"an edited head: exit 1 and the message names it ({r.returncode}: {r.stdout.strip()})")
check("backup" in r.stdout, "and says what to do")
r = store.twctl("source", "add", "after-edit", "ws://127.0.0.1:1/x")
r = audit("verify")
check(r.returncode == 1, "a later change (and signing in again) does not paper over the edited "
      f"head ({r.stdout.strip()})")

sidecar["audit_head"]["mac"] = mac
with open(keyfile, "w") as f:
    json.dump(sidecar, f)
r = audit("verify")
check(r.returncode == 0, f"the original head restored: intact again ({r.stdout.strip()})")

with open(keyfile) as f:
    sidecar = json.load(f)
del sidecar["audit_head"]
with open(keyfile, "w") as f:
    json.dump(sidecar, f)
r = audit("verify")
check(r.returncode == 1 and "head was removed" in r.stdout,
      f"a removed head: exit 1 and the message says so ({r.stdout.strip()})")
r = store.twctl("source", "remove", "after-edit")
r = audit("verify", "--json")
check(json.loads(r.stdout or "{}").get("problem") == "head-missing",
      f"--json names the problem ({r.stdout.strip()})")
finish()
