"""SSE end to end on loopback: feed → http://…/events → twctl ingest → the
encrypted store. The feed is killed and restarted mid-stream, then twctl is:
every message is stored exactly once (Last-Event-ID resume). A server that
goes silent is detected as stalled and replaced; a server that is no event
stream gets a clear error and twctl carries on."""
import datetime
import http.server
import json
import os
import re
import signal
import subprocess
import threading
import time

from twtest import TWCTL, Feed, Store, check, finish, check_exact_stream, stream_start

PATIENTS = 4
RATE = 20          # samples per second per patient
COUNT = 600        # 7.5 s of stream
METRICS = 8        # hr rr spo2 sbp dbp temp, and NEWS2's o2 and acvpu
RETRY_MS = 1500    # what the hand-written server asks for




def sse_url(feed):
    return f"http://127.0.0.1:{feed.port}/events"


def ingest(store, url, *args, env=None):
    cmd = [TWCTL, "--data-dir", store.dir, "--user", store.admin,
           "--password-file", store.pwfile, "ingest", url] + list(args)
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env)


def stop(proc):
    if proc is not None and proc.poll() is None:
        proc.kill()
        proc.communicate(timeout=10)


def reconnects(out):
    m = re.search(r"(\d+) reconnects", out)
    return int(m.group(1)) if m else -1


def summary(out):
    """twctl ingest's closing line (GLib prints debug messages to stdout)."""
    lines = [line for line in out.splitlines() if "reconnects" in line]
    return lines[-1] if lines else out.strip()[-300:]




def feed_restart_case():
    store = Store()
    start, start_us = stream_start()
    opts = ["--patients", str(PATIENTS), "--rate", str(RATE), "--seed", "21",
            "--count", str(COUNT), "--start", start]
    feed = Feed(*opts).start()
    proc = None
    try:
        proc = ingest(store, sse_url(feed))
        time.sleep(2.5)
        feed.kill(signal.SIGKILL)
        time.sleep(1.5)            # the stream moves on while the feed is down
        feed = Feed(*opts, port=feed.port).start()
        out, err = proc.communicate(timeout=60)
    finally:
        stop(proc)
        feed.kill(signal.SIGTERM)
    check(proc.returncode == 0, f"SSE: twctl ingest ended by itself at the end of the stream "
          f"(rc {proc.returncode}, {err.strip()[-200:]})")
    check(reconnects(out) > 0, f"SSE: the source reconnected after the feed was killed "
          f"({summary(out)})")
    check_exact_stream(store, "SSE, feed killed and restarted", COUNT, PATIENTS, RATE, start_us)


def twctl_restart_case():
    store = Store()
    start, start_us = stream_start()
    opts = ["--patients", str(PATIENTS), "--rate", str(RATE), "--seed", "22",
            "--count", str(COUNT), "--start", start]
    feed = Feed(*opts).start()
    proc = None
    try:
        proc = ingest(store, sse_url(feed))
        time.sleep(2.5)
        proc.send_signal(signal.SIGKILL)   # no chance to commit what is queued
        proc.communicate(timeout=10)
        mid = store.stats()["sources"][0]
        check(0 < mid["cursor"] < COUNT,
              f"SSE: after a hard kill the cursor is mid-stream ({mid['cursor']})")
        # The restarted twctl must ask to resume (Last-Event-ID) on its very
        # first request, from the committed cursor.
        proc = ingest(store, sse_url(feed))
        out, err = proc.communicate(timeout=60)
        check(proc.returncode == 0, f"SSE: restarted twctl finished ({err.strip()[-200:]})")
    finally:
        stop(proc)
        feed.kill(signal.SIGTERM)
    check_exact_stream(store, "SSE, twctl killed and restarted", COUNT, PATIENTS, RATE, start_us)


class TinyServer:
    """A hand-written HTTP peer: a stream that stalls after one event, a
    page that is not an event stream, a missing page."""

    def __init__(self):
        self.requests = []         # (path, Last-Event-ID, Accept)
        self.times = []            # monotonic time of each request
        self.sent_ids = []
        self.quit = threading.Event()
        base = int(time.time()) - 3600
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                last = self.headers.get("Last-Event-ID")
                outer.requests.append((self.path, last, self.headers.get("Accept")))
                outer.times.append(time.monotonic())
                if self.path.startswith("/stalls"):
                    self.stalling_stream(last, stall=True)
                elif self.path.startswith("/closes"):
                    self.stalling_stream(last, stall=False)
                elif self.path.startswith("/page"):
                    body = b"<html><body>Not a stream</body></html>"
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                else:
                    self.send_error(404)

            def stalling_stream(self, last, stall):
                seq = int(last) + 1 if last else 1
                ts = datetime.datetime.fromtimestamp(base + seq, datetime.timezone.utc)
                patient = {"v": 1, "type": "patient", "id": "S1", "bed": "T-1"}
                vitals = {"v": 1, "type": "vitals", "seq": seq, "patient": "S1", "hr": 60 + seq,
                          "ts": ts.strftime("%Y-%m-%dT%H:%M:%SZ")}
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                if not stall:
                    self.wfile.write(f"retry: {RETRY_MS}\n\n".encode())
                self.wfile.write(f"data: {json.dumps(patient)}\n\n".encode())
                self.wfile.write(f"id: {seq}\ndata: {json.dumps(vitals)}\n\n".encode())
                self.wfile.flush()
                outer.sent_ids.append(seq)
                if not stall:
                    return         # HTTP/1.0: the stream ends with the connection
                # Then nothing at all, not even a comment, with the
                # connection open: what a dead proxy looks like.
                outer.quit.wait(30)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def close(self):
        self.quit.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def stall_case():
    env = dict(os.environ, G_MESSAGES_DEBUG="all")
    proc = None

    # Control: with the default stall time (15 s) a quiet stream is trusted
    # for the whole short run.
    store, server = Store(), TinyServer()
    try:
        proc = ingest(store, server.url("/stalls"), "--duration", "2", env=env)
        out, err = proc.communicate(timeout=30)
    finally:
        stop(proc)
        server.close()
    check(reconnects(out) == 0 and len(server.requests) == 1,
          f"a quiet stream is trusted within the default stall time ({summary(out)}, "
          f"{len(server.requests)} requests)")

    store, server = Store(), TinyServer()
    try:
        proc = ingest(store, server.url("/stalls?stall=1"), "--duration", "3.3", env=env)
        out, err = proc.communicate(timeout=30)
    finally:
        stop(proc)
        server.close()
    check(proc.returncode == 0, f"twctl ingest ran to --duration (rc {proc.returncode})")
    check(reconnects(out) >= 2, f"with ?stall=1 the silent stream was dropped and reopened "
          f"({summary(out)})")
    check("no data for 1 s (stalled stream)" in out + err,
          "the reason says the stream stalled: 'no data for 1 s (stalled stream)'")
    ids = [r[1] for r in server.requests]
    check(len(ids) >= 3 and ids[:3] == [None, "1", "2"],
          f"each reconnect resumed with Last-Event-ID after the last event (sent: {ids})")
    check(all(r[0] == "/stalls" and r[2] == "text/event-stream" for r in server.requests),
          f"every request asked for text/event-stream, without our own ?stall= "
          f"({server.requests[:2]})")
    stats = store.stats()
    src = stats["sources"][0]
    last = server.sent_ids[-1]
    check(src["cursor"] == last and src["duplicates"] == 0,
          f"the cursor is the last event id {last}, nothing delivered twice "
          f"(cursor {src['cursor']}, duplicates {src['duplicates']})")
    hr = [s for s in stats["series"] if s["entity"] == "S1" and s["metric"] == "hr"]
    check(len(hr) == 1 and hr[0]["count"] == last, f"{last} heart rates stored (got {hr})")


def retry_case():
    """The server's retry: is the reconnect delay, not the default 0.25 s."""
    store, server = Store(), TinyServer()
    proc = None
    try:
        proc = ingest(store, server.url("/closes"), "--duration", "2.6")
        out, err = proc.communicate(timeout=30)
    finally:
        stop(proc)
        server.close()
    gaps = [b - a for a, b in zip(server.times, server.times[1:])]
    check(len(server.requests) == 2 and all(g >= RETRY_MS / 1000 for g in gaps),
          f"after a closed stream twctl waited the server's retry: {RETRY_MS} ms "
          f"(requests {len(server.requests)}, gaps {[round(g, 2) for g in gaps]})")
    check([r[1] for r in server.requests][:2] == [None, "1"],
          f"and resumed after the last event ({server.requests})")


def not_a_stream_case():
    store = Store()
    server = TinyServer()
    proc = None
    try:
        r = store.twctl("source", "test", server.url("/page"))
        check(r.returncode != 0 and "answered with text/html, not text/event-stream" in r.stdout,
              f"a web page is refused with a clear reason ({r.stdout.strip()})")
        r = store.twctl("source", "test", server.url("/missing"))
        check(r.returncode != 0 and "answered 404 Not Found; is this an event stream?" in r.stdout,
              f"a missing page is refused with a clear reason ({r.stdout.strip()})")
        proc = ingest(store, server.url("/page"), "--duration", "2")
        out, err = proc.communicate(timeout=30)
    finally:
        stop(proc)
        server.close()
    check(proc.returncode == 0, f"twctl ingest of a web page does not crash (rc "
          f"{proc.returncode}, {err.strip()[-200:]})")
    check(reconnects(out) > 0, f"it keeps retrying with backoff ({summary(out)})")
    check("CRITICAL" not in err and "WARNING" not in err, f"no warnings ({err.strip()[-200:]})")
    stats = store.stats()
    check(stats["sources"][0]["stored"] == 0 and stats["sources"][0]["quarantined"] == 0,
          "nothing was stored or quarantined from the web page")


feed_restart_case()
twctl_restart_case()
stall_case()
retry_case()
not_a_stream_case()
finish()
