"""twctl rules: `check` validates rule files offline (a broken rule is a
clear error naming the rule and the field; every shipped pack checks ok);
`list`, `import`, `enable`, `disable` and `export` manage the rules in the
store, record who changed them and are for administrators only; `preview`
shows what a rule would have raised over stored samples."""
import datetime
import glob
import json
import os
import subprocess

from twtest import TWCTL, Store, check, finish

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
RULES = os.path.join(ROOT, "tests", "data", "rules")
PACKS = sorted(glob.glob(os.path.join(ROOT, "data", "rules", "*.json")))
BASE = 1795000020  # a whole minute, in the past
US = 1_000_000


def offline(*args):
    """twctl without a store: rules check needs none."""
    return subprocess.run([TWCTL, "--data-dir", "/nonexistent/tidewatch"] + list(args),
                          capture_output=True, text=True, timeout=60)


def rules_by_id(store, **kw):
    r = store.twctl("rules", "list", "--json", **kw)
    if r.returncode != 0:
        raise RuntimeError(r.stderr)
    return {row["id"]: row for row in json.loads(r.stdout)}


# ---- check, offline --------------------------------------------------------
broken = os.path.join(RULES, "broken-limit.json")
r = offline("rules", "check", broken)
lines = r.stdout.splitlines()
check(r.returncode != 0, f"a broken rule file exits non-zero (rc {r.returncode})")
check(any(l.startswith("ok") and "hr-high" in l and "threshold" in l for l in lines),
      f"the good rule of the file is reported ok with its kind ({lines})")
check(any("rr-high" in l and "‘limit’" in l and "number" in l for l in lines if l.startswith("error")),
      "the broken rule's error names the rule (rr-high) and the field (limit) and what is wrong")
check(any("temp-high" in l and "treshold" in l for l in lines if l.startswith("error")),
      "a misspelt kind is named too: one mistake does not hide the next")
check("2 errors" in r.stderr, f"the error count is on standard error ({r.stderr.strip()})")

r = offline("rules", "check", "--json", broken)
report = json.loads(r.stdout) if r.stdout else []
bad = [x for x in report[0]["rules"] if not x["ok"]] if report else []
check(r.returncode != 0 and report and report[0]["ok"] is False
      and [x["id"] for x in bad] == ["rr-high", "temp-high"]
      and "limit" in bad[0]["error"],
      f"--json: per rule ok or the error, the file not ok ({report})")

r = offline("rules", "check", os.path.join(RULES, "duplicate-id.json"))
check(r.returncode != 0 and "hr-high" in r.stdout and "id" in r.stdout,
      f"two rules with one id in a pack are an error naming the id ({r.stdout.strip()})")

r = offline("rules", "check", os.path.join(RULES, "no-such-file.json"))
check(r.returncode != 0 and "no-such-file.json" in r.stdout,
      f"a missing file is an error naming it ({r.stdout.strip()})")

check(len(PACKS) >= 4, f"the default packs are shipped ({[os.path.basename(p) for p in PACKS]})")
r = offline("rules", "check", "--json", *PACKS)
report = json.loads(r.stdout) if r.returncode == 0 else []
check(r.returncode == 0 and all(f["ok"] for f in report) and sum(len(f["rules"]) for f in report) > 0,
      f"every shipped pack checks ok without a store ({r.stdout[-300:]} {r.stderr.strip()})")
for f in report:
    check(f["rules"] and all(x["ok"] and x["kind"] for x in f["rules"]),
          f"{os.path.basename(f['file'])}: {len(f['rules'])} rules ok")

r = offline("rules", "check", os.path.join(RULES, "single-rule.json"))
check(r.returncode == 0 and "map-low" in r.stdout,
      f"a file with a single rule object checks too ({r.stdout.strip()})")

# ---- the store: seeded defaults, import, disable, enable, export ---------
store = Store()
rules = rules_by_id(store)
check("news2-high" in rules and rules["news2-high"]["pack"] == "vital-signs"
      and rules["news2-high"]["updated_by"] is None and rules["news2-high"]["enabled"],
      "a new store holds the default packs, enabled, changed by nobody")
n_defaults = len(rules)

r = store.twctl("rules", "import", broken)
check(r.returncode != 0 and "rr-high" in r.stderr, f"importing a broken file is refused "
      f"({r.stderr.strip()})")
check(len(rules_by_id(store)) == n_defaults, "and nothing of it is stored")

r = store.twctl("rules", "import", os.path.join(RULES, "replay-test.json"))
rules = rules_by_id(store)
check(r.returncode == 0 and rules["hr-high"]["pack"] == "replay-test"
      and rules["hr-high"]["priority"] == "high" and rules["hr-high"]["updated_by"] == "ana",
      f"import replaces a rule with the same id and records who ({rules.get('hr-high')})")
r = store.twctl("rules", "import", os.path.join(RULES, "single-rule.json"))
rules = rules_by_id(store)
check(r.returncode == 0 and "map-low" in rules and len(rules) == n_defaults + 1,
      f"a single rule file imports as one new rule ({r.stderr.strip()})")

r = store.twctl("rules", "disable", "hr-high")
rules = rules_by_id(store)
check(r.returncode == 0 and rules["hr-high"]["enabled"] is False
      and rules["hr-high"]["updated_by"] == "ana", "disable switches a rule off, recording who")
r = store.twctl("rules", "enable", "hr-high")
check(r.returncode == 0 and rules_by_id(store)["hr-high"]["enabled"] is True, "enable switches it on")
store.twctl("rules", "disable", "map-low")
r = store.twctl("rules", "disable", "no-such-rule")
check(r.returncode != 0 and "no-such-rule" in r.stderr,
      f"disabling an unknown rule is an error naming it ({r.stderr.strip()})")

text = store.twctl("rules", "list")
check(text.returncode == 0 and any(l.split()[:1] == ["map-low"] and " no " in l
                                   for l in text.stdout.splitlines()),
      "the table shows the rule switched off")

exported = os.path.join(store.tmp.name, "exported.json")
r = store.twctl("rules", "export", exported)
check(r.returncode == 0 and os.path.exists(exported), f"export writes a file ({r.stderr.strip()})")
r = offline("rules", "check", exported)
check(r.returncode == 0, f"the exported file checks ok ({r.stdout[-200:]})")
other = Store()
r = other.twctl("rules", "import", exported)
a, b = rules_by_id(store), rules_by_id(other)
check(r.returncode == 0 and sorted(a) == sorted(b)
      and all(a[k]["enabled"] == b[k]["enabled"] and a[k]["priority"] == b[k]["priority"]
              and a[k]["kind"] == b[k]["kind"] for k in a),
      "export → import into another store gives the same rules, enabled or not")
check(b["map-low"]["enabled"] is False, "a disabled rule stays disabled through export and import")

# Only administrators manage rules.
r = store.twctl("user", "add", "olu", "--role", "operator",
                extra=["--new-password-file", store.pwfile])
check(r.returncode == 0, f"an operator is added ({r.stderr.strip()})")
r = store.twctl("rules", "list", user="olu")
check(r.returncode != 0 and "administrator" in r.stderr,
      f"an operator may not list or change rules ({r.stderr.strip()})")
r = store.twctl("rules", "disable", "news2-high", user="olu")
check(r.returncode != 0 and rules_by_id(store)["news2-high"]["enabled"],
      "an operator cannot disable a rule")

# ---- preview over stored samples ------------------------------------------


def iso(offset_s):
    dt = datetime.datetime.fromtimestamp(BASE + offset_s, datetime.timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.000000Z")


lines = [json.dumps({"v": 1, "type": "patient", "id": "P1", "mrn": "M1", "name": "Ada", "bed": "A1"})]
for i, t in enumerate(range(0, 210, 10)):
    hr = 121 if 30 <= t <= 100 else 80
    lines.append(json.dumps({"v": 1, "type": "vitals", "seq": i + 1, "ts": iso(t), "patient": "P1",
                             "hr": hr}))
recording = os.path.join(store.tmp.name, "hr.ndjson")
with open(recording, "w") as f:
    f.write("\n".join(lines) + "\n")
r = store.twctl("ingest", recording)
check(r.returncode == 0, f"the recording is ingested ({r.stderr.strip()})")

r = store.twctl("rules", "preview", "hr-high", "--until", "latest", "--minutes", "10", "--json")
out = json.loads(r.stdout) if r.returncode == 0 else {}
alerts = out["rules"][0]["alerts"] if out else []
check(r.returncode == 0 and out["rules"][0]["rule"] == "hr-high" and len(alerts) == 1,
      f"preview of the stored rule finds one alert over the last 10 minutes of data "
      f"({r.stdout[-400:]} {r.stderr.strip()})")
if alerts:
    a = alerts[0]
    # The admin manages rules but does not see who patients are: the preview
    # names the patient by its pseudonym (tw-store-clinical.h).
    check(a["entity"].startswith("S-") and a["entity"] != "P1"
          and a["priority"] == "high" and a["raised"] == iso(30)
          and a["evidence_from"] == iso(30) and a["evidence_to"] == iso(100),
          f"raised at the first sample above 120, evidence from 30 s to 100 s ({a})")

r = store.twctl("rules", "preview", "hr-high", "--until", iso(20), "--minutes", "10", "--json")
out = json.loads(r.stdout) if r.returncode == 0 else {}
check(r.returncode == 0 and out["rules"][0]["alerts"] == [],
      f"a window that ends before the crossing finds nothing ({r.stdout[-200:]})")

single = os.path.join(store.tmp.name, "hr-110.json")
with open(single, "w") as f:
    json.dump({"id": "hr-over-100", "kind": "threshold", "metric": "hr", "direction": "above",
               "limit": 100, "enabled": False}, f)
r = store.twctl("rules", "preview", single, "--until", "latest", "--json")
out = json.loads(r.stdout) if r.returncode == 0 else {}
check(r.returncode == 0 and len(out["rules"][0]["alerts"]) == 1
      and "hr-over-100" not in rules_by_id(store),
      f"a rule file previews without being stored, even when not enabled ({r.stderr.strip()})")
finish()
