"""End to end on loopback: feed → twctl ingest → encrypted store, with the
feed killed and restarted mid-stream, and with twctl itself killed and
restarted: every message is stored exactly once."""
import datetime
import signal
import time

from twtest import Feed, Store, check, finish

PATIENTS = 4
RATE = 20          # samples per second per patient
COUNT = 800        # 10 s of stream
METRICS = 6


def start_time():
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    return now.strftime("%Y-%m-%dT%H:%M:%SZ"), int(now.timestamp()) * 1_000_000


def check_complete(store, label, start_us):
    stats = store.stats()
    src = stats["sources"][0]
    per_patient = COUNT // PATIENTS
    check(src["cursor"] == COUNT, f"{label}: cursor reached the last sequence {COUNT} "
          f"(got {src['cursor']})")
    check(src["stored"] == COUNT * METRICS,
          f"{label}: stored {COUNT * METRICS} samples (got {src['stored']})")
    check(src["duplicates"] == 0, f"{label}: resumed exactly, no duplicate delivered "
          f"(got {src['duplicates']})")
    check(len(stats["series"]) == PATIENTS * METRICS,
          f"{label}: {PATIENTS * METRICS} series (got {len(stats['series'])})")
    last_us = start_us + (per_patient - 1) * 1_000_000 // RATE
    bad = [s for s in stats["series"]
           if s["count"] != per_patient or s["first_us"] != start_us or s["last_us"] != last_us]
    check(not bad, f"{label}: every series holds {per_patient} samples from the first tick to "
          f"the last (bad: {bad[:2]})")


def feed_restart_case():
    store = Store()
    start, start_us = start_time()
    opts = ["--patients", str(PATIENTS), "--rate", str(RATE), "--seed", "11",
            "--count", str(COUNT), "--start", start]
    feed = Feed(*opts).start()
    ingest = store.ingest(feed.url)
    time.sleep(3)
    feed.kill(signal.SIGKILL)
    time.sleep(1.5)            # the stream moves on while the feed is down
    feed = Feed(*opts, port=feed.port).start()
    try:
        out, err = ingest.communicate(timeout=60)
    finally:
        feed.kill(signal.SIGTERM)
    check(ingest.returncode == 0, f"twctl ingest ended by itself at the end of the stream "
          f"(rc {ingest.returncode}, {err.strip()[-200:]})")
    check("reconnects" in out and " 0 reconnects" not in out,
          f"the source reconnected after the feed was killed ({out.strip()})")
    check_complete(store, "feed killed and restarted", start_us)


def twctl_restart_case():
    store = Store()
    start, start_us = start_time()
    opts = ["--patients", str(PATIENTS), "--rate", str(RATE), "--seed", "12",
            "--count", str(COUNT), "--start", start]
    feed = Feed(*opts).start()
    try:
        ingest = store.ingest(feed.url)
        time.sleep(3)
        ingest.send_signal(signal.SIGKILL)   # no chance to commit what is queued
        ingest.communicate(timeout=10)
        mid = store.stats()["sources"][0]
        check(0 < mid["cursor"] < COUNT,
              f"after a hard kill the cursor is mid-stream ({mid['cursor']})")
        check(mid["stored"] == mid["cursor"] * METRICS,
              f"the cursor covers exactly what is stored ({mid['stored']} samples, "
              f"cursor {mid['cursor']})")
        ingest = store.ingest(feed.url)
        out, err = ingest.communicate(timeout=60)
        check(ingest.returncode == 0, f"restarted twctl finished ({err.strip()[-200:]})")
    finally:
        feed.kill(signal.SIGTERM)
    check_complete(store, "twctl killed and restarted", start_us)


feed_restart_case()
twctl_restart_case()
finish()
