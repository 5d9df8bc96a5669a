"""The demo feed's clinical records reach the encrypted store: twctl ingest
of the real tidewatch-feed files every patient's chart (demographics, the
admission to its bed, ICD-10 diagnoses, prescriptions, allergies), the CGM
patient's 14-day sensor history, and NEWS2's o2/ACVPU observations; the
scenario files' charts arrive the same way. What the store gives back is
compared with what the feed dumps for the same options."""
import datetime
import json
import os
import signal
import socket
import subprocess

from twtest import FEED, Feed, Store, check, finish, wait_for

HERE = os.path.dirname(os.path.abspath(__file__))
SCENARIOS = os.path.join(HERE, "..", "..", "data", "scenarios")
PATIENTS = 8
TICKS = 5


def iso(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def dump(args, n):
    r = subprocess.run([FEED] + args + ["--dump", str(n)], capture_output=True, text=True,
                       timeout=60)
    if r.returncode != 0:
        raise RuntimeError(r.stderr)
    return [json.loads(line) for line in r.stdout.splitlines()]


def ingest(store, args, label):
    feed = Feed(*args).start()
    try:
        proc = store.ingest(feed.url)
        out, err = proc.communicate(timeout=120)
    finally:
        feed.kill()
    check(proc.returncode == 0, f"{label}: twctl ingest ran to the end of the stream "
          f"(rc {proc.returncode}, {err.strip()[-200:]})")


def chart(store, patient):
    r = store.twctl("patients", patient, "--json", user=store.clinician())
    if r.returncode != 0:
        raise RuntimeError(r.stderr)
    return json.loads(r.stdout)


MOVEMENTS = ("admission", "transfer", "discharge")


def facts(records):
    """(kind, ts, code, text, detail, status) of what a chart shows, as a set;
    movements by kind and time (ward and bed are checked on the summary)."""
    return {(r["kind"], r.get("ts")) if r["kind"] in MOVEMENTS else
            (r["kind"], r.get("ts"), r.get("code"), r.get("text"), r.get("detail"),
             r.get("status"))
            for r in records if r["kind"] != "demographics"}


def ward_feed():
    start = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0) \
        - datetime.timedelta(minutes=10)
    args = ["--patients", str(PATIENTS), "--rate", "1", "--seed", "3", "--start", iso(start),
            "--count", str(PATIENTS * TICKS)]
    msgs = dump(args, PATIENTS * TICKS)
    records = [m for m in msgs if m["type"] == "record"]
    backfill = [m for m in msgs if m["type"] == "samples"]
    vitals = [m for m in msgs if m["type"] == "vitals"]
    by_patient = {}
    for r in records:
        by_patient.setdefault(r["patient"], []).append(r)

    check(len(by_patient) == PATIENTS and all(
        [r["kind"] for r in rs][:2] == ["demographics", "admission"] for rs in by_patient.values()),
        "every patient comes with demographics and an admission")
    check(all(any(r["kind"] == "diagnosis" for r in rs) and
              any(r["kind"] == "prescription" for r in rs) for rs in by_patient.values()),
          "every patient has a diagnosis and a prescription")
    check(any(r["kind"] == "allergy" for r in records), "some patients have an allergy")
    check(len(backfill) == 14 * 288 and {m["entity"] for m in backfill} == {"P0008"},
          f"P0008's CGM brings 14 days every 5 minutes ({len(backfill)} readings)")
    glucose = [m["values"]["glucose"] for m in backfill]
    check(min(glucose) < 54 and 0.5 < sum(70 <= g <= 180 for g in glucose) / len(glucose) < 0.9,
          f"the history has a night-time low and most time in range (min {min(glucose)})")
    check(all("o2" in m and "acvpu" in m for m in vitals), "every vitals message carries o2 "
          "and ACVPU for NEWS2")

    store = Store()
    ingest(store, args, "ward")
    stats = store.stats()
    src = stats["sources"][0]
    check(src["quarantined"] == 0, f"nothing quarantined ({src['quarantined']})")
    series = {(s["entity"], s["metric"]): s for s in stats["series"]}
    live_glucose = [m for m in vitals if "glucose" in m]
    cgm = series.get(("P0008", "glucose"))
    check(cgm is not None and cgm["count"] == len(backfill) + len(live_glucose),
          f"P0008's glucose series holds the history and the live readings "
          f"({cgm and cgm['count']} of {len(backfill) + len(live_glucose)})")
    check(all(("P%04d" % (i + 1), m) in series for i in range(PATIENTS) for m in ("o2", "acvpu")),
          "o2 and ACVPU are stored for every patient")

    for patient, sent in sorted(by_patient.items()):
        got = chart(store, patient)
        demo = sent[0]
        admission = sent[1]
        check(got["birth_date"] == demo["birth_date"] and got["sex"] == demo["sex"],
              f"{patient}: birth date and sex as sent ({got['birth_date']}, {got['sex']})")
        check(got["ward"] == admission["ward"] and got["bed"] == admission["bed"],
              f"{patient}: admitted to {admission['ward']} / {admission['bed']} "
              f"(store: {got['ward']} / {got['bed']})")
        missing = facts(sent) - facts(got["records"])
        check(not missing, f"{patient}: every record of the chart is stored "
              f"({len(sent) - 1} sent, missing {sorted(missing, key=str)[:2]})")

    # A second run of the same feed stores nothing twice.
    before = {p: len(chart(store, p)["records"]) for p in by_patient}
    ingest(store, args, "ward again")
    after = {p: len(chart(store, p)["records"]) for p in by_patient}
    check(before == after, f"a resent chart replaces, never duplicates ({after == before})")


def scenario_charts():
    start = datetime.datetime.now(datetime.timezone.utc).replace(minute=0, second=0,
                                                                 microsecond=0) \
        - datetime.timedelta(days=1)
    args = ["--scenario", os.path.join(SCENARIOS, "deteriorating-patient.json"),
            "--start", iso(start), "--seed", "7", "--count", "8"]
    msgs = dump(args, 8)
    sent = [m for m in msgs if m["type"] == "record" and m["patient"] == "P0001"]
    store = Store()
    ingest(store, args, "deteriorating patient")
    got = chart(store, "P0001")
    check(got["name"] == "Ada Okafor" and got["birth_date"] == "1949-06-02"
          and got["ward"] == "WARD-7", f"the scenario's P0001 is Ada Okafor, born 1949, on "
          f"WARD-7 ({got['name']}, {got['birth_date']}, {got['ward']})")
    codes = {r["code"] for r in got["records"] if r["kind"] == "diagnosis"}
    check(codes == {"N39.0", "E11.9"}, f"her diagnoses are ICD-10 N39.0 and E11.9 ({codes})")
    missing = facts(sent) - facts(got["records"])
    check(not missing, f"her whole chart is stored (missing {sorted(missing, key=str)[:2]})")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def accepts(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True
    except OSError:
        return False


def hl7_admissions():
    """Over MLLP the feed admits each patient with an ADT^A01 that carries
    its birth date, sex, admit time, DG1 diagnoses, AL1 allergies and PR1
    treatments; twctl's HL7 codec files them like the JSON stream."""
    start = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0) \
        - datetime.timedelta(minutes=10)
    args = ["--patients", "8", "--rate", "1", "--seed", "5", "--start", iso(start),
            "--count", "8"]
    msgs = dump(args, 8)
    store = Store()
    port = free_port()
    ing = store.ingest(f"mllp-listen://127.0.0.1:{port}")
    try:
        check(wait_for(lambda: accepts(port), 15), "twctl listens for HL7 over MLLP")
        feed = subprocess.run([FEED, "--port", "0", "--mllp-send", f"127.0.0.1:{port}"] + args,
                              capture_output=True, text=True, timeout=60)
        check(feed.returncode == 0 and "acknowledged 8 messages AA (and 8 ADT^A01); 0 rejected AR, "
              "0 errors AE" in feed.stdout, f"the feed's 8 admissions and 8 results are acknowledged "
              f"({feed.stdout.strip()[-80:]})")
    finally:
        ing.send_signal(signal.SIGTERM)
        ing.communicate(timeout=30)
    stats = store.stats()
    check(stats["sources"][0]["quarantined"] == 0, "no HL7 message is quarantined")
    glucose = [s["count"] for s in stats["series"] if s["metric"] == "glucose"]
    check(glucose == [1], f"P0008's CGM reading comes as an OBX of its first ORU ({glucose})")
    for patient in ("P0001", "P0002", "P0003", "P0004", "P0008"):
        sent = [m for m in msgs if m["type"] == "record" and m["patient"] == patient]
        got = chart(store, patient)
        check(got["birth_date"] == sent[0]["birth_date"] and got["sex"] == sent[0]["sex"],
              f"{patient} over HL7: PID-7 and PID-8 as the chart says ({got['birth_date']})")
        check(got["ward"] == sent[1]["ward"] and got["admitted_at"] == sent[1]["ts"],
              f"{patient} over HL7: admitted to {sent[1]['ward']} at PV1-44 "
              f"({got['ward']}, {got['admitted_at']})")
        want = {(m["kind"], m.get("code"), m.get("text")) for m in sent
                if m["kind"] in ("diagnosis", "allergy", "treatment")}
        have = {(r["kind"], r.get("code"), r.get("text")) for r in got["records"]}
        check(want and not want - have, f"{patient} over HL7: DG1, AL1 and PR1 stored "
              f"(missing {sorted(want - have, key=str)[:2]})")


def hospital_of_100():
    """--patients 100 (the ward overview's benchmark) gives 100 distinct beds
    over several wards, each patient with a chart in which nobody is given a
    drug they are allergic to."""
    msgs = dump(["--patients", "100", "--seed", "9", "--start", "2026-11-20T08:00:00Z",
                 "--count", "100"], 100)
    patients = [m for m in msgs if m["type"] == "patient"]
    wards = {}
    for m in patients:
        wards[m["group"]] = wards.get(m["group"], 0) + 1
    check(len(patients) == 100 and len({m["bed"] for m in patients}) == 100 and len(wards) >= 4,
          f"100 patients in 100 beds over {len(wards)} wards ({wards})")
    charts = {}
    for m in msgs:
        if m["type"] == "record":
            charts.setdefault(m["patient"], []).append(m)
    check(len(charts) == 100, "every patient has a chart")
    # Five hospitals: a penicillin allergy on a pneumonia ward is likely.
    clashes = []
    for seed in range(1, 6):
        records = [m for m in dump(["--patients", "100", "--seed", str(seed), "--count", "1"], 1)
                   if m["type"] == "record"]
        allergic = {(m["patient"], m["code"]) for m in records
                    if m["kind"] == "allergy" and m.get("code")}
        clashes += [(seed, m["patient"], m["code"]) for m in records
                    if m["kind"] == "prescription"
                    and any(p == m["patient"] and m["code"].startswith(c) for p, c in allergic)]
    check(not clashes, f"no patient is prescribed what they are allergic to ({clashes[:3]})")
    cgm = {m["entity"] for m in msgs if m["type"] == "samples"}
    check(cgm == {"P%04d" % i for i in range(8, 101, 8)},
          f"every eighth patient wears a CGM ({len(cgm)})")


hospital_of_100()
ward_feed()
scenario_charts()
hl7_admissions()
finish()
