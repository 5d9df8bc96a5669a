"""End to end on loopback: feed → twctl ingest → encrypted store, with the
feed killed and restarted mid-stream, and with twctl itself killed and
restarted: every message is stored exactly once."""
import signal
import time

from twtest import Feed, Store, check, finish, check_exact_stream, stream_start

PATIENTS = 4
RATE = 20          # samples per second per patient
COUNT = 800        # 10 s of stream
METRICS = 8        # hr rr spo2 sbp dbp temp, and NEWS2's o2 and acvpu






def feed_restart_case():
    store = Store()
    start, start_us = stream_start()
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
    check_exact_stream(store, "feed killed and restarted", COUNT, PATIENTS, RATE, start_us)


def twctl_restart_case():
    store = Store()
    start, start_us = stream_start()
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
    check_exact_stream(store, "twctl killed and restarted", COUNT, PATIENTS, RATE, start_us)


feed_restart_case()
twctl_restart_case()
finish()
