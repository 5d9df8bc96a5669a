"""A real mosquitto broker on loopback for integration tests: started on a
free port, restartable on the same port with its persisted sessions, stopped
by PID."""
import os
import pwd
import signal
import socket
import subprocess
import tempfile
import time

MOSQUITTO = os.environ.get("TW_MOSQUITTO", "/usr/sbin/mosquitto")
START_TIMEOUT = 10


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_certificates(directory):
    """A throwaway CA and a server certificate for 127.0.0.1 and localhost.
    Returns (ca, certificate, key) paths."""
    ca_key, ca = os.path.join(directory, "ca.key"), os.path.join(directory, "ca.pem")
    key, csr = os.path.join(directory, "server.key"), os.path.join(directory, "server.csr")
    cert, ext = os.path.join(directory, "server.pem"), os.path.join(directory, "san.ext")
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    with open(ext, "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    for cmd in (["openssl", "req", "-x509", *ec, "-keyout", ca_key, "-out", ca, "-days", "2",
                 "-subj", "/CN=Tidewatch test CA"],
                ["openssl", "req", *ec, "-keyout", key, "-out", csr, "-subj", "/CN=localhost"],
                ["openssl", "x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key,
                 "-CAcreateserial", "-out", cert, "-days", "2", "-extfile", ext]):
        subprocess.run(cmd, check=True, capture_output=True)
    return ca, cert, key


class Broker:
    """mosquitto -c CONF. `users` ({name: password}) turns anonymous access
    off and writes a password file with mosquitto_passwd. `tls` adds a
    second listener on `tls_port` with a certificate signed by `cafile`."""

    def __init__(self, users=None, persistence=True, tls=False, extra_conf=()):
        self.tmp = tempfile.TemporaryDirectory(prefix="tw-mqtt-")
        self.port = free_port()
        self.tls_port = None
        self.cafile = None
        self.proc = None
        self.log = os.path.join(self.tmp.name, "mosquitto.log")
        self.conf = os.path.join(self.tmp.name, "mosquitto.conf")
        lines = [
            f"listener {self.port} 127.0.0.1",
            # Run as whoever runs the test: as root, mosquitto would switch
            # to a 'mosquitto' user that cannot write our temporary files.
            f"user {pwd.getpwuid(os.getuid()).pw_name}",
            f"log_dest file {self.log}",
            "log_type all",
            # docs/mqtt.md: the default (1000) drops messages for a client
            # that is away for long; keep every one.
            "max_queued_messages 1000000",
        ]
        if persistence:
            lines += ["persistence true", f"persistence_location {self.tmp.name}/"]
        if users:
            pwfile = os.path.join(self.tmp.name, "passwords")
            for i, (name, password) in enumerate(users.items()):
                flags = ["-b"] + (["-c"] if i == 0 else [])
                subprocess.run(["mosquitto_passwd", *flags, pwfile, name, password],
                               check=True, capture_output=True)
            lines += ["allow_anonymous false", f"password_file {pwfile}"]
        else:
            lines.append("allow_anonymous true")
        if tls:
            self.tls_port = free_port()
            self.cafile, cert, key = make_certificates(self.tmp.name)
            # Settings after a listener line belong to that listener.
            lines += [f"listener {self.tls_port} 127.0.0.1", f"certfile {cert}",
                      f"keyfile {key}"]
        lines += list(extra_conf)
        with open(self.conf, "w") as f:
            f.write("\n".join(lines) + "\n")

    def start(self):
        self.proc = subprocess.Popen([MOSQUITTO, "-c", self.conf],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"mosquitto exited with {self.proc.returncode}: "
                                   f"{self.log_text()[-500:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.05)
        self.stop(signal.SIGKILL)
        raise RuntimeError("mosquitto did not start listening")

    def stop(self, sig=signal.SIGTERM):
        """SIGTERM saves the persistence file (sessions and queued
        messages); SIGKILL loses what came since the last autosave."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def log_text(self):
        try:
            with open(self.log, errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def wait_for_log(self, text, timeout=10, after=0):
        """Waits until the broker's log holds `text` past offset `after`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.log_text()[after:]:
                return True
            time.sleep(0.05)
        return False

    def url(self, path, user=None, password=None, tls=False):
        auth = ""
        if user is not None:
            auth = user + (f":{password}" if password is not None else "") + "@"
        if tls:
            return f"mqtts://{auth}127.0.0.1:{self.tls_port}/{path}"
        return f"mqtt://{auth}127.0.0.1:{self.port}/{path}"

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop(signal.SIGKILL)
        self.tmp.cleanup()
