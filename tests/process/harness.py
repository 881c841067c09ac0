"""Shared pieces of the process tests (db_faults.py, two_instances.py): a private PostgreSQL 15
cluster, `kkr serve` as a child process, a small HTTP/1.1 client, and the verdict that collects
failed checks and measured figures.

Everything is standard library only. PostgreSQL's tools run as the `postgres` user when the tests
run as root (initdb and postgres refuse root). Every wait is bounded.
"""

import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field

PG_BIN = "/usr/lib/postgresql/15/bin"
PSQL = shutil.which("psql") or f"{PG_BIN}/psql"
HTTP_TIMEOUT_S = 10.0

T0 = time.monotonic()


class TestError(Exception):
    """Setup or an action failed: the scenario cannot go on."""


def log(message):
    print(f"[{time.monotonic() - T0:6.2f}] {message}", flush=True)


def sleep_until(moment):
    time.sleep(max(0.0, moment - time.monotonic()))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def as_owner(command):
    """PostgreSQL's tools refuse to run as root: as root, run them as the `postgres` user."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def run(command, env=None, timeout=60.0):
    """Runs a command to completion and returns its stdout; raises TestError when it fails."""
    try:
        done = subprocess.run(command, env=env, cwd="/", capture_output=True, text=True,
                              timeout=timeout, check=False)
    except subprocess.TimeoutExpired as e:
        raise TestError(f"{' '.join(command)} did not finish within {timeout} s") from e
    if done.returncode != 0:
        raise TestError(f"{' '.join(command)} exited with status {done.returncode}: "
                        f"{done.stderr.strip()[-1500:]}")
    return done.stdout


def tail(path, lines=30):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError as e:
        return f"(cannot read {path}: {e})"


SANITIZER_REPORT = re.compile(r"WARNING: ThreadSanitizer|ERROR: (Address|Leak)Sanitizer|"
                              r"runtime error:")


def server_log(path, lines=40):
    """The end of a kkr log, preceded by its first sanitizer report (up to 150 lines) when it has
    one: a report is longer than the tail that would otherwise show it."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.readlines()
    except OSError as e:
        return f"(cannot read {path}: {e})"
    first = next((i for i, line in enumerate(text) if SANITIZER_REPORT.search(line)), None)
    report = ""
    if first is not None and first < len(text) - lines:
        report = "".join(text[first:min(first + 150, len(text) - lines)]) + "[...]\n"
    return report + "".join(text[-lines:])


def remove_workdir(workdir):
    """Removes the test's directory, unless KKR_KEEP_TEST_DIR=1 asks to keep it (logs, cluster)."""
    if os.environ.get("KKR_KEEP_TEST_DIR") == "1":
        log(f"kept {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)


# --- processes --------------------------------------------------------------------------------

def process_state(pid):
    """The state letter of a process (R, S, T, Z, ...), or None when there is none."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return None


def is_running(pid):
    return process_state(pid) not in (None, "Z")


def children_of(pid):
    kids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        if ppid == pid:
            kids.append(int(entry))
    return kids


def signal_all(pids, signum):
    for pid in pids:
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            pass


def wait_gone(pids, limit):
    """Waits until none of pids exists, zombies included (a zombie still owns its pid, and
    PostgreSQL takes a lock file naming a live pid as a running postmaster). Returns the pids
    still there after limit seconds."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if all(process_state(pid) is None for pid in pids):
            return []
        time.sleep(0.05)
    return [pid for pid in pids if process_state(pid) is not None]


class Cluster:
    """A private PostgreSQL 15 cluster in DIR, on 127.0.0.1:PORT, with trust authentication."""

    def __init__(self, workdir):
        self.dir = os.path.join(workdir, "pg")
        self.log = os.path.join(self.dir, "server.log")
        self.port = free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        self.frozen = []

    def create(self):
        os.mkdir(self.dir, 0o700)
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        run(as_owner([f"{PG_BIN}/initdb", "-D", self.dir, "-U", "postgres", "--auth=trust",
                      "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync"]))

    def pg_ctl(self, *args):
        run(as_owner([f"{PG_BIN}/pg_ctl", "-D", self.dir, *args]))

    def start(self):
        """Starts the cluster; returns the moment it accepts connections."""
        # Crash recovery first syncs the data directory: one syncfs() instead of an fsync() per
        # file takes it from ~4 s to ~1 s on a busy disk, and is just as durable. Commit times are
        # kept so that a test can tell when a change took effect (pg_xact_commit_timestamp).
        options = (f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.dir} "
                   "-c fsync=on -c synchronous_commit=on -c recovery_init_sync_method=syncfs "
                   "-c track_commit_timestamp=on")
        self.pg_ctl("-l", self.log, "-o", options, "-W", "start")
        return self.wait_accepting()

    def restart_fast(self):
        """`pg_ctl restart -m fast`; returns the moment the cluster accepts connections again."""
        self.pg_ctl("-l", self.log, "-m", "fast", "-W", "-t", "30", "restart")
        return self.wait_accepting()

    def stop_immediate(self):
        self.pg_ctl("-m", "immediate", "-w", "-t", "30", "stop")

    def accepting(self):
        command = [f"{PG_BIN}/pg_isready", "-q", "-U", "postgres", "-h", "127.0.0.1",
                   "-p", str(self.port), "-t", "1"]
        return subprocess.run(command, check=False, timeout=5).returncode == 0

    def wait_accepting(self, limit=30.0):
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            if self.accepting():
                return time.monotonic()
            time.sleep(0.05)
        raise TestError(f"PostgreSQL does not accept connections after {limit} s:\n"
                        f"{tail(self.log)}")

    def postmaster_pid(self):
        try:
            with open(os.path.join(self.dir, "postmaster.pid"), encoding="ascii") as f:
                return int(f.readline())
        except (OSError, ValueError):
            return None

    def kill_postmaster(self):
        """SIGKILL to the postmaster, then waits (10 s at most) for its backends to notice and
        exit, as a new postmaster cannot start while they hold the shared memory. Returns how
        many were still running then and had to be killed."""
        pid = self.postmaster_pid()
        kids = children_of(pid)
        os.kill(pid, signal.SIGKILL)
        leftovers = [p for p in wait_gone([pid, *kids], 10.0) if is_running(p)]
        signal_all(leftovers, signal.SIGKILL)
        remaining = wait_gone([pid, *kids], 10.0)
        if remaining:
            raise TestError(f"PostgreSQL processes {remaining} are still there after SIGKILL")
        return len(leftovers)

    def freeze(self):
        """SIGSTOP to the postmaster first (so it forks nothing more), then to its children."""
        pid = self.postmaster_pid()
        os.kill(pid, signal.SIGSTOP)
        self.frozen = [pid]
        kids = children_of(pid)
        self.frozen += kids
        signal_all(kids, signal.SIGSTOP)
        return len(self.frozen)

    def thaw(self):
        signal_all(self.frozen, signal.SIGCONT)
        self.frozen = []

    def sql(self, query):
        """Rows of a query as lists of strings (psql, unaligned)."""
        out = run([f"{PG_BIN}/psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                   "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", "postgres",
                   "-c", query], timeout=30)
        return [line.split("|") for line in out.splitlines() if line]

    def destroy(self):
        """Stops the cluster whatever its state (frozen, stopped, half killed)."""
        self.thaw()
        pid = self.postmaster_pid()
        if pid is None or not is_running(pid):
            return
        try:
            self.pg_ctl("-m", "immediate", "-w", "-t", "10", "stop")
        except TestError:
            pass
        if is_running(pid):
            pids = [pid, *children_of(pid)]
            signal_all(pids, signal.SIGKILL)
            wait_gone(pids, 5.0)


class Server:
    """`kkr serve` on a free port of 127.0.0.1, its output in a log file."""

    def __init__(self, kkr, env, log_path):
        self.kkr = kkr
        self.env = env
        self.log = log_path
        self.proc = None
        self.port = None

    def start(self, limit=60.0):
        with open(self.log, "wb") as out:
            self.proc = subprocess.Popen([self.kkr, "serve"], env=self.env, cwd="/",
                                         stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            found = re.search(r"serving on http://127\.0\.0\.1:(\d+)", tail(self.log, 200))
            if found:
                self.port = int(found.group(1))
                return
            if self.proc.poll() is not None:
                raise TestError(f"kkr serve exited at start:\n{tail(self.log)}")
            time.sleep(0.05)
        raise TestError(f"kkr serve did not say where it serves within {limit} s")

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def terminate(self):
        self.proc.send_signal(signal.SIGTERM)

    def wait(self, limit):
        """The exit status, or None when still running after limit seconds."""
        try:
            return self.proc.wait(timeout=max(0.0, limit))
        except subprocess.TimeoutExpired:
            return None

    def kill(self):
        if self.alive():
            self.proc.kill()
            self.proc.wait(timeout=10)

# --- HTTP -------------------------------------------------------------------------------------

@dataclass
class Answer:
    """One HTTP exchange. status None: no response (error says why)."""

    what: str  # write, read, readyz, healthz, feed
    started: float
    ended: float
    status: int | None = None
    headers: dict = field(default_factory=dict)
    body: bytes = b""
    error: str = ""
    name: str = ""  # the person a write created

    @property
    def elapsed(self):
        return self.ended - self.started

    def person_id(self):
        return int(json.loads(self.body)["id"])

    def describe(self):
        outcome = self.status if self.status is not None else self.error
        return (f"{self.what} started at {self.started - T0:.2f} s: {outcome} "
                f"after {self.elapsed:.2f} s {self.body[:200]!r}")


class Client:
    """HTTP/1.1 to kkr: a fresh connection per request, or one connection kept alive."""

    def __init__(self, port, token=None, keep_alive=False):
        self.port = port
        self.token = token
        self.keep_alive = keep_alive
        self.conn = None

    def exchange(self, what, method, path, body=None, headers=None):
        headers = {"Connection": "keep-alive" if self.keep_alive else "close", **(headers or {})}
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=HTTP_TIMEOUT_S)
        started = time.monotonic()
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            data = response.read()
            answer = Answer(what, started, time.monotonic(), response.status,
                            {k.lower(): v for k, v in response.getheaders()}, data)
        except (OSError, http.client.HTTPException) as e:
            answer = Answer(what, started, time.monotonic(), error=f"{type(e).__name__}: {e}")
            self.close()
        if not self.keep_alive:
            self.close()
        return answer

    def get(self, path, what):
        return self.exchange(what, "GET", path)

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None



# --- checks -----------------------------------------------------------------------------------

class Verdict:
    """The failed checks and the measured figures of one scenario."""

    def __init__(self, scenario):
        self.scenario = scenario
        self.failures = []
        self.figures = []

    def check(self, ok, message):
        if not ok:
            self.failures.append(message)
            log(f"FAIL: {message}")

    def figure(self, text):
        self.figures.append(text)

    def summary(self):
        figures = "; ".join(self.figures) or "no figures"
        result = "ok" if not self.failures else f"FAILED ({len(self.failures)} checks)"
        return f"{self.scenario}: {figures} -- {result}"


def count(answers, status):
    return sum(1 for a in answers if a.status == status)


def seconds(value):
    return "never" if value is None else f"{value:.2f} s"



# --- set-up helpers -----------------------------------------------------------------------------

def make_workdir(prefix):
    """A temporary directory the `postgres` user can reach (for the cluster inside it)."""
    workdir = tempfile.mkdtemp(prefix=prefix)
    os.chmod(workdir, 0o755)
    return workdir


# For tests that send from one address far more than the default rate limits allow (writers in
# tight loops through an outage, revoked keys polled until refused): what they test is not the
# limits, which tests/http/rate_limits_test.cpp covers, and a 429 would hide what they look for.
NO_RATE_LIMITS = {"KKR_RATE_LIMIT_ADDRESS": "off", "KKR_RATE_LIMIT_KEY": "off",
                  "KKR_RATE_LIMIT_AUTH_FAILURES": "off"}


def kkr_env(database_url, extra=None):
    """The environment for kkr: ours without any KKR_ variable, then the test's settings (a
    fresh API-key secret, loopback, any free port) and extra."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KKR_")}
    env.update({"KKR_DATABASE_URL": database_url, "KKR_ADDRESS": "127.0.0.1", "KKR_PORT": "0",
                "KKR_LOG_LEVEL": "info", "KKR_API_KEY_SECRET": secrets.token_hex(32),
                **(extra or {})})
    return env


def migrate_and_seed(kkr, env):
    run([kkr, "migrate"], env)
    run([kkr, "seed"], env)


def admin_sql(statement):
    """One statement on the shared test PostgreSQL (KKR_TEST_DATABASE_URL), as its owner."""
    run([PSQL, "-X", "-q", "-v", "ON_ERROR_STOP=1", os.environ["KKR_TEST_DATABASE_URL"],
         "-c", statement])


def create_key(kkr, env, role, name):
    """A new API key made with `kkr keys create`; returns the token (its last output line)."""
    out = run([kkr, "keys", "create", "--role", role, "--name", name], env)
    return out.strip().splitlines()[-1]


def raise_exit(signum, _):
    raise SystemExit(f"stopped by signal {signum}")


def bound_run(limit_s):
    """SIGTERM ends the script through its cleanup, and so does an alarm after limit_s (as a
    TestError). Call signal.alarm(0) when done."""

    def raise_timeout(*_):
        raise TestError(f"the test did not finish within {limit_s} s")

    signal.signal(signal.SIGTERM, raise_exit)
    signal.signal(signal.SIGALRM, raise_timeout)
    signal.alarm(limit_s)


def main(argv, scenarios, make_rig, limit_s):
    """`SCRIPT PATH/TO/kkr SCENARIO`: runs one of scenarios ({name: function(rig, verdict)}) on
    make_rig(kkr, name), within limit_s; prints the logs on failure and one summary line.
    Returns the exit status: 0 when every check held, 1 otherwise, 2 on a usage error."""
    if len(argv) != 3 or argv[2] not in scenarios:
        print(f"usage: {argv[0]} PATH/TO/kkr {{{','.join(scenarios)}}}", file=sys.stderr)
        return 2
    kkr, name = os.path.abspath(argv[1]), argv[2]
    verdict = Verdict(name)
    bound_run(limit_s)
    rig = make_rig(kkr, name)
    try:
        with rig:
            try:
                scenarios[name](rig, verdict)
            except TestError as e:
                verdict.check(False, str(e))
            if verdict.failures:
                print(rig.logs(), flush=True)
    except TestError as e:  # setup failed; the message says why
        verdict.check(False, str(e))
    finally:
        signal.alarm(0)
    print(verdict.summary(), flush=True)
    return 1 if verdict.failures else 0
