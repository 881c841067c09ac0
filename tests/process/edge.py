#!/usr/bin/env python3
"""The shipped edge: nginx with exactly deploy/nginx/kkr.conf in front of two `kkr serve` (issue #9).

    edge.py PATH/TO/kkr SCENARIO        (KKR_HOSTILE_CORPUS: the kkr_hostile_corpus program)

Each run creates a database on the test PostgreSQL (KKR_TEST_DATABASE_URL), migrates and seeds it,
makes an editor key, starts two `kkr serve` (A and B) on free loopback ports that trust 127.0.0.1
as a proxy (KKR_TRUSTED_PROXIES), and starts nginx as a private instance:

    nginx -p DIR/nginx/ -e DIR/nginx/logs/error.log -c DIR/nginx/conf/kkr.conf \\
          -g 'daemon off; pid DIR/nginx/nginx.pid;'

kkr.conf is the shipped file with exactly these substitutions, each of which must occur (and
nothing else changes): `listen 80 ` -> `listen 127.0.0.1:PORT `, `/var/log/nginx/` ->
`DIR/nginx/logs/`, `/var/lib/nginx/` -> `DIR/nginx/temp/`. The instances are the file's own seam:
kkr.conf includes kkr-upstreams.conf from its directory, and the test writes one there naming A
and B (the shipped deploy/nginx/kkr-upstreams.conf names 127.0.0.1:8080 and :8081).

Scenarios (exit status 0 when every check holds, 1 otherwise):

  corpus     The hostile-client corpus (tests/corpus/hostile_corpus.cpp, printed by
             kkr_hostile_corpus), each probe on its own connection from its own loopback address
             (127.1.x.y), eight at a time: every probe gets exactly the statuses of its row's edge
             outcome, then the canary's 200 when the row says the connection stays open, or the end
             of the stream when not; every answer has an X-Request-Id, every refusal is
             application/problem+json naming its status, without internals. Then, from the logs:
             every request an instance logged is one nginx sent it (same request id, same status,
             same client address; as many as nginx's upstream attempts), so nothing was smuggled
             past nginx; no 500/502/503/504 anywhere; both instances stop with status 0 on SIGTERM
             and logged no sanitizer report.
  proxying   What the edge does for a normal client: the X-Request-Id passes through (the client's
             when kkr would accept it, else nginx's, the same in the response and both logs); the
             client address kkr logs is the one nginx saw, whatever X-Forwarded-For the client sent;
             both instances get traffic, over kept-alive connections; /metrics is refused; above
             the rate limit nginx answers 429 as problem+json with Retry-After, after letting the
             burst through; then the same stop and sanitizer checks.
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
# pylint: disable=wrong-import-position
from harness import (SANITIZER_REPORT, Server, TestError, admin_sql, create_key, free_port,
                     kkr_env, log, main, make_workdir, migrate_and_seed, remove_workdir, run,
                     server_log, tail)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHIPPED_CONF = os.path.join(ROOT, "deploy", "nginx", "kkr.conf")
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
TEST_LIMIT_S = 100  # the script's own deadline; the ctest TIMEOUT is above it
STOP_LIMIT_S = 20.0
PROBE_READ_S = 20.0  # longer than nginx's header timeout: a probe it waits on fails, not hangs
PARALLEL_PROBES = 8
# The shipped limit: 50 requests a second with bursts of 100 more (limit_req in kkr.conf).
RATE_BURST = 100
SERVER_ERRORS = {500, 502, 503, 504}
# The end of kkr's access line (api/src/request_log.cpp).
ACCESS_LINE = re.compile(r" access .* status=(?P<status>\d+) ms=\S+ bytes=\d+ rid=(?P<rid>\S+) "
                         r"client=(?P<client>\S+)$")
INTERNALS = (b"exception", b"what()", b"basic_string", b"std::", b"<html")


# --- nginx with the shipped configuration --------------------------------------------------------

def render_conf(prefix, port):
    """The shipped kkr.conf with its listen port and directories replaced, as the docstring says."""
    with open(SHIPPED_CONF, encoding="utf-8") as f:
        text = f.read()
    for old, new in (("listen 80 ", f"listen 127.0.0.1:{port} "),
                     ("/var/log/nginx/", f"{prefix}/logs/"),
                     ("/var/lib/nginx/", f"{prefix}/temp/")):
        if old not in text:
            raise TestError(f"deploy/nginx/kkr.conf no longer has {old!r} to replace")
        text = text.replace(old, new)
    return text


class Nginx:
    """A private nginx under DIR/nginx, its error log, access log and temp files inside."""

    def __init__(self, workdir, upstream_ports):
        self.prefix = os.path.join(workdir, "nginx")
        self.port = free_port()
        self.upstream_ports = upstream_ports
        self.access_log = os.path.join(self.prefix, "logs", "kkr-access.log")
        self.error_log = os.path.join(self.prefix, "logs", "kkr-error.log")
        self.proc = None

    def start(self):
        for sub in ("conf", "logs", "temp"):
            os.makedirs(os.path.join(self.prefix, sub))
        os.chmod(self.prefix, 0o755)  # nginx's workers (www-data when started as root) go in
        os.chmod(os.path.join(self.prefix, "temp"), 0o755)
        conf = os.path.join(self.prefix, "conf", "kkr.conf")
        with open(conf, "w", encoding="utf-8") as f:
            f.write(render_conf(self.prefix, self.port))
        with open(os.path.join(self.prefix, "conf", "kkr-upstreams.conf"), "w",
                  encoding="utf-8") as f:
            for port in self.upstream_ports:
                f.write(f"server 127.0.0.1:{port} max_fails=3 fail_timeout=10s;\n")
        command = [NGINX, "-p", self.prefix + "/", "-e", os.path.join(self.prefix, "logs",
                                                                       "error.log"),
                   "-c", conf, "-g", f"daemon off; pid {self.prefix}/nginx.pid;"]
        run(command[:-2] + ["-t", "-g", command[-1]])  # nginx -t: the configuration is valid
        with open(os.path.join(self.prefix, "logs", "stderr.log"), "wb") as out:
            self.proc = subprocess.Popen(command, cwd="/", stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise TestError(f"nginx exited at start:\n{self.logs()}")
            try:
                if exchange(self.port, b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n"
                                       b"Connection: close\r\n\r\n").statuses() == [200]:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise TestError(f"nginx did not answer /healthz within 20 s:\n{self.logs()}")

    def entries(self):
        """The access log, one dict per line (log_format kkr: JSON)."""
        # escape=json leaves bytes over 0x7f as they came (a probe's raw target)
        with open(self.access_log, encoding="utf-8", errors="replace") as f:
            return [json.loads(line) for line in f if line.strip()]

    def logs(self):
        return (f"--- nginx error log (tail) ---\n{tail(self.error_log, 30)}"
                f"{tail(os.path.join(self.prefix, 'logs', 'error.log'), 10)}"
                f"{tail(os.path.join(self.prefix, 'logs', 'stderr.log'), 10)}")

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


# --- raw HTTP/1.1 exchanges ------------------------------------------------------------------------

class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # lower-case names; the last value of a repeated header
        self.body = body

    def problem(self):
        try:
            return json.loads(self.body)
        except ValueError:
            return None


class Exchange:
    """Everything one connection carried back: the responses and what was left unparsed."""

    def __init__(self, data, closed):
        self.responses = []
        self.rest = b""
        self.closed = closed
        self.parse(data)

    def statuses(self):
        return [r.status for r in self.responses]

    def parse(self, data):
        while data:
            end = data.find(b"\r\n\r\n")
            match = re.match(rb"HTTP/1\.[01] (\d{3}) ", data)
            if end < 0 or not match:
                self.rest = data
                return
            status = int(match.group(1))
            headers = {}
            for line in data[:end].split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                headers[name.strip().lower().decode("latin-1")] = value.strip().decode("latin-1")
            length = 0 if status < 200 else int(headers.get("content-length", len(data) - end - 4))
            self.responses.append(Response(status, headers, data[end + 4:end + 4 + length]))
            data = data[end + 4 + length:]


def exchange(port, data, source="127.0.0.1", timeout=PROBE_READ_S):
    """Sends `data` on a new connection from `source` and reads until the peer closes it."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        s.bind((source, 0))
        s.connect(("127.0.0.1", port))
        try:
            s.sendall(data)
        except OSError:
            pass  # refused and closed before all was sent: what came back still counts
        received = b""
        closed = False
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                chunk = s.recv(65536)
            except ConnectionResetError:
                closed = True
                break
            except socket.timeout:
                break
            if not chunk:
                closed = True
                break
            received += chunk
    return Exchange(received, closed)


def request(port, path, headers=None, source="127.0.0.1"):
    """One GET with `Connection: close`; returns its Response."""
    lines = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
    done = exchange(port, f"GET {path} HTTP/1.1\r\nHost: localhost\r\n{lines}"
                          "Connection: close\r\n\r\n".encode("latin-1"), source)
    if len(done.responses) != 1:
        raise TestError(f"GET {path}: {len(done.responses)} responses, {done.rest[:200]!r}")
    return done.responses[0]


def answer_problems(response):
    """What is wrong with one answer: a final one needs a request id, a refusal is a problem."""
    if response.status < 200:
        return []
    wrong = []
    if not response.headers.get("x-request-id"):
        wrong.append(f"{response.status} without X-Request-Id")
    if response.status >= 400:
        problem = response.problem()
        if response.headers.get("content-type") != "application/problem+json":
            wrong.append(f"{response.status} as {response.headers.get('content-type')}")
        elif not isinstance(problem, dict) or problem.get("status") != response.status:
            wrong.append(f"{response.status} with the body {response.body[:200]!r}")
        elif not all(k in problem for k in ("type", "title", "detail", "instance", "errors")):
            wrong.append(f"{response.status}: a problem without its members: {problem}")
        if any(word in response.body for word in INTERNALS):
            wrong.append(f"{response.status} shows internals: {response.body[:200]!r}")
    return wrong


# --- the rig ---------------------------------------------------------------------------------------


class Rig:
    """A database on the test PostgreSQL, instances A and B, and nginx in front of both."""

    def __init__(self, kkr, scenario):
        self.kkr = kkr
        self.scenario = scenario
        self.database = f"kkr_edge_{scenario}_{os.getpid()}"
        self.workdir = None
        self.instances = []
        self.nginx = None
        self.token = None

    def __enter__(self):
        admin_url = os.environ.get("KKR_TEST_DATABASE_URL")
        if not admin_url:
            raise TestError("KKR_TEST_DATABASE_URL is not set: this test needs PostgreSQL")
        if not os.access(NGINX, os.X_OK):
            raise TestError(f"no nginx at {NGINX}: install Debian's nginx (scripts/lib.sh does)")
        self.workdir = make_workdir(f"kkr-edge-{self.scenario}-")
        try:
            admin_sql(f'CREATE DATABASE "{self.database}"')
            url = urllib.parse.urlsplit(admin_url)._replace(path=f"/{self.database}").geturl()
            env = kkr_env(url, {"KKR_TRUSTED_PROXIES": "127.0.0.1",
                                "KKR_ALLOW_REDUCED_DURABILITY": "true"})
            migrate_and_seed(self.kkr, env)
            self.token = create_key(self.kkr, env, "editor", "edge-editor")
            self.instances = [Server(self.kkr, env, os.path.join(self.workdir, f"kkr-{name}.log"))
                              for name in ("A", "B")]
            with ThreadPoolExecutor(2) as pool:  # both start at once
                list(pool.map(lambda server: server.start(), self.instances))
            self.nginx = Nginx(self.workdir, [s.port for s in self.instances])
            self.nginx.start()
            log(f"nginx on {self.nginx.port} in front of kkr on "
                f"{', '.join(str(s.port) for s in self.instances)}")
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def access_lines(self):
        """Every access line of both instances: (instance port, fields)."""
        lines = []
        for server in self.instances:
            with open(server.log, encoding="utf-8", errors="replace") as f:
                for line in f:
                    found = ACCESS_LINE.search(line)
                    if found:
                        lines.append((server.port, found.groupdict()))
        return lines

    def stop_and_check(self, verdict):
        """SIGTERM to both instances: each exits 0 (LeakSanitizer runs at exit) without a sanitizer
        report in its log."""
        for server in self.instances:
            server.terminate()
        deadline = time.monotonic() + STOP_LIMIT_S
        for name, server in zip("AB", self.instances):
            status = server.wait(deadline - time.monotonic())
            verdict.check(status == 0, f"instance {name}: exit status {status} after SIGTERM")
            with open(server.log, encoding="utf-8", errors="replace") as f:
                verdict.check(not SANITIZER_REPORT.search(f.read()),
                              f"instance {name} logged a sanitizer report")

    def logs(self):
        parts = [f"--- kkr {name} log (tail) ---\n{server_log(s.log)}"
                 for name, s in zip("AB", self.instances)]
        if self.nginx:
            parts.append(self.nginx.logs())
        return "\n".join(parts)

    def __exit__(self, *exc):
        if self.nginx:
            self.nginx.stop()
        for server in self.instances:
            server.kill()
        try:
            admin_sql(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
        except TestError as e:
            log(f"could not drop {self.database}: {e}")
        remove_workdir(self.workdir)
        return False


# --- scenario: the hostile corpus through the edge -------------------------------------------------

def load_corpus():
    program = os.environ.get("KKR_HOSTILE_CORPUS")
    if not program:
        raise TestError("KKR_HOSTILE_CORPUS (the kkr_hostile_corpus program) is not set")
    return [json.loads(line) for line in run([program]).splitlines() if line.strip()]


def source_address(index):
    """A loopback address of its own per probe, so that no probe counts against another's limit
    and each one's client address can be told apart in the logs."""
    return f"127.1.{index // 250}.{index % 250 + 1}"


def run_probe(rig, index, probe):
    """The failures of one probe: its statuses and connection against its row's edge outcome."""
    expected = probe["edge"]
    data = bytes.fromhex(probe["request_hex"]).replace(
        probe["editor_token_placeholder"].encode(), rig.token.encode())
    done = exchange(rig.nginx.port, data + bytes.fromhex(probe["canary_hex"]),
                    source_address(index))
    want = expected["statuses"] + ([200] if expected["open"] else [])
    wrong = []
    if done.statuses() != want:
        wrong.append(f"statuses {done.statuses()}, expected {want}")
    for response in done.responses:
        wrong += answer_problems(response)
    if expected["open"] and done.responses and done.statuses() == want:
        if done.responses[-1].headers.get("x-request-id") != f"canary-{probe['name']}":
            wrong.append("the last answer is not the canary's")
    elif done.responses and done.responses[-1].headers.get("connection") != "close":
        wrong.append("the connection closes without Connection: close")
    if not done.closed:
        wrong.append(f"the connection was not closed within {PROBE_READ_S} s")
    if done.rest:
        wrong.append(f"unparsed bytes: {done.rest[:120]!r}")
    return [f"probe {probe['name']}: {w}" for w in wrong]


def check_nothing_smuggled(rig, verdict):
    """Every request an instance ran is one that nginx sent it: the same request id, client
    address and status, as often as nginx sent it (retries included). Returns how many ran."""
    sent = Counter()
    for entry in rig.nginx.entries():
        verdict.check(entry["status"] not in SERVER_ERRORS, f"nginx answered {entry}")
        if entry["upstream"]:
            for status in re.split(r"[,:] ", entry["upstream_status"]):
                sent[(entry["request_id"], entry["client"], status)] += 1
    ran = Counter((f["rid"], f["client"], f["status"]) for _, f in rig.access_lines())
    for rid, client, status in ran:
        verdict.check(int(status) not in SERVER_ERRORS, f"kkr answered {status} to {rid}")
    verdict.check(ran == sent, f"requests the instances ran but nginx did not send: "
                               f"{dict(ran - sent)}; sent but not run: {dict(sent - ran)}")
    return sum(ran.values())


def scenario_corpus(rig, verdict):
    probes = load_corpus()
    started = time.monotonic()
    with ThreadPoolExecutor(PARALLEL_PROBES) as pool:
        results = list(pool.map(lambda p: run_probe(rig, *p), enumerate(probes)))
    for failures in results:
        for failure in failures:
            verdict.check(False, failure)
    verdict.figure(f"{len(probes)} probes through nginx in {time.monotonic() - started:.1f} s, "
                   f"{sum(1 for f in results if not f)} as their rows say")
    rig.nginx.stop()  # every access line is written
    ran = check_nothing_smuggled(rig, verdict)
    verdict.figure(f"{ran} requests reached the instances, each one nginx sent")
    rig.stop_and_check(verdict)


# --- scenario: a normal client through the edge ----------------------------------------------------

def check_request_ids(rig, verdict):
    """The id that reaches kkr and comes back is the client's when kkr accepts it, else nginx's."""
    port = rig.nginx.port
    chosen = request(port, "/v1/kommuner/0851", {"X-Request-Id": "edge-passes-this-id"})
    verdict.check(chosen.status == 200 and chosen.headers.get("x-request-id") ==
                  "edge-passes-this-id", f"the client's id came back as "
                                         f"{chosen.headers.get('x-request-id')}")
    ids = {"edge-passes-this-id"}
    for sent in (None, 'a"b'):
        answer = request(port, "/healthz", {"X-Request-Id": sent} if sent else {})
        made = answer.headers.get("x-request-id", "")
        verdict.check(re.fullmatch(r"[0-9a-f]{32}", made) is not None,
                      f"X-Request-Id {sent!r} came back as {made!r}, not one nginx made")
        ids.add(made)
    return ids


def check_client_addresses(rig, verdict):
    """A client that claims another address in X-Forwarded-For is logged under its own."""
    answer = request(rig.nginx.port, "/healthz", {"X-Request-Id": "edge-client-address",
                                                  "X-Forwarded-For": "10.9.8.7"},
                     source="127.0.0.23")
    verdict.check(answer.status == 200, f"/healthz from 127.0.0.23: {answer.status}")


def check_metrics_refused(rig, verdict):
    answer = request(rig.nginx.port, "/metrics")
    verdict.check(answer.status == 403 and not answer_problems(answer),
                  f"/metrics through the edge: {answer.status} {answer.body[:200]!r}")


def flood(port, source, connections=20, pipelined=10):
    """`connections` connections at once from `source`, each with `pipelined` GET /healthz."""
    batch = (b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n" * (pipelined - 1) +
             b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
    with ThreadPoolExecutor(connections) as pool:
        done = list(pool.map(lambda _: exchange(port, batch, source), range(connections)))
    return [r for d in done for r in d.responses]


def check_rate_limit(rig, verdict):
    """Waves of 200 requests from one address until nginx refuses some (at most ten waves: a
    wave takes well under the 4 s in which the bucket would drain 200)."""
    responses = []
    for _ in range(10):
        responses += flood(rig.nginx.port, "127.0.0.99")
        if any(r.status == 429 for r in responses):
            break
    passed = sum(1 for r in responses if r.status == 200)
    limited = [r for r in responses if r.status == 429]
    verdict.check(len(limited) > 0, f"no 429 in {len(responses)} requests from one address")
    verdict.check(passed + len(limited) == len(responses),
                  f"statuses other than 200 and 429: {sorted({r.status for r in responses})}")
    verdict.check(passed > RATE_BURST, f"only {passed} requests passed before 429: the burst "
                                       f"of {RATE_BURST} was not let through")
    for r in limited[:5]:
        verdict.check(not answer_problems(r) and r.headers.get("retry-after") == "1",
                      f"429 with {r.headers} {r.body[:200]!r}")
    verdict.figure(f"rate limit: {passed} passed, {len(limited)} refused with 429")


def established_to(ports):
    """How many TCP connections to these local ports are established (/proc/net/tcp)."""
    wanted = {f"{port:04X}" for port in ports}
    count = 0
    with open("/proc/net/tcp", encoding="ascii") as f:
        for line in f.readlines()[1:]:
            fields = line.split()
            if fields[3] == "01" and fields[2].split(":")[1] in wanted:  # 01: ESTABLISHED
                count += 1
    return count


def check_logs(rig, verdict, ids):
    """Each id and address as the client saw it, in nginx's log and in kkr's."""
    entries = {e["request_id"]: e for e in rig.nginx.entries()}
    kkr_lines = {fields.get("rid"): (port, fields) for port, fields in rig.access_lines()}
    for rid in ids:
        verdict.check(rid in entries and rid in kkr_lines,
                      f"request id {rid} is not in both logs")
    _, fields = kkr_lines.get("edge-client-address", (None, {}))
    verdict.check(fields.get("client") == "127.0.0.23" and
                  entries.get("edge-client-address", {}).get("client") == "127.0.0.23",
                  f"client address: kkr logged {fields.get('client')}, nginx "
                  f"{entries.get('edge-client-address', {}).get('client')}, sent from 127.0.0.23")
    served = {p for p, _ in rig.access_lines()}
    verdict.check(served == {s.port for s in rig.instances},
                  f"only instances on {sorted(served)} got requests")


def scenario_proxying(rig, verdict):
    ids = check_request_ids(rig, verdict)
    check_client_addresses(rig, verdict)
    check_metrics_refused(rig, verdict)
    for i in range(20):
        request(rig.nginx.port, "/v1/kommuner", {"X-Request-Id": f"edge-spread-{i}"})
    kept = established_to([s.port for s in rig.instances])
    verdict.check(kept > 0, "no connection from nginx to an instance is kept alive")
    verdict.figure(f"{kept} kept-alive connections from nginx to the instances")
    check_rate_limit(rig, verdict)
    rig.nginx.stop()  # every access line is written
    check_logs(rig, verdict, ids)
    check_nothing_smuggled(rig, verdict)
    rig.stop_and_check(verdict)


SCENARIOS = {"corpus": scenario_corpus, "proxying": scenario_proxying}

if __name__ == "__main__":
    sys.exit(main(sys.argv, SCENARIOS, Rig, TEST_LIMIT_S))
