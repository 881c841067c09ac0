#!/usr/bin/env python3
"""Fault tests of the real `kkr serve` against a private PostgreSQL 15 cluster (issue #7).

    db_faults.py PATH/TO/kkr SCENARIO

Each run starts its own cluster (initdb in a temporary directory, a free loopback port, unix socket
in the data directory, fsync on), migrates and seeds it, makes an editor key, starts `kkr serve` on
a free port, runs one scenario, prints one summary line with the measured figures and removes
everything again, also on failure. The shared test cluster (KKR_TEST_DATABASE_URL) is never used.
Writes create persons named "Synthetic Person <scenario>-<n>" in kommune 0851; reads get
/v1/kommuner. "Accepting" is the moment pg_isready first succeeds after the database is started
again; every figure is measured from there.

Scenarios (exit status 0 when every check holds, 1 otherwise):

  restart-fast     `pg_ctl restart -m fast` without traffic, then again under readers and writers.
                   The first write succeeds within 2 s of accepting, /readyz is 200 again within
                   2 s, writes are only 201 or 503, kkr is never restarted.
  stop-immediate   `pg_ctl stop -m immediate`, 5 s down, start, under readers and writers. Reads are
                   200 throughout (served from memory); writes during the outage are 503 only;
                   /readyz is 503 during the outage and 200 within 2 s of accepting, as is the
                   first successful write; a row then written with psql (as by another
                   instance) is readable within 2 s.
  kill-postmaster  SIGKILL to the postmaster under 8 writers, then start the cluster (crash
                   recovery) and write on. Every 201 is in the database exactly once and in
                   /v1/changes exactly once, every committed row is in the feed, the feed's seqs
                   have no gap, and no person was stored twice. A write answered 503 or not at all
                   may or may not have committed.
  freeze           SIGSTOP of the postmaster and all its children for 3 s under writers, with a
                   1 s statement timeout. Every write in flight during the freeze is answered
                   within 2.5 s (statement timeout + 1.5 s) of the freeze or of its start, those
                   answered during the freeze are 503, /healthz answers 200 within 1.5 s all along,
                   and writes succeed within 2 s of SIGCONT. The freeze is longer than the 1.5 x
                   statement timeout first planned, so that a cut-off is observable while the
                   database is still frozen (otherwise the thaw could answer every write).
  freeze-prepare   The freeze, with every pooled statement deallocated and prepared again on each
                   use (KKR_DB_REPLAN_AFTER_MS=0), so that the freeze also falls on a DEALLOCATE or
                   a PREPARE (a plan's renewal, every 10 s by default): the same checks.
  shutdown         SIGTERM to kkr under 8 writers (4 on kept-alive connections, 4 on fresh ones).
                   kkr exits 0 within its 5 s grace (+ 2 s for the process to end); every person
                   committed to the database was answered 201 and every 201 is committed; no
                   connection opened 0.2 s or more after the signal is accepted. "Not accepted" is
                   what a client can observe: connect() is refused, or the connection is reset or
                   closed before a single byte of a response arrives. Any response byte, or no
                   outcome within 10 s, fails.

  kill-batches     SIGKILL to the postmaster under 6 writers of batches (POST /v1/batch, four
                   person creates each, every batch with an Idempotency-Key of its own), then start
                   the cluster and write on. Every batch is stored whole or not at all; every 200
                   is stored; each batch not answered 200 is sent again with its key until it is,
                   and then every batch is stored exactly once, a batch that had committed is
                   answered from its stored answer (Idempotent-Replayed, the ids it stored), and
                   the feed's seqs have no gap.

In every scenario: no response has a 5xx status other than 503, every 503 is
application/problem+json with Retry-After, and every HTTP request has a 10 s timeout. The whole
run is bounded by an alarm (SCENARIO_LIMIT_S); cleanup (SIGCONT, stop the cluster, kill kkr,
remove the directory) runs on every exit path but SIGKILL.
"""

import itertools
import json
import os
import socket
import sys
import threading
import time
from collections import Counter

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
# pylint: disable=wrong-import-position
from harness import (HTTP_TIMEOUT_S, NO_RATE_LIMITS, Client, Cluster, Server, TestError, count,
                     create_key, kkr_env, log, main, make_workdir, migrate_and_seed, remove_workdir,
                     seconds, server_log, sleep_until, tail)

RECOVERY_S = 2.0  # first good write, /readyz 200: at most this long after the database accepts
OUTAGE_S = 5.0
STATEMENT_TIMEOUT_MS = 1000
FREEZE_S = 3.0
CUTOFF_S = STATEMENT_TIMEOUT_MS / 1000 + 1.5  # a write to a frozen database is answered by then
HEALTHZ_MAX_S = 1.5  # requests that wait on the database run on workers, never on a reactor
SHUTDOWN_GRACE_MS = 5000
EXIT_MARGIN_S = 2.0  # after the grace, for the process to tear down (pool, sanitizer checks)
PROBE_DELAY_S = 0.2  # time kkr gets to act on SIGTERM before new connections must fail
SCENARIO_LIMIT_S = 100  # the script's own deadline; the ctest TIMEOUT is above it
FEED_PAGE = 1000


def create_person(client, name):
    """POST /v1/persons for a synthetic person in Aalborg; the answer carries the name."""
    body = json.dumps({"name": name, "kommune_code": "0851"})
    answer = client.exchange("write", "POST", "/v1/persons", body,
                             {"Content-Type": "application/json",
                              "Authorization": f"Bearer {client.token}"})
    answer.name = name
    return answer


class Load:
    """Background traffic on daemon threads: writers, readers and pollers; every answer kept."""

    def __init__(self, port, token, prefix):
        self.port = port
        self.token = token
        self.prefix = prefix
        self.answers = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.threads = []
        self.numbers = itertools.count(1)

    def record(self, answer):
        with self.lock:
            self.answers.append(answer)


    def spawn(self, target):
        thread = threading.Thread(target=target, daemon=True)
        thread.start()
        self.threads.append(thread)

    def add_writers(self, count, pause=0.0, keep_alive=False):
        for _ in range(count):
            self.spawn(lambda: self.write_loop(pause, keep_alive))
        return self

    def add_pollers(self, count, path, what, pause):
        for _ in range(count):
            self.spawn(lambda: self.poll_loop(path, what, pause))
        return self

    def write_loop(self, pause, keep_alive):
        client = Client(self.port, self.token, keep_alive)
        while not self.stopping.is_set():
            with self.lock:
                name = f"Synthetic Person {self.prefix}-{next(self.numbers)}"
            answer = create_person(client, name)
            self.record(answer)
            # Failures come back at once (refused, 500, 503): do not spin on them.
            self.stopping.wait(pause if answer.status == 201 else max(pause, 0.05))
        client.close()

    def poll_loop(self, path, what, pause):
        client = Client(self.port)
        while not self.stopping.is_set():
            self.record(client.get(path, what))
            self.stopping.wait(pause)

    def stop(self):
        """Stops every thread; each is at most one request (HTTP_TIMEOUT_S) from noticing."""
        self.stopping.set()
        deadline = time.monotonic() + HTTP_TIMEOUT_S + 5
        for thread in self.threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        if any(thread.is_alive() for thread in self.threads):
            raise TestError("load threads still running after their last request's timeout")
        with self.lock:
            return list(self.answers)


NOT_ACCEPTED = ("refused", "reset", "closed")


def probe_connection(port):
    """Opens a new connection and sends GET /healthz. Returns one of NOT_ACCEPTED (no byte of a
    response), "answered: <status line>" (accepted) or "timeout"."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=HTTP_TIMEOUT_S) as s:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            received = s.recv(64)
            if not received:
                return "closed"
            return "answered: " + received.split(b"\r\n")[0].decode("latin-1")
    except ConnectionRefusedError:
        return "refused"
    except (ConnectionResetError, BrokenPipeError):
        return "reset"
    except socket.timeout:
        return "timeout"


def first_after(answers, moment, status):
    """Seconds from moment to the end of the first answer with status that ended after it."""
    ends = [a.ended for a in answers if a.status == status and a.ended >= moment]
    return min(ends) - moment if ends else None


def check_only(verdict, answers, allowed, label):
    """Every answer has one of the allowed statuses (a missing response is not allowed)."""
    bad = [a for a in answers if a.status not in allowed]
    verdict.check(not bad, f"{label}: {len(bad)} of {len(answers)} not {sorted(allowed)}; "
                           f"first: {bad[0].describe() if bad else ''}")


def check_common(verdict, answers):
    """No 5xx but 503 anywhere; every 503 is problem+json with Retry-After."""
    errors = [a for a in answers if a.status is not None and a.status >= 500 and a.status != 503]
    verdict.check(not errors, f"{len(errors)} responses with status 5xx other than 503 "
                              f"(500: {count(errors, 500)}); first: "
                              f"{errors[0].describe() if errors else ''}")
    unavailable = [a for a in answers if a.status == 503]
    malformed = [a for a in unavailable
                 if "retry-after" not in a.headers
                 or not a.headers.get("content-type", "").startswith("application/problem+json")]
    verdict.check(not malformed, f"{len(malformed)} of {len(unavailable)} 503s lack Retry-After "
                                 f"or application/problem+json; first: "
                                 f"{malformed[0].describe() if malformed else ''} "
                                 f"{malformed[0].headers if malformed else ''}")


def check_recovery(verdict, answers, moment, label):
    """The first 201 write and the first 200 /readyz come within RECOVERY_S of moment, and the
    last /readyz is 200. Returns the figure: both delays."""
    write = first_after([a for a in answers if a.what == "write"], moment, 201)
    verdict.check(write is not None and write <= RECOVERY_S,
                  f"{label}: first good write {seconds(write)} after the database accepted "
                  f"(limit {RECOVERY_S} s)")
    readyz = [a for a in answers if a.what == "readyz"]
    ready = first_after(readyz, moment, 200)
    verdict.check(ready is not None and ready <= RECOVERY_S,
                  f"{label}: /readyz 200 {seconds(ready)} after the database accepted "
                  f"(limit {RECOVERY_S} s)")
    last = (readyz[-1].status or readyz[-1].error) if readyz else "none"
    verdict.check(last == 200, f"{label}: the last /readyz was {last}, not 200")
    return f"first good write {seconds(write)} and /readyz 200 {seconds(ready)} after accept"


def in_window(answers, what, start, end):
    """Answers to requests sent at or after start and answered before end."""
    return [a for a in answers if a.what == what and a.started >= start and a.ended < end]


def read_feed(client):
    """Every change in /v1/changes, following `after` until a page comes back short."""
    items, after = [], 0
    for _ in range(1000):
        answer = client.get(f"/v1/changes?after={after}&limit={FEED_PAGE}", "feed")
        if answer.status != 200:
            raise TestError(f"reading the change feed: {answer.describe()}")
        page = json.loads(answer.body)["items"]
        items += page
        if len(page) < FEED_PAGE:
            return items
        after = page[-1]["seq"]
    raise TestError("the change feed did not end within 1000 pages")


def stored_persons(cluster, prefix):
    """{name: [ids]} of the persons this scenario's writers created, straight from the database."""
    rows = cluster.sql(f"SELECT name, id FROM person WHERE name LIKE 'Synthetic Person {prefix}-%'")
    stored = {}
    for name, pid in rows:
        stored.setdefault(name, []).append(int(pid))
    return stored


# --- the rig: cluster + kkr -------------------------------------------------------------------

class Rig:
    """A private cluster, migrated and seeded, an editor token and a running `kkr serve`.
    Leaving it (also by an exception) stops the load, kills kkr and removes the cluster."""

    def __init__(self, kkr, scenario, extra_env):
        self.kkr = kkr
        self.scenario = scenario
        self.extra_env = extra_env
        self.workdir = None
        self.cluster = None
        self.server = None
        self.token = None
        self.loads = []

    def __enter__(self):
        self.workdir = make_workdir(f"kkr-faults-{self.scenario}-")
        try:
            self.setup()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def setup(self):
        self.cluster = Cluster(self.workdir)
        self.cluster.create()
        self.cluster.start()
        env = kkr_env(self.cluster.url, {**NO_RATE_LIMITS, **self.extra_env})
        migrate_and_seed(self.kkr, env)
        self.token = create_key(self.kkr, env, "editor", "faults")
        self.server = Server(self.kkr, env, os.path.join(self.workdir, "kkr.log"))
        self.server.start()
        log(f"kkr serve pid {self.server.proc.pid} on port {self.server.port}, "
            f"PostgreSQL on port {self.cluster.port}")

    def load(self, prefix):
        load = Load(self.server.port, self.token, prefix)
        self.loads.append(load)
        return load

    def client(self):
        return Client(self.server.port, self.token)

    def logs(self):
        kkr_log = server_log(self.server.log) if self.server else "(not started)"
        cluster_log = tail(self.cluster.log, 15) if self.cluster else "(not created)"
        return f"--- kkr log (tail) ---\n{kkr_log}\n--- PostgreSQL log (tail) ---\n{cluster_log}"

    def __exit__(self, *exc):
        for load in self.loads:
            load.stopping.set()
        if self.server:
            self.server.kill()
        if self.cluster:
            self.cluster.destroy()
        remove_workdir(self.workdir)
        return False


# --- scenarios --------------------------------------------------------------------------------

def restart_fast(rig, verdict):
    # Without traffic: restart, then a writer and a /readyz poller measure the recovery.
    accepted = rig.cluster.restart_fast()
    load = (rig.load("restart-idle").add_writers(1, pause=0.05)
            .add_pollers(1, "/readyz", "readyz", 0.1))
    sleep_until(accepted + RECOVERY_S + 1.0)
    idle = load.stop()
    idle_recovery = check_recovery(verdict, idle, accepted, "idle restart")
    check_only(verdict, [a for a in idle if a.what == "write"], {201, 503}, "idle restart writes")

    # Under load: readers, writers and a /readyz poller through the restart.
    load = (rig.load("restart-load").add_writers(4, pause=0.02)
            .add_pollers(2, "/v1/kommuner", "read", 0.05).add_pollers(1, "/readyz", "readyz", 0.1))
    time.sleep(1.0)
    accepted = rig.cluster.restart_fast()
    sleep_until(accepted + RECOVERY_S + 0.5)
    loaded = load.stop()
    loaded_recovery = check_recovery(verdict, loaded, accepted, "restart under load")
    writes = [a for a in loaded if a.what == "write"]
    check_only(verdict, writes, {201, 503}, "writes under load")
    check_only(verdict, [a for a in loaded if a.what == "read"], {200}, "reads under load")
    check_common(verdict, idle + loaded)
    verdict.check(rig.server.alive(), "kkr serve is no longer running")
    verdict.figure(f"idle: {idle_recovery}")
    verdict.figure(f"under load: {loaded_recovery}, writes 201={count(writes, 201)} "
                   f"503={count(writes, 503)}; 500={count(idle + loaded, 500)}")


def stop_immediate(rig, verdict):
    load = (rig.load("stop").add_writers(3, pause=0.05)
            .add_pollers(3, "/v1/kommuner", "read", 0.05).add_pollers(1, "/readyz", "readyz", 0.1))
    time.sleep(1.5)
    rig.cluster.stop_immediate()
    down = time.monotonic()
    time.sleep(OUTAGE_S)
    start_command = time.monotonic()
    accepted = rig.cluster.start()
    sleep_until(accepted + RECOVERY_S + 1.0)
    answers = load.stop()

    check_only(verdict, [a for a in answers if a.what == "read"], {200}, "reads")
    writes = [a for a in answers if a.what == "write"]
    check_only(verdict, writes, {201, 503}, "writes")
    outage_writes = in_window(answers, "write", down, start_command)
    verdict.check(outage_writes, "no write was answered during the outage")
    check_only(verdict, outage_writes, {503}, "writes during the outage")
    outage_readyz = in_window(answers, "readyz", down, start_command)
    verdict.check(outage_readyz, "no /readyz was answered during the outage")
    check_only(verdict, outage_readyz, {503}, "/readyz during the outage")
    recovery = check_recovery(verdict, answers, accepted, "after the outage")
    check_common(verdict, answers)
    verdict.check(rig.server.alive(), "kkr serve is no longer running")
    followed = follows_outside_writes(rig, verdict)
    reads = [a for a in answers if a.what == "read"]
    verdict.figure(f"outage {OUTAGE_S:.0f} s: writes 503={count(outage_writes, 503)} of "
                   f"{len(outage_writes)}, /readyz 503={count(outage_readyz, 503)} of "
                   f"{len(outage_readyz)}, reads 200={count(reads, 200)} of {len(reads)}; "
                   f"{recovery}; a row written with psql readable after {seconds(followed)}; "
                   f"500={count(answers, 500)}")


def follows_outside_writes(rig, verdict):
    """After the outage the instance follows the change feed again: a row written with psql (as
    another instance would write it) becomes readable. Seconds until it was, or None."""
    row = rig.cluster.sql("INSERT INTO person (name, kommune_code) "
                          "VALUES ('Synthetic Person psql-after-outage', '0851') RETURNING id")
    path = f"/v1/persons/{row[0][0]}"
    written = time.monotonic()
    client = rig.client()
    while time.monotonic() < written + RECOVERY_S:
        if client.get(path, "read").status == 200:
            return time.monotonic() - written
        time.sleep(0.05)
    verdict.check(False, f"a row written with psql after the outage was not readable at {path} "
                         f"within {RECOVERY_S} s")
    return None


def crash_under(rig, verdict, load, ok_status, label):
    """SIGKILL to the postmaster after 3 s of `load`, crash recovery, 2.5 s more of it; checks
    the statuses. Returns (answers, accepted, backends killed by hand)."""
    time.sleep(3.0)
    killed_by_hand = rig.cluster.kill_postmaster()
    accepted = rig.cluster.start()
    sleep_until(accepted + 2.5)
    answers = load.stop()
    check_only(verdict, [a for a in answers if a.status is not None], {ok_status, 503}, label)
    check_common(verdict, answers)
    return answers, accepted, killed_by_hand


def kill_postmaster(rig, verdict):
    writes, accepted, killed_by_hand = crash_under(rig, verdict, rig.load("kill").add_writers(8),
                                                   201, "writes")
    created = {a.name: a.person_id() for a in writes if a.status == 201}
    stored = stored_persons(rig.cluster, "kill")
    twice = {name: ids for name, ids in stored.items() if len(ids) > 1}
    verdict.check(not twice, f"{len(twice)} persons stored more than once: "
                             f"{list(twice.items())[:3]}")
    wrong = {name: (pid, stored.get(name)) for name, pid in created.items()
             if stored.get(name) != [pid]}
    verdict.check(not wrong, f"{len(wrong)} of {len(created)} answered 201 but not stored exactly "
                             f"once under their id (name: (answered id, stored ids)): "
                             f"{list(wrong.items())[:3]}")
    stored_ids = {pid for ids in stored.values() for pid in ids}
    verdict.figure(f"writes 201={len(created)} 503={count(writes, 503)} "
                   f"no answer={sum(1 for a in writes if a.status is None)} "
                   f"500={count(writes, 500)}; stored={len(stored_ids)} (answered 503 or not at "
                   f"all: {len(stored_ids - set(created.values()))}), stored twice={len(twice)}; "
                   f"first good write {seconds(first_after(writes, accepted, 201))} after accept; "
                   f"backends killed by hand={killed_by_hand}")

    feed = wait_for_feed(rig.client(), stored_ids)
    seqs = [change["seq"] for change in feed]
    holes = gaps(seqs)
    verdict.check(not holes, f"the feed's seqs are not 1..{len(seqs)} without gaps: "
                             f"(before, after) {holes[:5]}")
    creates = Counter(int(c["id"]) for c in feed if c["entity"] == "person" and c["op"] == "create")
    not_once = {pid: creates[pid] for pid in stored_ids if creates[pid] != 1}
    verdict.check(not not_once, f"{len(not_once)} of {len(stored_ids)} stored persons are not "
                                f"in the feed exactly once (id: times): "
                                f"{list(not_once.items())[:5]}")
    verdict.figure(f"feed {len(seqs)} changes, gaps={len(holes)}, stored persons not in it "
                   f"exactly once={len(not_once)}")


BATCH_SIZE = 4
RETRY_ROUNDS = 5


def batch_body(number):
    """Four synthetic persons in one batch; their names carry the batch's number."""
    return json.dumps({"operations": [
        {"op": "create", "resource": "persons",
         "body": {"name": f"Synthetic Person batch-{number}-{k}", "kommune_code": "0851"}}
        for k in range(1, BATCH_SIZE + 1)]})


def send_batch(client, number):
    answer = client.exchange("write", "POST", "/v1/batch", batch_body(number),
                             {"Content-Type": "application/json",
                              "Authorization": f"Bearer {client.token}",
                              "Idempotency-Key": f"fault-batch-{number}"})
    answer.name = str(number)
    return answer


def batch_ids(answer):
    """The person ids a 200 answer to a batch names, in operation order."""
    return [int(result["body"]["id"]) for result in json.loads(answer.body)["results"]]


def batch_loop(load):
    client = Client(load.port, load.token)
    while not load.stopping.is_set():
        with load.lock:
            number = next(load.numbers)
        answer = send_batch(client, number)
        load.record(answer)
        load.stopping.wait(0.0 if answer.status == 200 else 0.05)


def stored_batches(cluster):
    """{batch number: sorted stored ids} of every batch with a person in the database."""
    batches = {}
    for name, ids in stored_persons(cluster, "batch").items():
        number = int(name.split("-")[1])
        batches.setdefault(number, []).extend(ids)
    return {number: sorted(ids) for number, ids in batches.items()}


def kill_batches(rig, verdict):
    load = rig.load("batch")
    for _ in range(6):
        load.spawn(lambda: batch_loop(load))
    answers, _, killed_by_hand = crash_under(rig, verdict, load, 200, "batches")
    before = stored_batches(rig.cluster)
    partial = {n: ids for n, ids in before.items() if len(ids) != BATCH_SIZE}
    verdict.check(not partial, f"{len(partial)} batches stored in part or twice (number: ids): "
                               f"{list(partial.items())[:3]}")
    answered = {int(a.name): a for a in answers if a.status == 200}
    unstored = [n for n, a in answered.items() if before.get(n) != sorted(batch_ids(a))]
    verdict.check(not unstored, f"{len(unstored)} batches answered 200 are not stored as "
                                f"answered: {unstored[:5]}")

    # The clients that got no 200 retry with their keys until they do.
    retried = sorted({int(a.name) for a in answers} - set(answered))
    replayed = 0
    client = Client(rig.server.port, rig.token)
    for number in retried:
        for _ in range(RETRY_ROUNDS):
            retry = send_batch(client, number)
            if retry.status == 200:
                break
            time.sleep(0.5)
        if retry.status != 200:
            verdict.check(False, f"batch {number}: the retry was answered {retry.describe()}")
            continue
        if number in before:
            replayed += 1
            verdict.check(retry.headers.get("idempotent-replayed") == "true",
                          f"batch {number} had committed, but its retry was not a replay")
            verdict.check(sorted(batch_ids(retry)) == before[number],
                          f"batch {number}: the replay names {batch_ids(retry)}, "
                          f"stored are {before[number]}")
    after = stored_batches(rig.cluster)
    numbers = {int(a.name) for a in answers}
    wrong = {n: after.get(n) for n in numbers if len(after.get(n, [])) != BATCH_SIZE}
    verdict.check(not wrong, f"{len(wrong)} batches not stored exactly once after the retries "
                             f"(number: ids): {list(wrong.items())[:3]}")

    stored_ids = {pid for ids in after.values() for pid in ids}
    feed = wait_for_feed(rig.client(), stored_ids)
    holes = gaps([change["seq"] for change in feed])
    verdict.check(not holes, f"the feed's seqs have gaps: (before, after) {holes[:5]}")
    verdict.figure(f"batches 200={len(answered)} 503={count(answers, 503)} "
                   f"no answer={sum(1 for a in answers if a.status is None)}; retried="
                   f"{len(retried)}, of which had committed (replayed)={replayed}; "
                   f"stored in part={len(partial)}; persons stored={len(stored_ids)}; "
                   f"backends killed by hand={killed_by_hand}")


def gaps(seqs):
    """(before, after) wherever a seq is not the one before it plus one; the first must be 1."""
    return [(before, after) for before, after in zip([0, *seqs], seqs) if after != before + 1]


def wait_for_feed(client, ids, limit=5.0):
    """The whole feed once it has a person create for each of ids, or as it is after limit
    seconds (a change is published shortly after its commit; the feed may answer 503 while the
    server reconnects)."""
    deadline = time.monotonic() + limit
    while True:
        try:
            feed = read_feed(client)
        except TestError:
            if time.monotonic() >= deadline:
                raise
        else:
            published = {int(c["id"]) for c in feed
                         if c["entity"] == "person" and c["op"] == "create"}
            if ids <= published or time.monotonic() >= deadline:
                return feed
        time.sleep(0.2)


def freeze(rig, verdict):
    load = rig.load("freeze").add_writers(4, pause=0.05).add_pollers(1, "/healthz", "healthz", 0.1)
    time.sleep(1.5)
    try:
        processes = rig.cluster.freeze()
        frozen_at = time.monotonic()  # every process is stopped: nothing commits from here on
        time.sleep(FREEZE_S)
    finally:
        thawed = time.monotonic()  # before the first SIGCONT
        rig.cluster.thaw()
    sleep_until(thawed + RECOVERY_S + 1.0)
    answers = load.stop()

    writes = [a for a in answers if a.what == "write"]
    check_only(verdict, writes, {201, 503}, "writes")
    in_flight = [a for a in writes if a.started < thawed and a.ended > frozen_at]
    late = [a for a in in_flight if a.ended - max(a.started, frozen_at) > CUTOFF_S]
    verdict.check(not late, f"{len(late)} of {len(in_flight)} writes during the freeze took longer "
                            f"than {CUTOFF_S} s; first: {late[0].describe() if late else ''}")
    cut_off = in_window(answers, "write", frozen_at, thawed)
    verdict.check(cut_off, f"no write sent during the {FREEZE_S} s freeze was answered before "
                           "the thaw")
    check_only(verdict, cut_off, {503}, "writes answered during the freeze")
    healthz = [a for a in answers if a.what == "healthz"]
    check_only(verdict, healthz, {200}, "/healthz")
    slow = [a for a in healthz if a.elapsed > HEALTHZ_MAX_S]
    verdict.check(not slow, f"{len(slow)} /healthz took longer than {HEALTHZ_MAX_S} s; first: "
                            f"{slow[0].describe() if slow else ''}")
    write = first_after(writes, thawed, 201)
    verdict.check(write is not None and write <= RECOVERY_S,
                  f"first good write {seconds(write)} after SIGCONT (limit {RECOVERY_S} s)")
    check_common(verdict, answers)
    slowest = max((a.ended - max(a.started, frozen_at) for a in in_flight), default=None)
    verdict.figure(f"{processes} processes frozen {FREEZE_S} s: {len(in_flight)} writes in flight, "
                   f"slowest answered {seconds(slowest)} after freeze/send, "
                   f"503 during the freeze={count(cut_off, 503)}; slowest /healthz "
                   f"{seconds(max((a.elapsed for a in healthz), default=None))}; first good write "
                   f"{seconds(write)} after SIGCONT; 500={count(answers, 500)}")


def shutdown(rig, verdict):
    load = rig.load("shutdown").add_writers(4, keep_alive=True).add_writers(4)
    time.sleep(2.0)
    rig.server.terminate()
    signalled = time.monotonic()
    probes, exited = [], threading.Event()
    prober = threading.Thread(target=probe_until, args=(rig.server.port, signalled, exited, probes),
                              daemon=True)
    prober.start()
    deadline = signalled + SHUTDOWN_GRACE_MS / 1000 + EXIT_MARGIN_S
    status = rig.server.wait(deadline - time.monotonic())
    stopped_after = time.monotonic() - signalled
    exited.set()
    prober.join(HTTP_TIMEOUT_S + 1)
    writes = load.stop()

    verdict.check(status == 0, f"kkr serve exit status {status} after SIGTERM "
                               f"({stopped_after:.2f} s), not 0 within the grace")
    check_common(verdict, writes)
    answered = {a.person_id() for a in writes if a.status == 201}
    stored = {pid for ids in stored_persons(rig.cluster, "shutdown").values() for pid in ids}
    unanswered = stored - answered
    verdict.check(not unanswered, f"{len(unanswered)} persons committed but not answered 201: "
                                  f"ids {sorted(unanswered)[:10]}")
    lost = answered - stored
    verdict.check(not lost, f"{len(lost)} persons answered 201 but not in the database: "
                            f"ids {sorted(lost)[:10]}")
    outcomes = dict(Counter(probes))
    verdict.check(probes and set(probes) <= set(NOT_ACCEPTED),
                  f"connections opened {PROBE_DELAY_S} s or more after SIGTERM: {outcomes} "
                  f"(only {', '.join(NOT_ACCEPTED)} without a response byte are allowed)")
    after = [a for a in writes if a.started >= signalled]
    verdict.figure(f"exit {status} {stopped_after:.2f} s after SIGTERM; writes 201={len(answered)} "
                   f"(sent after SIGTERM: 201={count(after, 201)} 503={count(after, 503)} "
                   f"no answer={sum(1 for a in after if a.status is None)}); stored={len(stored)}, "
                   f"committed-unanswered={len(unanswered)}; new connections after SIGTERM: "
                   f"{outcomes}")


def probe_until(port, signalled, exited, outcomes):
    """From PROBE_DELAY_S after the signal until kkr has exited: new connections, one at a time.
    At least one probe is made; a probe takes at most HTTP_TIMEOUT_S."""
    sleep_until(signalled + PROBE_DELAY_S)
    while True:
        outcomes.append(probe_connection(port))
        if exited.wait(0.1):
            return


SCENARIOS = {
    "restart-fast": (restart_fast, {}),
    "stop-immediate": (stop_immediate, {}),
    "kill-postmaster": (kill_postmaster, {}),
    "kill-batches": (kill_batches, {}),
    "freeze": (freeze, {"KKR_DB_STATEMENT_TIMEOUT_MS": str(STATEMENT_TIMEOUT_MS)}),
    "freeze-prepare": (freeze, {"KKR_DB_STATEMENT_TIMEOUT_MS": str(STATEMENT_TIMEOUT_MS),
                                "KKR_DB_REPLAN_AFTER_MS": "0"}),
    "shutdown": (shutdown, {"KKR_SHUTDOWN_GRACE_MS": str(SHUTDOWN_GRACE_MS)}),
}


if __name__ == "__main__":
    sys.exit(main(sys.argv, {name: run for name, (run, _) in SCENARIOS.items()},
                  lambda kkr, name: Rig(kkr, name, SCENARIOS[name][1]), SCENARIO_LIMIT_S))
