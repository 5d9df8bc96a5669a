"""Alerts end to end: a demo scenario streams from the feed into `twctl
ingest` (the pipeline runs the stored rules), then `twctl alerts list`
shows the deteriorating patient's alerts with priority and state, `alerts
show` their transitions, the history searches; only clinicians and
operators read alerts. The offline replay of the same stream leaves the
same alerts active."""
import datetime
import json
import os
import subprocess

from twtest import FEED, Feed, Store, check, finish

HERE = os.path.dirname(os.path.abspath(__file__))
SCENARIO = os.path.join(HERE, "..", "..", "data", "scenarios", "deteriorating-patient.json")
ALL_OF_IT = 10 ** 9

# The hour of the scenario ends now: the data is fresh when it is stored,
# as on a live ward (old data would be stale data).
start = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=1)) \
    .replace(second=0, microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
args = ["--scenario", SCENARIO, "--start", start, "--seed", "7"]

store = Store()
for name, role in (("olu", "operator"), ("cleo", "clinician"), ("ann", "analyst")):
    r = store.twctl("user", "add", name, "--role", role, extra=["--new-password-file", store.pwfile])
    check(r.returncode == 0, f"{role} {name} added ({r.stderr.strip()})")
store.assign_wards("cleo", "--all")  # clinicians see their wards' patients only

feed = Feed(*args).start()
try:
    ingest = store.ingest(feed.url)
    out, err = ingest.communicate(timeout=120)
finally:
    feed.kill()
check(ingest.returncode == 0, f"twctl ingest stores the scenario to its end ({err.strip()[-200:]})")


def alerts(*extra, user="olu"):
    r = store.twctl("alerts", "list", "--json", *extra, user=user)
    if r.returncode != 0:
        raise RuntimeError(r.stderr)
    return json.loads(r.stdout)


open_alerts = alerts()
active = [a for a in open_alerts if a["state"] in ("active", "acknowledged")]
summary = ", ".join(f"{a['id']}:{a['rule']}/{a['entity']}/{a['priority']}/{a['state']}"
                    for a in open_alerts)
check(active and all(a["entity"] == "P0001" for a in active),
      f"only the deteriorating patient P0001 has active alerts ({summary})")
high = [a for a in active if a["rule"] == "news2-high"]
check(len(high) == 1 and high[0]["priority"] == "high" and high[0]["state"] == "active"
      and high[0]["category"] == "physiological" and "NEWS2" in high[0]["message"],
      f"P0001 ends the hour with one active high-priority NEWS2 alert ({high})")
check(any(a["rule"] == "news2-medium" and a["priority"] == "medium" for a in active),
      "and the medium NEWS2 band is active too")
check(all(a["name"] and a["location"] for a in open_alerts),
      "an operator sees who the patient is (name and bed) with each alert")
check(all(a["raised"] and a["evidence_from"] and a["evidence_to"] for a in active),
      "each alert has its raise time and evidence window")

# The same recording through the offline replay leaves the same alerts
# active: the pipeline and `twctl replay` run one engine.
dump = subprocess.run([FEED] + args + ["--dump", str(ALL_OF_IT)], capture_output=True,
                      text=True, timeout=60)
recording = os.path.join(store.tmp.name, "recording.ndjson")
with open(recording, "w") as f:
    f.write(dump.stdout)
r = store.twctl("replay", recording, "--json", login=False)
last_state = {}
for line in r.stdout.splitlines():
    o = json.loads(line)
    if not o.get("summary"):
        last_state[o["alert"]] = (o["rule"], o["entity"], o["to"])
replayed = sorted((rule, ent) for rule, ent, to in last_state.values() if to == "active")
stored = sorted((a["rule"], a["entity"]) for a in active)
check(r.returncode == 0 and replayed == stored,
      f"twctl replay of the same stream ends with the same active alerts ({replayed} vs {stored})")

# One alert and its transitions.
if high:
    r = store.twctl("alerts", "show", str(high[0]["id"]), "--json", user="olu")
    shown = json.loads(r.stdout) if r.returncode == 0 else {}
    ts = shown.get("transitions", [])
    check(r.returncode == 0 and shown["id"] == high[0]["id"] and shown["rule"] == "news2-high",
          f"alerts show ID prints that alert ({r.stderr.strip()})")
    check(ts and ts[0]["from"] == "none" and ts[0]["to"] == "active" and ts[0]["who"] is None
          and ts[0]["at"], f"its first transition raised it, by the engine (who null) ({ts[:1]})")
r = store.twctl("alerts", "show", "999999", "--json", user="olu")
check(r.returncode != 0 and r.stdout == "", f"an unknown alert id is an error ({r.stderr.strip()})")

# History and search.
history = alerts("--all")
check(len(history) >= len(open_alerts)
      and {a["id"] for a in open_alerts} <= {a["id"] for a in history},
      f"--all: the history holds every open alert too ({len(history)} alerts)")
r = store.twctl("alerts", "history", "--json", user="olu")
check(r.returncode == 0 and sorted(a["id"] for a in json.loads(r.stdout))
      == sorted(a["id"] for a in history), "alerts history is list --all")
found = alerts("--search", "news2-high")
check(found and all(a["rule"] == "news2-high" for a in found),
      f"--search finds by rule id ({[a['rule'] for a in found]})")
by_entity = alerts("--search", "p0001")
check(by_entity and all(a["entity"] == "P0001" for a in by_entity)
      and {a["id"] for a in active} <= {a["id"] for a in by_entity},
      "--search by entity key, case-insensitive, finds that entity's alerts only")
check(alerts("--since", "1h") and not alerts("--since", "2099-01-01T00:00:00Z"),
      "--since takes an age or a time")
r = store.twctl("alerts", "list", "--since", "yesterday", user="olu")
check(r.returncode != 0 and "--since" in r.stderr, f"a bad --since is explained ({r.stderr.strip()})")

# Who may read alerts.
check(sorted(a["id"] for a in alerts(user="cleo")) == sorted(a["id"] for a in open_alerts),
      "a clinician sees the same open alerts")
for user, role in (("ana", "admin"), ("ann", "analyst")):
    r = store.twctl("alerts", "list", "--json", user=user)
    check(r.returncode != 0 and "may not read alerts" in r.stderr and r.stdout == "",
          f"an {role} may not read alerts ({r.stderr.strip()})")
finish()
