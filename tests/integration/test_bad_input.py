"""Bad input never crashes the pipeline and never costs stored data:
truncated JSON, binary garbage, invalid UTF-8, a 100 MB message, HL7
without MSH and a FHIR resource of the wrong type all go to quarantine
with a reason; the good messages around them are stored."""
import base64
import hashlib
import json
import os
import socket
import struct
import threading

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
# Over a live websocket too: a 100 MB frame is quarantined and the stream
# goes on (a tiny independent server, written here from RFC 6455).
def ws_frame(payload):
    n = len(payload)
    if n < 126:
        head = struct.pack("!BB", 0x81, n)
    elif n < 65536:
        head = struct.pack("!BBH", 0x81, 126, n)
    else:
        head = struct.pack("!BBQ", 0x81, 127, n)
    return head + payload


def serve_once(listener, frames):
    conn, _ = listener.accept()
    request = b""
    while b"\r\n\r\n" not in request:
        request += conn.recv(4096)
    key = [l.split(b":", 1)[1].strip() for l in request.split(b"\r\n")
           if l.lower().startswith(b"sec-websocket-key")][0]
    accept = base64.b64encode(hashlib.sha1(key + b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11")
                              .digest())
    conn.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                 b"Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept + b"\r\n\r\n")
    for f in frames:
        conn.sendall(ws_frame(f))
    conn.recv(1024)   # the client's close after the end message
    conn.close()


listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen(1)
port = listener.getsockname()[1]
big = b'{"v":1,"type":"vitals","seq":1,"patient":"W1","x":"' + b"b" * (100 * 1024 * 1024) + b'"}'
after = json.dumps({"v": 1, "type": "vitals", "seq": 2, "patient": "W1",
                    "ts": "2026-11-18T06:00:00Z", "hr": 77}).encode()
end = json.dumps({"v": 1, "type": "end", "seq": 2}).encode()
server = threading.Thread(target=serve_once, args=(listener, [big, after, end]), daemon=True)
server.start()
r = store.twctl("ingest", f"ws://127.0.0.1:{port}/", "--duration", "60")
server.join(timeout=30)
ws_src = [x for x in store.stats()["sources"] if x["name"].startswith("ws://")]
check(r.returncode == 0 and ws_src and ws_src[0]["stored"] == 1 and ws_src[0]["quarantined"] == 1,
      f"a 100 MB websocket message is quarantined and the next one stored ({ws_src}, "
      f"{r.stderr.strip()[-200:]})")

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
