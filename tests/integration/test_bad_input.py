"""Bad input never crashes the pipeline and never costs stored data:
truncated JSON, binary garbage, invalid UTF-8, a 100 MB message, HL7
without MSH and a FHIR resource of the wrong type all go to quarantine
with a reason; the good messages around them are stored."""
import json
import os

from twtest import Store, check, finish

store = Store()
path = os.path.join(store.tmp.name, "bad.ndjson")
good = [json.dumps({"v": 1, "type": "vitals", "seq": i + 1, "patient": "P1",
                    "ts": f"2026-11-18T04:00:{i:02d}Z", "hr": 70 + i}) for i in range(5)]
bad = [
    b'{"v":1,"type":"vitals","seq":9,"patient":"P1","ts":"2026-11-18T04:01:00Z","hr":',
    b'{\x00\x01\x02\xff\xfe binary garbage',
    '{"v":1,"type":"vitals","patient":"P\u00e9","ts":"2026-11-18T04:01:00Z","hr":70}'
        .encode("latin-1"),                                   # invalid UTF-8
    b'{"v":1,"type":"vitals","patient":"P1","ts":"2026-11-18T04:01:00Z","hr":70,"x":"'
        + b"a" * (100 * 1024 * 1024) + b'"}',                   # 100 MB
    b'PID|||X1^^^H^MR||Nobody\rOBX|1|NM|147842^HR^MDC||70',    # HL7 without MSH
    b'{"resourceType":"Condition","id":"c1"}',                 # FHIR, wrong type
]
with open(path, "wb") as f:
    f.write(good[0].encode() + b"\n")
    for i, b in enumerate(bad):
        f.write(b + b"\n" + good[1 + i % 4].encode() + b"\n")

before = store.twctl("ingest", path)
stats = store.stats()
src = stats["sources"][0]
check(before.returncode == 0, f"twctl survives the bad input ({before.stderr.strip()[-300:]})")
check(src["stored"] == 5, f"all 5 good samples are stored ({src['stored']})")
check(src["quarantined"] == len(bad), f"each of the {len(bad)} bad messages is quarantined "
      f"({src['quarantined']})")

r = store.twctl("quarantine", "list", "--json")
if r.returncode == 0:
    reasons = [q["reason"] for q in json.loads(r.stdout)]
    for needle in ["not JSON", "UTF-8", "larger than", "MSH", "Condition"]:
        check(any(needle in x for x in reasons), f"a quarantine reason mentions {needle!r}")
else:
    check(False, f"twctl quarantine list works ({r.stderr.strip()})")
# A site widens a plausible range; reprocessing applies it to what the old
# range rejected, and nothing else changes.
edge = os.path.join(store.tmp.name, "edge.ndjson")
with open(edge, "w") as f:
    f.write(json.dumps({"v": 1, "type": "vitals", "seq": 1, "patient": "P2",
                        "ts": "2026-11-18T05:00:00Z", "rr": 85}) + "\n")
store.twctl("ingest", edge)
listed = json.loads(store.twctl("quarantine", "list", "--json").stdout or "[]")
rr = [q for q in listed if "rr = 85" in q["reason"]]
check(len(rr) == 1, f"a respiration rate of 85 is outside the shipped range ({[q['reason'] for q in listed][:3]})")
with open(os.path.join(store.dir, "limits.json"), "w") as f:
    json.dump({"version": 1, "plausible": {"rr": {"min": 2, "max": 90}}}, f)
r = store.twctl("quarantine", "reprocess", str(rr[0]["id"]) if rr else "0")
check(r.returncode == 0 and "1 stored" in r.stdout and "limits.json" in r.stdout,
      f"reprocessing with the site's limits stores it ({r.stdout.strip()} {r.stderr.strip()})")
series = [s for s in store.stats()["series"] if s["entity"] == "P2" and s["metric"] == "rr"]
check(series and series[0]["count"] == 1, f"the value is now stored ({series})")
left = json.loads(store.twctl("quarantine", "list", "--json").stdout or "[]")
check(len(left) == len(listed) - 1, "only that entry left the quarantine")

with open(os.path.join(store.dir, "limits.json"), "w") as f:
    f.write('{"version": 1, "plausible": {"rr": {"min": 90, "max": 2}}}')
r = store.twctl("ingest", edge)
check(r.returncode != 0 and "min must be below max" in r.stderr,
      f"a broken limits file stops ingest with a clear error ({r.stderr.strip()})")
finish()
