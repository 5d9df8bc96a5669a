"""Backfill: `twctl ingest FILE` replays NDJSON, a FHIR Bundle and an HL7
batch file through the same pipeline. Replaying again stores nothing
twice; appending to a file and replaying stores only what is new."""
import json
import os

from twtest import Store, check, finish

store = Store()
work = store.tmp.name
BASE = 1795000020  # a whole minute, in the past


def vitals(seq, patient, t, **values):
    msg = {"v": 1, "type": "vitals", "seq": seq, "patient": patient,
           "ts": f"2026-11-18T{t}Z"}
    msg.update(values)
    return json.dumps(msg)


def stats_for(name):
    stats = store.stats()
    src = [s for s in stats["sources"] if s["name"].endswith(name)]
    return stats, (src[0] if src else None)


# NDJSON: patients, 20 vitals, one broken line.
nd = os.path.join(work, "night.ndjson")
lines = [json.dumps({"v": 1, "type": "patient", "id": "P1", "name": "Ada Example", "bed": "A1"})]
for i in range(20):
    lines.append(vitals(i + 1, "P1", f"02:00:{i:02d}", hr=60 + i, spo2=97))
lines.append('{"v":1,"type":"vitals","seq":21,"patient":"P1"')   # truncated
with open(nd, "w") as f:
    f.write("\n".join(lines) + "\n")

r = store.twctl("ingest", nd)
stats, src = stats_for("night.ndjson")
check(r.returncode == 0, f"twctl ingest FILE finishes by itself ({r.stderr.strip()})")
check(src is not None and src["name"].startswith("file:///"),
      f"the file is a source named by its absolute file:// URL ({src and src['name']})")
check(src and src["stored"] == 40 and src["quarantined"] == 1,
      f"40 samples stored, the truncated line quarantined ({src})")

r = store.twctl("ingest", nd)
_, again = stats_for("night.ndjson")
check(again["stored"] == 40 and again["duplicates"] == 0 and again["received"] == src["received"],
      f"replaying the same file resumes after its last line: nothing read twice ({again})")

with open(nd, "a") as f:
    f.write(vitals(22, "P1", "02:00:30", hr=99) + "\n")
store.twctl("ingest", nd)
_, more = stats_for("night.ndjson")
check(more["stored"] == 41, f"an appended line is all that a new replay stores ({more['stored']})")

# A relative path names the same source as the absolute one.
cwd = os.getcwd()
os.chdir(work)
try:
    store.twctl("ingest", "night.ndjson")
finally:
    os.chdir(cwd)
stats, _ = stats_for("night.ndjson")
check(len([s for s in stats["sources"] if s["name"].endswith("night.ndjson")]) == 1,
      "a relative path is the same source as the absolute path")

# A FHIR Bundle (one JSON document, pretty-printed).
bundle = {
    "resourceType": "Bundle", "type": "collection",
    "entry": [
        {"resource": {"resourceType": "Patient", "id": "F1",
                      "name": [{"family": "Okafor", "given": ["Ngozi"]}]}},
        {"resource": {"resourceType": "Observation", "status": "final",
                      "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4"}]},
                      "subject": {"reference": "Patient/F1"},
                      "effectiveDateTime": "2026-11-18T03:00:00+01:00",
                      "valueQuantity": {"value": 88, "unit": "/min",
                                        "system": "http://unitsofmeasure.org", "code": "/min"}}},
        {"resource": {"resourceType": "Observation", "status": "final",
                      "code": {"coding": [{"system": "http://loinc.org", "code": "8310-5"}]},
                      "subject": {"reference": "Patient/F1"},
                      "effectiveDateTime": "2026-11-18T03:00:00+01:00",
                      "valueQuantity": {"value": 100.4, "unit": "degF",
                                        "system": "http://unitsofmeasure.org", "code": "[degF]"}}},
    ]}
fb = os.path.join(work, "bundle.json")
with open(fb, "w") as f:
    json.dump(bundle, f, indent=2)
r = store.twctl("ingest", fb)
stats, src = stats_for("bundle.json")
temps = [s for s in stats["series"] if s["entity"] == "F1" and s["metric"] == "temp"]
check(r.returncode == 0 and src and src["stored"] == 2,
      f"a FHIR Bundle file stores its two observations ({src}, {r.stderr.strip()})")
check(temps and temps[0]["first"].startswith("2026-11-18T02:00:00"),
      f"its time zone is honoured (03:00+01:00 is 02:00 UTC): {temps}")

# An HL7 v2 batch file with two ORU^R01 messages.
hl7 = "\r".join([
    "FHS|^~\\&|MONITOR|ICU|TIDEWATCH|HOSP|20261118030000+0000",
    "BHS|^~\\&|MONITOR|ICU|TIDEWATCH|HOSP|20261118030000+0000",
    "MSH|^~\\&|MONITOR|ICU|TIDEWATCH|HOSP|20261118030000+0000||ORU^R01^ORU_R01|MSG001|P|2.6",
    "PID|||H1^^^HOSP^MR||Doe^Jane",
    "OBR|1|||182777000^monitoring of patient^SNOMED-CT|||20261118030000+0000",
    "OBX|1|NM|147842^MDC_ECG_HEART_RATE^MDC|1.1.1.1|72|264864^MDC_DIM_BEAT_PER_MIN^MDC|||||F|||20261118030000+0000",
    "MSH|^~\\&|MONITOR|ICU|TIDEWATCH|HOSP|20261118030100+0000||ORU^R01^ORU_R01|MSG002|P|2.6",
    "PID|||H1^^^HOSP^MR||Doe^Jane",
    "OBR|1|||182777000^monitoring of patient^SNOMED-CT|||20261118030100+0000",
    "OBX|1|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC|1.1.1.2|96|262688^MDC_DIM_PERCENT^MDC|||||F|||20261118030100+0000",
    "BTS|2",
    "FTS|1",
]) + "\r"
hb = os.path.join(work, "batch.hl7")
with open(hb, "w") as f:
    f.write(hl7)
r = store.twctl("ingest", hb)
stats, src = stats_for("batch.hl7")
check(r.returncode == 0 and src and src["stored"] == 2 and src["quarantined"] == 0,
      f"an HL7 batch file stores both messages' values ({src}, {r.stderr.strip()})")

r = store.twctl("ingest", os.path.join(work, "missing.ndjson"))
check(r.returncode != 0 and "no file" in r.stderr.lower(),
      f"a missing file is a clear error ({r.stderr.strip()})")
finish()
