"""`twctl replay FILE [--rules FILE] --json`: a recorded stream runs through
the rule engine offline, in event time, and every alert transition comes
out as one JSON object per line, then a summary. Exact crossings, order,
escalation and re-arm by the recording's clock, the same output every
time, samples beyond the allowed lateness counted, NDJSON and HL7 batch
files, and a demo scenario through the default packs."""
import datetime
import json
import os
import subprocess
import tempfile

from twtest import FEED, TWCTL, check, finish

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
RULES = os.path.join(ROOT, "tests", "data", "rules")
PACK = os.path.join(RULES, "replay-test.json")
SCENARIOS = os.path.join(ROOT, "data", "scenarios")
BASE = 1795000020  # a whole minute, in the past
US = 1_000_000
WORK = tempfile.TemporaryDirectory(prefix="tw-replay-")


def iso(offset_s):
    dt = datetime.datetime.fromtimestamp(BASE + offset_s, datetime.timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.000000Z")


def replay(path, *args):
    return subprocess.run([TWCTL, "--data-dir", os.path.join(WORK.name, "none"), "replay", path]
                          + list(args), capture_output=True, text=True, timeout=120)


def parse(stdout):
    objs = [json.loads(line) for line in stdout.splitlines()]
    return [o for o in objs if not o.get("summary")], [o for o in objs if o.get("summary")]


def write(name, lines):
    path = os.path.join(WORK.name, name)
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path


# ---- A hand-written stream with exact crossings ---------------------------
# P1's heart rate is exactly at the limit at 20 s (no alert: "above" is
# strict), above it from 30 s to 100 s; P2's SpO2 is below 90 at 60 and
# 70 s (a latching rule). One vitals message per patient every 10 s, 0–200 s.
lines = [json.dumps({"v": 1, "type": "patient", "id": "P1", "mrn": "M1", "name": "Ada", "bed": "A1"}),
         json.dumps({"v": 1, "type": "patient", "id": "P2", "mrn": "M2", "name": "Bo", "bed": "A2"})]
seq = 0
for t in range(0, 210, 10):
    hr = 121 if 30 <= t <= 100 else (120 if t == 20 else 80)
    spo2 = 89 if t in (60, 70) else 95
    seq += 1
    lines.append(json.dumps({"v": 1, "type": "vitals", "seq": seq, "ts": iso(t), "patient": "P1",
                             "hr": hr}))
    seq += 1
    lines.append(json.dumps({"v": 1, "type": "vitals", "seq": seq, "ts": iso(t), "patient": "P2",
                             "spo2": spo2}))
stream = write("crossings.ndjson", lines)

r = replay(stream, "--rules", PACK, "--json")
check(r.returncode == 0, f"replay of an NDJSON recording succeeds ({r.stderr.strip()})")
transitions, summary = parse(r.stdout)
got = [(o["rule"], o["entity"], o["priority"], o["from"], o["to"], o["event"], o["time_us"])
       for o in transitions]
expected = [
    # raised at the first sample above 120, not at the one exactly at it
    ("hr-high", "P1", "high", "none", "active", "raised", (BASE + 30) * US),
    ("spo2-low", "P2", "medium", "none", "active", "raised", (BASE + 60) * US),
    # latching: the condition ends at 80 s but the alert stays active
    ("spo2-low", "P2", "medium", "active", "active", "condition-ended", (BASE + 80) * US),
    # nobody acknowledged a high alert for 60 s of the recording's time
    ("hr-high", "P1", "high", "active", "active", "escalated", (BASE + 90) * US),
    # non-latching: cleared by the first sample back at or below the limit...
    ("hr-high", "P1", "high", "active", "cleared", "cleared", (BASE + 110) * US),
    # ...and closed when the 30 s re-arm time has passed in event time
    ("hr-high", "P1", "high", "cleared", "closed", "closed", (BASE + 140) * US),
]
check(got == expected, "the transitions are exactly the expected ones, in order:\n  "
      + "\n  ".join(map(str, got)))
check([o["time"] for o in transitions][:1] == [iso(30)],
      f"times are ISO 8601 UTC ({[o['time'] for o in transitions][:1]})")
check(all(o["message"] and o["entity"] in o["message"] for o in transitions),
      "every transition carries the rule's message naming the entity")
check(len({o["alert"] for o in transitions if o["rule"] == "hr-high"}) == 1
      and len({o["alert"] for o in transitions}) == 2, "one alert id per rule and entity")
check(len(summary) == 1 and json.loads(r.stdout.splitlines()[-1]).get("summary") is True,
      "one summary, on the last line")
s = summary[0] if summary else {}
check(s.get("samples") == 42 and s.get("alerts_raised") == 2 and s.get("transitions") == 6
      and s.get("too_late") == 0 and s.get("open_at_end") == 1 and s.get("rejected") == 0,
      f"summary: 42 samples, 2 alerts raised, 6 transitions, the latched one open, none late ({s})")

again = replay(stream, "--rules", PACK, "--json")
check(again.returncode == 0 and again.stdout == r.stdout,
      "the same file replayed twice gives byte-identical output")

text = replay(stream, "--rules", PACK)
check(text.returncode == 0 and len(text.stdout.splitlines()) == 7
      and "escalated" in text.stdout and "2 alerts raised" in text.stdout,
      f"without --json: one line per transition and a summary sentence ({text.stdout[-200:]!r})")

# ---- Out of order: inside and beyond the allowed lateness (10 s) ---------
late = write("late.ndjson", lines + [
    # 5 s behind P1's newest heart rate: inside the lateness, used
    json.dumps({"v": 1, "type": "vitals", "seq": seq + 1, "ts": iso(195), "patient": "P1",
                "hr": 80}),
    # 100 s behind and above the limit: beyond the lateness, counted and
    # never merged, so it raises nothing
    json.dumps({"v": 1, "type": "vitals", "seq": seq + 2, "ts": iso(100), "patient": "P1",
                "hr": 150}),
])
r = replay(late, "--rules", PACK, "--json")
late_transitions, late_summary = parse(r.stdout)
ls = late_summary[0] if late_summary else {}
check(r.returncode == 0 and ls.get("too_late") == 1 and ls.get("samples") == 44,
      f"one sample beyond the lateness is counted as too late, the one inside is not ({ls})")
check([(o["rule"], o["event"], o["time_us"]) for o in late_transitions]
      == [(o["rule"], o["event"], o["time_us"]) for o in transitions],
      "the too-late sample above the limit raised nothing")

# ---- Scopes by group: the recording's announcements say who is where ----
group_lines = [
    json.dumps({"v": 1, "type": "patient", "id": "P1", "mrn": "M1", "name": "Ada", "bed": "A1",
                "group": "ICU"}),
    json.dumps({"v": 1, "type": "patient", "id": "P2", "mrn": "M2", "name": "Bo", "bed": "B1",
                "group": "WARD-7"}),
]
for i, t in enumerate(range(0, 30, 10)):
    for j, p in enumerate(("P1", "P2")):
        group_lines.append(json.dumps({"v": 1, "type": "vitals", "seq": 2 * i + j + 1, "ts": iso(t),
                                       "patient": p, "hr": 80}))
grouped = write("groups.ndjson", group_lines)
icu_rule = os.path.join(WORK.name, "icu-rule.json")
with open(icu_rule, "w") as f:
    json.dump({"id": "hr-icu", "kind": "threshold", "metric": "hr", "direction": "above",
               "limit": 70, "scope": {"group": "ICU"}}, f)
r = replay(grouped, "--rules", icu_rule, "--json")
group_transitions, _ = parse(r.stdout)
check(r.returncode == 0 and [(o["entity"], o["event"], o["time_us"]) for o in group_transitions]
      == [("P1", "raised", BASE * US)],
      f"a rule scoped to the ICU raises for the ICU patient only ({group_transitions}, "
      f"{r.stderr.strip()})")

# ---- HL7 v2 batch file: the same codecs as `twctl ingest FILE` -----------


def hl7_message(n, offset_s, hr):
    ts = datetime.datetime.fromtimestamp(BASE + offset_s, datetime.timezone.utc)
    stamp = ts.strftime("%Y%m%d%H%M%S") + "+0000"
    return [
        f"MSH|^~\\&|MONITOR|ICU|TIDEWATCH|HOSP|{stamp}||ORU^R01^ORU_R01|MSG{n:03d}|P|2.6",
        "PID|||H1^^^HOSP^MR||Doe^Jane",
        f"OBR|1|||182777000^monitoring of patient^SNOMED-CT|||{stamp}",
        f"OBX|1|NM|147842^MDC_ECG_HEART_RATE^MDC|1.1.1.1|{hr}|264864^MDC_DIM_BEAT_PER_MIN^MDC"
        f"|||||F|||{stamp}",
    ]


segments = ["FHS|^~\\&|MONITOR|ICU|TIDEWATCH|HOSP|20261118030000+0000"]
for n, (offset, hr) in enumerate([(0, 72), (60, 125), (120, 80)], start=1):
    segments += hl7_message(n, offset, hr)
segments += ["FTS|1"]
hl7 = os.path.join(WORK.name, "batch.hl7")
with open(hl7, "w") as f:
    f.write("\r".join(segments) + "\r")
r = replay(hl7, "--rules", PACK, "--json")
hl7_transitions, hl7_summary = parse(r.stdout)
check(r.returncode == 0 and [(o["rule"], o["entity"], o["event"], o["time_us"])
                             for o in hl7_transitions][:1]
      == [("hr-high", "H1", "raised", (BASE + 60) * US)],
      f"an HL7 batch file: raised at the ORU^R01 whose heart rate is 125 "
      f"({hl7_transitions[:1]}, {r.stderr.strip()})")
check(hl7_summary and hl7_summary[0]["samples"] == 3 and hl7_summary[0]["messages"] == 3,
      f"all three HL7 messages decoded ({hl7_summary})")

# ---- A FHIR Bundle (one pretty-printed JSON document) ----------------------


def hr_observation(offset_s, value):
    ts = datetime.datetime.fromtimestamp(BASE + offset_s, datetime.timezone.utc)
    return {"resource": {"resourceType": "Observation", "status": "final",
                         "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4"}]},
                         "subject": {"reference": "Patient/F1"},
                         "effectiveDateTime": ts.strftime("%Y-%m-%dT%H:%M:%S+00:00"),
                         "valueQuantity": {"value": value, "unit": "/min",
                                           "system": "http://unitsofmeasure.org", "code": "/min"}}}


bundle = {"resourceType": "Bundle", "type": "collection",
          "entry": [{"resource": {"resourceType": "Patient", "id": "F1"}},
                    hr_observation(0, 88), hr_observation(60, 128)]}
fhir = os.path.join(WORK.name, "bundle.json")
with open(fhir, "w") as f:
    json.dump(bundle, f, indent=2)
r = replay(fhir, "--rules", PACK, "--json")
fhir_transitions, fhir_summary = parse(r.stdout)
check(r.returncode == 0 and [(o["entity"], o["event"], o["time_us"]) for o in fhir_transitions]
      == [("F1", "raised", (BASE + 60) * US)] and fhir_summary[0]["samples"] == 2,
      f"a FHIR Bundle: raised at the observation of 128/min ({fhir_transitions}, "
      f"{r.stderr.strip()})")

# ---- Implausible values: rejected as `twctl ingest` would quarantine them
implausible = write("implausible.ndjson", [
    json.dumps({"v": 1, "type": "vitals", "seq": 1, "ts": iso(0), "patient": "P9", "hr": 999}),
    json.dumps({"v": 1, "type": "vitals", "seq": 2, "ts": iso(1), "patient": "P9", "hr": 130}),
])
r = replay(implausible, "--rules", PACK, "--json")
imp_transitions, imp_summary = parse(r.stdout)
check(r.returncode == 0 and imp_summary and imp_summary[0]["rejected"] == 1
      and "999" in (imp_summary[0]["first_reject"] or "") and imp_summary[0]["samples"] == 1
      and [o["time_us"] for o in imp_transitions] == [(BASE + 1) * US],
      f"an implausible value is rejected with its reason and raises nothing; the next one does "
      f"({imp_summary}, {imp_transitions})")
r = replay("ws://127.0.0.1:1/", "--rules", PACK)
check(r.returncode != 0 and "file" in r.stderr,
      f"replay refuses a live address: offline means a file ({r.stderr.strip()})")

# ---- Mistakes are clear errors --------------------------------------------
r = replay(os.path.join(WORK.name, "missing.ndjson"), "--rules", PACK, "--json")
check(r.returncode != 0 and "missing.ndjson" in r.stderr and r.stdout == "",
      f"a missing recording is an error naming it ({r.stderr.strip()})")
r = replay(stream, "--rules", os.path.join(RULES, "broken-limit.json"), "--json")
check(r.returncode != 0 and "rr-high" in r.stderr and "limit" in r.stderr,
      f"a broken rule file stops the replay, naming the rule and field ({r.stderr.strip()})")

# ---- A demo scenario through the default packs ----------------------------
# deteriorating-patient.json: over an hour P0001 deteriorates (RR up, SpO2
# down, SBP down, HR up, fever); P0002–P0004 stay stable (docs/scenarios.md).
dump = subprocess.run([FEED, "--scenario", os.path.join(SCENARIOS, "deteriorating-patient.json"),
                       "--start", "2026-11-18T06:00:00Z", "--seed", "7", "--dump", "1000000"],
                      capture_output=True, text=True, timeout=60)
check(dump.returncode == 0, f"the feed dumps the scenario ({dump.stderr.strip()})")
recording = write("deteriorating.ndjson", dump.stdout.splitlines())
r = replay(recording, "--json")
scen, scen_summary = parse(r.stdout)
raised = [o for o in scen if o["event"] == "raised"]
check(r.returncode == 0 and scen_summary and scen_summary[0]["rejected"] == 0,
      f"the scenario replays through the default packs ({r.stderr.strip()[-300:]})")
check(raised and all(o["entity"] == "P0001" for o in raised),
      "only the deteriorating patient P0001 raises alerts: "
      + ", ".join(sorted({f"{o['rule']}/{o['entity']}/{o['priority']}" for o in raised})))
check(any(o["priority"] == "high" for o in raised),
      "by the end of the hour P0001 has a high-priority alert")
times = [o["time_us"] for o in scen]
check(times == sorted(times), "transitions come out in event-time order")
again = replay(recording, "--json")
check(again.stdout == r.stdout, "the scenario replayed twice gives identical output")
finish()
