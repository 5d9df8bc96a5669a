"""HL7 v2 over MLLP end to end on loopback: twctl as a listener and as a
client of an interface engine (the feed), each side killed mid-stream and
restarted; a message built with an independent HL7 library (Debian's
python3-hl7); bad frames; several senders at once. Every ACK must come
after the data is committed, so what was acknowledged is in the store."""
import datetime
import os
import re
import signal
import socket
import subprocess
import threading
import time

import hl7
import hl7.client

from twtest import FEED, Store, check, finish, wait_for, check_exact_stream, stream_start

PATIENTS = 4
RATE = 20          # samples per second per patient
COUNT = 480        # 6 s of stream
METRICS = 6        # hr rr spo2 sbp dbp temp
SB, EB, CR = b"\x0b", b"\x1c", b"\r"

_processes = []


def spawn(cmd):
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _processes.append(proc)
    return proc


def ingest(store, url):
    proc = store.ingest(url)
    _processes.append(proc)
    return proc


def stop(proc, sig=signal.SIGTERM, timeout=15):
    """Returns (returncode, stdout, stderr); kills whatever does not stop."""
    if proc.poll() is None:
        proc.send_signal(sig)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
    return proc.returncode, out or "", err or ""


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




def hl7_now(offset_s=0):
    t = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=offset_s)
    return t.strftime("%Y%m%d%H%M%S+0000")


def read_frames(sock, n, timeout=10):
    """The first @n MLLP frames the peer sends, framing removed."""
    sock.settimeout(timeout)
    buf = b""
    frames = []
    while len(frames) < n:
        end = buf.find(EB + CR)
        if end >= 0:
            start = buf.find(SB)
            frames.append(buf[start + 1:end].decode())
            buf = buf[end + 2:]
            continue
        data = sock.recv(65536)
        if not data:
            break
        buf += data
    return frames


def msa(ack_text):
    """MSA-1 and MSA-2 of an ACK, read with python3-hl7."""
    ack = hl7.parse(ack_text)
    seg = ack.segment("MSA")
    return str(seg[1]), str(seg[2]), ack




def feed_options(seed, start):
    return ["--port", "0", "--patients", str(PATIENTS), "--rate", str(RATE), "--seed", str(seed),
            "--count", str(COUNT), "--start", start]


def resumed_after(feed_stderr):
    return [int(n) for n in re.findall(r"MLLP to \S+, resuming after seq (\d+)", feed_stderr)]


def acknowledged(feed_stdout):
    m = re.search(r"mllp: acknowledged (\d+) messages AA", feed_stdout)
    return int(m.group(1)) if m else None


def listener_restart_case():
    """twctl listens; the feed sends; twctl is killed hard mid-stream and
    restarted; the feed resends what was not acknowledged."""
    store = Store()
    start, start_us = stream_start()
    port = free_port()
    url = f"mllp-listen://127.0.0.1:{port}"
    ing = ingest(store, url)
    check(wait_for(lambda: accepts(port), 15), f"twctl listens on {url}")
    feed = spawn([FEED] + feed_options(21, start) + ["--mllp-send", f"127.0.0.1:{port}"])

    time.sleep(2.5)
    # Frozen first: the feed fills its window with messages that are read by
    # nobody and never acknowledged, so the restart must bring them back.
    ing.send_signal(signal.SIGSTOP)
    time.sleep(1)
    stop(ing, signal.SIGKILL)
    mid = store.stats()["sources"][0]
    check(0 < mid["stored"] < COUNT * METRICS,
          f"after a hard kill of twctl the store holds part of the stream ({mid['stored']})")
    time.sleep(1)
    ing = ingest(store, url)
    try:
        out, err = feed.communicate(timeout=40)
    except subprocess.TimeoutExpired:
        out, err = stop(feed, signal.SIGKILL)[1:]
    check(feed.returncode == 0, f"the feed exited by itself once everything was acknowledged "
          f"(rc {feed.returncode})")
    check(acknowledged(out) == COUNT,
          f"the feed counted every message acknowledged AA exactly once ({acknowledged(out)})")
    resumes = resumed_after(err)
    check(len(resumes) >= 2 and resumes[-1] > 0,
          f"the feed reconnected and resumed after the last acknowledged message ({resumes})")
    rc, out, err = stop(ing)
    check(rc == 0, f"twctl stopped cleanly ({err.strip()[-200:]})")
    check_exact_stream(store, "twctl killed and restarted", COUNT, PATIENTS, RATE, start_us, metrics=METRICS, cursor=False, no_duplicates=False)


def read_state(path):
    try:
        with open(path) as f:
            m = re.search(r"^client-127\.0\.0\.1=(\d+)$", f.read(), re.M)
            return int(m.group(1)) if m else 0
    except OSError:
        return 0


def start_engine_feed(options):
    feed = spawn([FEED] + options)
    for _ in range(5):
        line = feed.stdout.readline()
        if line.startswith("serving HL7 on mllp://"):
            return feed
    raise RuntimeError("the feed did not serve MLLP")


def client_feed_restart_case():
    """The feed is an interface engine; twctl connects to it; the feed is
    killed hard mid-stream and restarted from its state file."""
    store = Store()
    start, start_us = stream_start()
    port = free_port()
    state = os.path.join(store.tmp.name, "feed-mllp.state")
    options = feed_options(22, start) + ["--mllp-port", str(port), "--mllp-state", state]
    feed = start_engine_feed(options)
    ing = ingest(store, f"mllp://127.0.0.1:{port}")

    time.sleep(2.5)
    stop(feed, signal.SIGKILL)
    saved = read_state(state)
    check(0 < saved < COUNT, f"the killed feed had saved a mid-stream ACK position ({saved})")
    time.sleep(1.5)
    feed = start_engine_feed(options)
    done = wait_for(lambda: read_state(state) >= COUNT, 40)
    check(done, f"twctl acknowledged the whole stream to the restarted feed "
          f"(state {read_state(state)})")
    rc, out, err = stop(feed)
    check(rc == 0, f"the restarted feed stopped cleanly ({err.strip()[-200:]})")
    check(resumed_after(err)[:1] == [saved],
          f"the restarted feed resumed after the saved position ({resumed_after(err)})")
    check(acknowledged(out) == COUNT - saved,
          f"the restarted feed sent only what was not acknowledged: {COUNT - saved} "
          f"({acknowledged(out)})")
    rc, out, err = stop(ing)
    check(rc == 0, f"twctl stopped cleanly ({err.strip()[-200:]})")
    src = check_exact_stream(store, "feed killed and restarted", COUNT, PATIENTS, RATE, start_us, metrics=METRICS, cursor=False, no_duplicates=False)
    check(src["reconnects"] >= 1, f"the client reconnected to the engine ({src['reconnects']})")


def third_party_oru(control_id, patient, ts, hr, spo2):
    return "\r".join([
        f"MSH|^~\\&|THIRDPARTY|LAB|TIDEWATCH|ICU|{ts}||ORU^R01^ORU_R01|{control_id}|P|2.5",
        f"PID|1||{patient}^^^LAB^PI||Tester^Terry",
        "PV1|1|I|WARD-7",
        f"OBR|1|||182777000^monitoring of patient^SCT|||{ts}",
        f"OBX|1|NM|147842^MDC_ECG_HEART_RATE^MDC||{hr}|264864^MDC_DIM_BEAT_PER_MIN^MDC|||||F|||{ts}",
        f"OBX|2|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC||{spo2}|262688^MDC_DIM_PERCENT^MDC|||||F|||{ts}",
    ]) + "\r"


def series_count(store, entity):
    return {s["metric"]: s["count"] for s in store.stats()["series"] if s["entity"] == entity}


def third_party_case(store, port, ing):
    text = third_party_oru("TP-0001", "X0001", hl7_now(5), 88, 95)
    parsed = hl7.parse(text)
    check(str(parsed.segment("MSH")[10]) == "TP-0001" and len(parsed.segments("OBX")) == 2,
          "python3-hl7 reads the ORU^R01 built for the test")

    with hl7.client.MLLPClient("127.0.0.1", port) as client:
        client.socket.settimeout(10)
        reply = client.send_message(parsed)
    code, control_id, _ = msa(reply.decode().strip("\x0b\x1c\r"))
    check((code, control_id) == ("AA", "TP-0001"),
          f"the ACK says MSA|AA|TP-0001 ({code}|{control_id})")
    # Read while twctl still runs: the ACK came after the commit.
    check(series_count(store, "X0001") == {"hr": 1, "spo2": 1},
          f"the acknowledged values are in the store already ({series_count(store, 'X0001')})")

    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        no_msh = "PID|1||X0002^^^LAB^PI\rOBX|1|NM|147842^MDC_ECG_HEART_RATE^MDC||70|/min|||||F\r"
        sock.sendall(SB + no_msh.encode() + EB + CR)
        sock.sendall(SB + b"\x00\xff\xfe binary noise \x01" + EB + CR)
        replies = read_frames(sock, 2)
    check(len(replies) == 2, f"both bad frames were answered ({len(replies)})")
    for label, reply, needle in zip(("without MSH", "garbage"), replies,
                                    ("MSH", "UTF-8")):
        code, _, ack = msa(reply)
        reason = str(ack.segment("MSA")[3]) if len(ack.segment("MSA")) > 3 else ""
        check(code == "AR" and needle in reason,
              f"a message {label} is rejected AR with the reason ({code}: {reason})")
    stats = store.stats()["sources"][0]
    check(stats["quarantined"] == 2, f"both bad frames are in quarantine ({stats['quarantined']})")
    check(ing.poll() is None, "twctl still runs after bad input")


def concurrent_senders_case(store, port, ing):
    senders = 3
    per_sender = 20
    # A sender that leaves before its ACK is ready must not hurt anyone.
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(SB + third_party_oru("GONE-1", "G0001", hl7_now(30), 70, 97).encode()
                     + EB + CR)

    socks = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(senders)]
    barrier = threading.Barrier(senders)
    results = [None] * senders

    def send(k):
        ids = [f"C{k}-{i}" for i in range(per_sender)]
        frames = b"".join(SB + third_party_oru(ids[i], f"C{k:04d}", hl7_now(per_sender - i),
                                               60 + i, 90 + i % 10).encode() + EB + CR
                          for i in range(per_sender))
        barrier.wait()
        socks[k].sendall(frames)
        acks = [msa(a)[:2] for a in read_frames(socks[k], per_sender)]
        results[k] = acks == [("AA", i) for i in ids]

    threads = [threading.Thread(target=send, args=(k,)) for k in range(senders)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    for s in socks:
        s.close()
    check(results == [True] * senders,
          f"{senders} concurrent senders each got MSA|AA for every message, in order ({results})")
    counts = [series_count(store, f"C{k:04d}") for k in range(senders)]
    check(all(c == {"hr": per_sender, "spo2": per_sender} for c in counts),
          f"every sender's values are stored ({counts})")
    check(wait_for(lambda: series_count(store, "G0001") == {"hr": 1, "spo2": 1}, 5),
          "the message of the sender that left early is stored too (it can resend safely)")
    check(ing.poll() is None, "twctl still runs after a sender left before its ACK")


def listener_peers_case():
    store = Store()
    port = free_port()
    ing = ingest(store, f"mllp-listen://127.0.0.1:{port}")
    check(wait_for(lambda: accepts(port), 15), "twctl listens")
    third_party_case(store, port, ing)
    concurrent_senders_case(store, port, ing)
    rc, out, err = stop(ing)
    check(rc == 0, f"twctl stopped cleanly ({err.strip()[-200:]})")


try:
    listener_restart_case()
    client_feed_restart_case()
    listener_peers_case()
finally:
    for p in _processes:
        if p.poll() is None:
            p.kill()
            p.communicate()
finish()
