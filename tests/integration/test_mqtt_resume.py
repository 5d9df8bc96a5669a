"""MQTT end to end on loopback, with a real mosquitto broker: feed → broker
→ twctl ingest → encrypted store. twctl is killed hard mid-stream and
restarted, so is the feed (resuming after what the broker acknowledged),
and the broker is restarted (with persistence) mid-stream: every
vitals message published is stored exactly once. A third-party client
(mosquitto_pub) is ingested too, and a wrong password is refused clearly."""
import json
import re
import signal
import subprocess
import time
import urllib.parse

from mosquitto import Broker
from twtest import FEED, Store, check, finish, stream_start

PATIENTS = 4
RATE = 100         # samples per second per patient
COUNT = 4000       # 10 s of stream
METRICS = 8        # hr rr spo2 sbp dbp temp, and NEWS2's o2 and acvpu
PUB_METRICS = 6    # the hand-written vitals below: hr rr spo2 sbp dbp temp
TOPIC = "tw%2F%23"     # tw/#, with # written as %23 in a URL
SUBSCRIBED = "Sending SUBACK to tidewatch-"




def kill(proc, sig=signal.SIGKILL):
    if proc is not None and proc.poll() is None:
        proc.send_signal(sig)
    if proc is not None:
        try:
            return proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            return proc.communicate()
    return "", ""


def start_ingest(store, broker, url):
    """twctl ingest, returned once its subscription stands at the broker."""
    mark = len(broker.log_text())
    proc = store.ingest(url)
    if not broker.wait_for_log(SUBSCRIBED, timeout=15, after=mark):
        kill(proc)
        raise RuntimeError(f"twctl did not subscribe: {broker.log_text()[-1000:]}")
    return proc


def acked_seqs(feed_output):
    return [int(n) for n in re.findall(r"published up to seq (\d+)", feed_output or "")]


def publish_case():
    """twctl, the feed and the broker each interrupted mid-stream; the
    broker's session and the feed's --mqtt-after bridge it."""
    start, start_us = stream_start()
    store = Store()
    feed = ingest = None
    with Broker() as broker:
        url = broker.url(TOPIC)
        feed_cmd = [FEED, "--port", "0", "--patients", str(PATIENTS), "--rate", str(RATE),
                    "--seed", "21", "--count", str(COUNT), "--start", start,
                    "--mqtt", f"mqtt://127.0.0.1:{broker.port}/tw"]
        try:
            ingest = start_ingest(store, broker, url)
            feed = subprocess.Popen(feed_cmd, stdout=subprocess.PIPE,
                                    stderr=subprocess.DEVNULL, text=True)

            time.sleep(3)
            kill(ingest)                      # no chance to commit or say goodbye
            mid = store.stats()["sources"][0]
            check(0 < mid["stored"] < COUNT * METRICS,
                  f"after a hard kill part of the stream is stored ({mid['stored']} samples)")
            time.sleep(1.5)                   # the broker queues for the absent client
            ingest = start_ingest(store, broker, url)

            time.sleep(1)
            feed_out, _ = kill(feed)          # what it had not had acknowledged is gone
            after = (acked_seqs(feed_out) or [0])[-1]
            check(0 < after < COUNT, f"the killed feed had been acknowledged up to seq {after}")
            feed = subprocess.Popen(feed_cmd + ["--mqtt-after", str(after)],
                                    stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)

            time.sleep(1.5)
            broker.stop(signal.SIGTERM)       # saves sessions and queued messages
            time.sleep(1)
            broker.start()                    # same port, same persistence file

            out, err = ingest.communicate(timeout=60)
            check(ingest.returncode == 0, f"twctl ingest ended by itself at the end message "
                  f"(rc {ingest.returncode}, {err.strip()[-300:]})")
            check(re.search(r" [1-9]\d* reconnects", out) is not None,
                  f"the source reconnected after the broker restart ({out.strip()})")
        finally:
            kill(ingest)
            # The feed prints what the broker acknowledged as PUBACKs come in;
            # give the last ones a moment on a busy machine before stopping it.
            time.sleep(1.5)
            feed_out, _ = kill(feed, signal.SIGTERM)

    acked = acked_seqs(feed_out)
    check(acked and acked[-1] == COUNT,
          f"the broker acknowledged all {COUNT} vitals to the feed (feed said {acked[-1:]})")
    stats = store.stats()
    src = stats["sources"][0]
    per_patient = COUNT // PATIENTS
    check(src["cursor"] == COUNT, f"cursor reached the last sequence {COUNT} "
          f"(got {src['cursor']})")
    check(src["stored"] == COUNT * METRICS,
          f"stored {COUNT * METRICS} samples, every published vitals message once "
          f"(got {src['stored']}; {src['duplicates']} redelivered duplicates)")
    check(len(stats["series"]) == PATIENTS * METRICS,
          f"{PATIENTS * METRICS} series (got {len(stats['series'])})")
    last_us = start_us + (per_patient - 1) * 1_000_000 // RATE
    bad = [s for s in stats["series"]
           if s["count"] != per_patient or s["first_us"] != start_us or s["last_us"] != last_us]
    check(not bad, f"every series holds {per_patient} samples from the first tick to the last "
          f"(bad: {bad[:2]})")


def vitals(seq, hr):
    return json.dumps({"v": 1, "type": "vitals", "seq": seq,
                       "ts": f"2026-11-23T07:10:{seq:02d}.000000Z", "patient": "P9",
                       "hr": hr, "rr": 16, "spo2": 97, "sbp": 121, "dbp": 78, "temp": 36.8})


def third_party_case():
    """mosquitto_pub, not our feed, publishes; QoS 1 repeats are harmless."""
    store = Store()
    ingest = None
    with Broker() as broker:
        try:
            ingest = start_ingest(store, broker, broker.url("?topic=tw/%23"))
            pub = ["mosquitto_pub", "-h", "127.0.0.1", "-p", str(broker.port), "-q", "1",
                   "-t", "tw/P9/vitals"]
            for seq in range(1, 6):
                subprocess.run(pub + ["-m", vitals(seq, 70 + seq)], check=True, timeout=10)
            # The same message three times over: stored once.
            subprocess.run(pub + ["--repeat", "3", "-m", vitals(5, 75)], check=True, timeout=10)
            end = json.dumps({"v": 1, "type": "end", "seq": 5})
            subprocess.run(pub[:-2] + ["-t", "tw/end", "-m", end], check=True, timeout=10)
            out, err = ingest.communicate(timeout=30)
            check(ingest.returncode == 0,
                  f"twctl stopped at the end message ({err.strip()[-300:]})")
        finally:
            kill(ingest)
    stats = store.stats()
    src = stats["sources"][0]
    hr = [s for s in stats["series"] if s.get("metric") == "hr"]
    check(src["stored"] == 5 * PUB_METRICS, f"mosquitto_pub's 5 messages stored as {5 * PUB_METRICS} "
          f"samples (got {src['stored']})")
    check(src["duplicates"] >= 2 * PUB_METRICS,
          f"the repeated message counted as duplicates ({src['duplicates']})")
    check(len(hr) == 1 and hr[0]["count"] == 5,
          f"one heart-rate series for P9 with 5 samples ({hr})")


def publish_vitals(port, count):
    pub = ["mosquitto_pub", "-h", "127.0.0.1", "-p", str(port), "-q", "1"]
    for seq in range(1, count + 1):
        subprocess.run(pub + ["-t", "tw/P9/vitals", "-m", vitals(seq, 70 + seq)], check=True,
                       timeout=10)
    end = json.dumps({"v": 1, "type": "end", "seq": count})
    subprocess.run(pub + ["-t", "tw/end", "-m", end], check=True, timeout=10)


def tls_case():
    """mqtts:// trusts the broker's CA given with ?cafile=; without it the
    user is told that the certificate is not trusted."""
    store = Store()
    ingest = None
    with Broker(tls=True) as broker:
        cafile = urllib.parse.quote(broker.cafile, safe="/")
        try:
            ingest = start_ingest(store, broker,
                                  broker.url(f"tw%2F%23?cafile={cafile}", tls=True))
            publish_vitals(broker.port, 3)
            out, err = ingest.communicate(timeout=30)
            check(ingest.returncode == 0, f"mqtts with cafile= ingested to the end ({out.strip()} "
                  f"{err.strip()[-300:]})")
        finally:
            kill(ingest)
        untrusted = store.twctl("source", "test", broker.url("tw%2F%23", tls=True), timeout=60)
        insecure = store.twctl("source", "test", broker.url("tw%2F%23?insecure=1", tls=True),
                               timeout=60)
    text = untrusted.stdout + untrusted.stderr
    check(store.stats()["sources"][0]["stored"] == 3 * PUB_METRICS,
          f"3 messages stored over TLS ({store.stats()['sources'][0]['stored']} samples)")
    check("certificate" in text and "cafile" in text,
          f"a broker certificate the system does not trust is reported ({text.strip()[-300:]})")
    check(insecure.returncode == 0 and "Reachable" in insecure.stdout,
          f"?insecure=1 accepts a self-signed test broker ({insecure.stdout.strip()[-300:]})")


def wrong_password_case():
    secret = "s3cret-but-wrong"
    store = Store()
    with Broker(users={"monitor": "right-password"}) as broker:
        ingest = store.ingest(broker.url(TOPIC, user="monitor", password=secret),
                              "--duration", "20")
        try:
            out, err = ingest.communicate(timeout=30)
        finally:
            kill(ingest)
    text = out + err
    check(ingest.returncode >= 0, f"twctl did not crash (rc {ingest.returncode})")
    check("refused the user name or password" in text,
          f"twctl says the broker refused the user name or password ({text.strip()[-400:]})")
    check(secret not in text, "the password is not printed")
    check("Stopped" in out, f"the source stopped instead of retrying forever ({out.strip()})")


def address_case():
    """Mistakes in an address are refused before anything connects, with
    what to write instead, and without echoing the password."""
    store = Store()
    secret = "pa55-in-url"
    cases = [
        ("mqtt://127.0.0.1:1883/tw/#", "%23"),
        ("mqtt://127.0.0.1:1883/", "no topic filter"),
        ("mqtt://127.0.0.1:1883/tw/%23?qos=2", "qos=2"),
        ("mqtt://127.0.0.1:1883/tw/a#b?topic=x", "%23"),
        (f"mqtt://ana:{secret}@127.0.0.1:1883/tw/%23?colour=red", "Unknown parameter ‘colour’"),
        ("mqtt://127.0.0.1:1883/tw/%23?cafile=/etc/hosts", "mqtts://"),
    ]
    for url, expected in cases:
        r = store.twctl("ingest", url, "--duration", "1")
        check(r.returncode != 0 and expected in r.stderr and secret not in r.stderr,
              f"{url.replace(secret, '***')} is refused saying {expected!r} "
              f"({r.stderr.strip()[-200:]})")


address_case()
publish_case()
third_party_case()
tls_case()
wrong_password_case()
finish()
