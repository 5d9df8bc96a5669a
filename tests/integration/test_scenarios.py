"""The demo scenarios of data/scenarios: each one has the shape it promises
(read from the feed's --dump of the exact messages it serves), and twctl
ingest of the same feed stores exactly those values, series by series."""
import datetime
import json
import os
import subprocess
import sys
import tempfile

from twtest import FEED, Feed, Store, check, finish

HERE = os.path.dirname(os.path.abspath(__file__))
SCENARIOS = os.path.join(HERE, "..", "..", "data", "scenarios")
ALL_OF_IT = 10 ** 9
VITALS = ("hr", "rr", "spo2", "sbp", "dbp", "temp", "map", "glucose", "o2", "acvpu")
US = 1_000_000


def iso(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_us(text):
    dt = datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ")
    return int(dt.replace(tzinfo=datetime.timezone.utc).timestamp()) * US + dt.microsecond


def days_ago_at(days, hour):
    today = datetime.datetime.now(datetime.timezone.utc).replace(minute=0, second=0,
                                                                 microsecond=0)
    return today.replace(hour=hour) - datetime.timedelta(days=days)


def scenario_args(name, start, count=None):
    args = ["--scenario", os.path.join(SCENARIOS, name + ".json"), "--start", iso(start),
            "--seed", "7"]
    return args + (["--count", str(count)] if count else [])


def dump(args):
    r = subprocess.run([FEED] + args + ["--dump", str(ALL_OF_IT)], capture_output=True,
                       text=True, timeout=60)
    if r.returncode != 0:
        raise RuntimeError(r.stderr)
    return [json.loads(line) for line in r.stdout.splitlines()]


def samples_of(message):
    """(entity, metric, value) that the native JSON codec stores for a message."""
    t = message["type"]
    if t == "vitals":
        return [(message["patient"], m, message[m]) for m in VITALS if m in message]
    if t == "tick":
        out = [(message["symbol"], "price", message["price"])]
        return out + ([(message["symbol"], "volume", message["size"])] if "size" in message
                      else [])
    if t == "order":
        out = [(message["customer"], "order_amount", message["amount"]),
               (message["store"], "orders", 1)]
        return out + ([(message["customer"], "basket_size", message["items"])]
                      if "items" in message else [])
    return []


def expected_series(messages):
    series = {}
    for m in messages:
        if "ts" not in m:
            continue
        for entity, metric, _ in samples_of(m):
            series.setdefault((entity, metric), []).append(parse_us(m["ts"]))
    return series


def values(messages, entity, metric, start_us=None, end_us=None):
    out = []
    for m in messages:
        if "ts" not in m:
            continue
        ts = parse_us(m["ts"])
        if (start_us is not None and ts < start_us) or (end_us is not None and ts >= end_us):
            continue
        out += [(ts, v) for e, k, v in samples_of(m) if e == entity and k == metric]
    return out


def mean(pairs):
    return sum(v for _, v in pairs) / len(pairs)


def ingest_and_compare(label, args, messages, path="/"):
    """Serves the scenario, ingests it with twctl to the end of the stream
    and compares every stored series with the dump."""
    store = Store()
    feed = Feed(*args).start()
    try:
        ingest = store.ingest(f"http://127.0.0.1:{feed.port}{path}" if path != "/" else feed.url)
        out, err = ingest.communicate(timeout=90)
    finally:
        feed.kill()
    check(ingest.returncode == 0, f"{label}: twctl ingest ended at the end of the stream "
          f"(rc {ingest.returncode}, {err.strip()[-200:]})")
    stats = store.stats()
    src = stats["sources"][0]
    series = expected_series(messages)
    n_samples = sum(len(ts) for ts in series.values())
    last_seq = max(m.get("seq", 0) for m in messages)
    check(all(len(set(ts)) == len(ts) for ts in series.values()),
          f"{label}: no two messages of one series share a time (each is stored)")
    check(src["cursor"] == last_seq, f"{label}: cursor at the last sequence {last_seq} "
          f"(got {src['cursor']})")
    check(src["stored"] == n_samples and src["quarantined"] == 0,
          f"{label}: stored all {n_samples} values, none quarantined "
          f"(stored {src['stored']}, quarantined {src['quarantined']})")
    stored = {(s["entity"], s["metric"]): s for s in stats["series"]}
    bad = [k for k, ts in series.items()
           if k not in stored or stored[k]["count"] != len(ts)
           or stored[k]["first_us"] != min(ts) or stored[k]["last_us"] != max(ts)]
    check(not bad and len(stored) == len(series),
          f"{label}: {len(series)} series with the dumped count, first and last time "
          f"(wrong: {bad[:3]}, stored {len(stored)})")


def news2(m):
    """NEWS2 (DOMAIN.md, SpO2 scale 1) of a vitals message."""
    rr, spo2, sbp, hr, temp = m["rr"], m["spo2"], m["sbp"], m["hr"], m["temp"]
    score = 3 if rr <= 8 else 1 if rr <= 11 else 0 if rr <= 20 else 2 if rr <= 24 else 3
    score += 3 if spo2 <= 91 else 2 if spo2 <= 93 else 1 if spo2 <= 95 else 0
    score += 3 if sbp <= 90 else 2 if sbp <= 100 else 1 if sbp <= 110 else 0 if sbp <= 219 else 3
    score += 3 if hr <= 40 else 1 if hr <= 50 else 0 if hr <= 90 else 1 if hr <= 110 else \
        2 if hr <= 130 else 3
    score += 3 if temp <= 35.0 else 1 if temp <= 36.0 else 0 if temp <= 38.0 else \
        1 if temp <= 39.0 else 2
    return score + 2 * m["o2"] + (3 if m["acvpu"] > 0 else 0)


def records_of(messages, patient):
    return [m for m in messages if m["type"] == "record" and m["patient"] == patient]


def deteriorating_patient():
    start = days_ago_at(1, 6)
    args = scenario_args("deteriorating-patient", start)
    msgs = dump(args)
    s0 = int(start.timestamp()) * US
    minute = 60 * US
    first = values(msgs, "P0001", "spo2", s0, s0 + 10 * minute)
    last = values(msgs, "P0001", "spo2", s0 + 50 * minute, s0 + 61 * minute)
    stream = [m for m in msgs if m["type"] != "record"]
    check(len(stream) == 4 + 61 * 4 + 1, f"an hour of vitals every minute for four patients "
          f"({len(stream)} lines)")
    for p in ("P0001", "P0002", "P0003", "P0004"):
        kinds = [r["kind"] for r in records_of(msgs, p)]
        check(kinds[:2] == ["demographics", "admission"] and "diagnosis" in kinds
              and "prescription" in kinds,
              f"{p} comes with demographics, an admission, diagnoses and prescriptions ({kinds})")
    check(all(r.get("code", "").count(".") <= 1 for r in records_of(msgs, "P0001")
              if r["kind"] == "diagnosis"), "diagnoses carry ICD-10 codes")
    check(mean(last) <= mean(first) - 5, f"P0001's SpO2 falls by 5 points or more "
          f"({mean(first):.1f} → {mean(last):.1f})")
    p1 = [m for m in msgs if m["type"] == "vitals" and m["patient"] == "P0001"]
    check(news2(p1[0]) <= 2 and news2(p1[-1]) >= 7,
          f"P0001's NEWS2 rises from about 1 into the high band ({news2(p1[0])} → "
          f"{news2(p1[-1])})")
    on_o2 = [m for m in p1 if m["o2"] == 1]
    confused = [m for m in p1 if m["acvpu"] == 1]
    check(p1[0]["o2"] == 0 and p1[0]["acvpu"] == 0 and len(on_o2) == 16 and len(confused) == 6,
          f"P0001 breathes air and is alert, goes on oxygen at 45 min and is newly confused at "
          f"55 ({len(on_o2)} on oxygen, {len(confused)} confused)")
    others = [m for m in msgs if m["type"] == "vitals" and m["patient"] != "P0001"]
    check(all(m["o2"] == 0 and m["acvpu"] == 0 for m in others),
          "the other patients stay on air and alert")
    check(p1[-1]["rr"] > p1[0]["rr"] and p1[-1]["hr"] > p1[0]["hr"]
          and p1[-1]["sbp"] < p1[0]["sbp"] and p1[-1]["temp"] > p1[0]["temp"],
          "RR, HR and temperature rise, systolic pressure falls")
    p2 = values(msgs, "P0002", "spo2")
    check(abs(p2[0][1] - p2[-1][1]) <= 2, "the other patients stay stable")
    ingest_and_compare("deteriorating patient over websocket", args, msgs)


def overnight_hypoglycaemia():
    start = days_ago_at(2, 22)
    args = scenario_args("overnight-hypoglycaemia", start)
    msgs = dump(args)
    s0 = int(start.timestamp()) * US
    hour = 3600 * US
    readings = values(msgs, "P0001", "glucose")
    check(len(readings) == 9 * 12 + 1 and readings[1][0] - readings[0][0] == 5 * 60 * US,
          f"a CGM reading every 5 minutes from 22:00 to 07:00 ({len(readings)})")
    night = values(msgs, "P0001", "glucose", s0 + 4 * hour, s0 + 6 * hour + hour // 2)
    check(min(v for _, v in night) < 54, f"glucose goes below 54 mg/dL between 02:00 and "
          f"04:30 (minimum {min(v for _, v in night)})")
    evening = values(msgs, "P0001", "glucose", s0, s0 + 3 * hour)
    check(min(v for _, v in evening) >= 70, "in range before 01:00")
    check(readings[-1][1] >= 100, f"recovered by the morning ({readings[-1][1]} mg/dL)")
    ingest_and_compare("overnight hypoglycaemia over /events", args, msgs, path="/events")


def market_crash():
    start = days_ago_at(1, 14)
    count = 3 * 40 * 60
    args = scenario_args("market-crash", start, count)
    msgs = dump(args)
    s0 = int(start.timestamp()) * US
    minute = 60 * US
    for symbol in ("ACME", "GLBX", "INIT"):
        before = mean(values(msgs, symbol, "price", s0, s0 + 4 * minute))
        after = min(v for _, v in values(msgs, symbol, "price", s0 + 34 * minute))
        vol_before = mean(values(msgs, symbol, "volume", s0, s0 + 4 * minute))
        vol_during = mean(values(msgs, symbol, "volume", s0 + 10 * minute, s0 + 30 * minute))
        drop = 1 - after / before
        check(0.15 <= drop <= 0.25, f"{symbol} drops 15–25 % in 30 minutes ({drop:.1%})")
        check(vol_during >= 2 * vol_before, f"{symbol} trades on higher volume during the crash "
              f"({vol_before:.0f} → {vol_during:.0f})")
    r = subprocess.run([FEED, "--port", "0", "--mllp-port", "0"] + args, capture_output=True,
                       text=True, timeout=10)
    check(r.returncode != 0 and "not HL7" in r.stderr,
          f"a market over MLLP is refused with the reason ({r.stderr.strip()[:120]})")
    ingest_and_compare("market crash over websocket", args, msgs)


def holiday_sales_surge():
    start = days_ago_at(2, 8)
    args = scenario_args("holiday-sales-surge", start)
    msgs = dump(args)
    s0 = int(start.timestamp()) * US
    hour = 3600 * US
    first = [m for m in msgs if m["type"] == "order" and parse_us(m["ts"]) < s0 + hour]
    last = [m for m in msgs if m["type"] == "order" and parse_us(m["ts"]) >= s0 + 11 * hour]
    check(len(last) >= 2.5 * len(first), f"orders in the last hour ≥ 2.5 × the first hour "
          f"({len(first)} → {len(last)})")
    check({m["store"] for m in msgs if m["type"] == "order"} == {"S01", "S02", "S03", "WEB"},
          "four stores take orders")
    ingest_and_compare("holiday sales surge over websocket", args, msgs)


def bad_scenario():
    r = subprocess.run([FEED, "--scenario", os.path.join(SCENARIOS, "no-such.json"),
                        "--dump", "1"], capture_output=True, text=True, timeout=10)
    check(r.returncode != 0 and "no-such.json" in r.stderr,
          f"a missing scenario file is named in the error ({r.stderr.strip()[:120]})")
    with open(os.path.join(SCENARIOS, "deteriorating-patient.json")) as f:
        good = json.load(f)
    mistakes = [
        ("birth_date", "1949-02-30", "entity P0001: birth date ‘1949-02-30’ is not a past day"),
        ("records", [{"kind": "surgery"}], "records[0] of entity P0001 needs a \"kind\""),
        ("records", [{"kind": "admission", "at_s": -60}],
         "records[0] of entity P0001: admission record without a ward or bed"),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        for member, value, reason in mistakes:
            broken = json.loads(json.dumps(good))
            broken["entities"][0][member] = value
            path = os.path.join(tmp, "broken.json")
            with open(path, "w") as f:
                json.dump(broken, f)
            r = subprocess.run([FEED, "--scenario", path, "--dump", "1"], capture_output=True,
                               text=True, timeout=10)
            check(r.returncode != 0 and reason in r.stderr,
                  f"a scenario chart with a bad {member} is refused: {r.stderr.strip()[:160]}")


deteriorating_patient()
overnight_hypoglycaemia()
market_crash()
holiday_sales_surge()
bad_scenario()
finish()
