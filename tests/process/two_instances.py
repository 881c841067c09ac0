#!/usr/bin/env python3
"""Two `kkr serve` instances on one PostgreSQL 15 cluster (issue #8).

    two_instances.py PATH/TO/kkr SCENARIO

Each run starts its own cluster (initdb in a temporary directory, a free loopback port, fsync on),
migrates and seeds it once, makes an admin key with `kkr keys create`, and starts two `kkr serve`
processes, A and B, on free loopback ports over that one database with the same
KKR_API_KEY_SECRET and KKR_FOLLOW_INTERVAL_MS=FOLLOW_INTERVAL_MS. Data is synthetic only
("Testperson A-3", "Testforum B", "Testkommune 1").

Scenarios (exit status 0 when every check holds, 1 otherwise):

  converge     Writers on threads write to both instances at once: persons (create, PATCH of
               party and kommune_code with If-Match, DELETE), forums with appointments that a
               PATCH of dissolved_on on the other instance ends (a cascade), an appointment
               deleted, a kommune created, renamed, deleted and created again under the same
               code, a KKR seat ended by closing its period, and a period created, deleted and
               created again (natural keys). After every write:
               - read-your-own-write: a GET on the instance that answered the write shows it at
                 once (the same JSON as the write's answer, or 404 after a DELETE);
               - visibility: the other instance is polled every 5 ms until it shows the same; the
                 delay from the write's answer must stay within VISIBILITY_LIMIT_S (median)
                 and VISIBILITY_MAX_S (every write).
               Then, once both instances' snapshots (/metrics kkr_snapshot_seq) reach the last
               seq of /v1/changes (within CONVERGE_LIMIT_S), every list (all pages, following
               `next`; with the admin key so restricted fields are in; a public and a CSV variant
               too), the Blå Bog, /v1/changes and /v1/audit (all pages) must be byte-identical on
               A and B with the same ETag, the persons must be exactly those in the database and
               exactly those the writers expect, and both instances must exit 0 on SIGTERM.
  revocation   Four editor keys are used on A and B every REVOCATION_POLL_S, each from a different
               moment of the one-second key cache (so that some instance's cached entry of some
               key is fresh when it is revoked: the worst case), then all are revoked at once with
               `kkr keys revoke` (there is no HTTP endpoint for it). Every request sent
               REVOCATION_LIMIT_S (+ REVOCATION_SLACK_S) or more after a key's revocation
               committed (pg_xact_commit_timestamp), or after its first 401, must be answered 401
               with WWW-Authenticate, on both instances; the admin key keeps working.

The measured figures (visibility p50/p90/max, convergence, revocation delays) are printed on one
summary line. The run is bounded by an alarm (TEST_LIMIT_S); every HTTP request has a 10 s
timeout; the servers are killed and the cluster stopped and removed on every exit path but
SIGKILL, and the logs of both instances and of PostgreSQL are printed on failure.
"""

import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
# pylint: disable=wrong-import-position
from harness import (NO_RATE_LIMITS, Client, Cluster, Server, TestError, create_key, kkr_env, log,
                     main, make_workdir, migrate_and_seed, remove_workdir, server_log, tail)

# How often each instance looks for changes written by the other when nothing wakes it
# (KKR_FOLLOW_INTERVAL_MS): the default. Only LISTEN kkr_changes (and each instance's own commits)
# can make a write visible on the other instance within VISIBILITY_LIMIT_S.
FOLLOW_INTERVAL_MS = 1000
# Cross-instance visibility: the median write answered by one instance shows on the other within
# VISIBILITY_LIMIT_S (issue #8: 100 ms, through LISTEN/NOTIFY), and every write well before the
# poll interval, so the notification, not the poll, did it: without it the median would be about
# half the interval (500 ms). The median, not the p90, because on a 2-core machine running the ASan
# build beside other work a tenth of the writes can take a little longer (p90 106-188 ms at load
# 5-9 while the median stayed at 23-40 ms); a broken notification path still fails both checks.
# Measured on a quiet machine: p50 23 ms, p90 45 ms, max 74 ms.
VISIBILITY_LIMIT_S = 0.100
VISIBILITY_MAX_S = 0.500
VISIBILITY_POLL_S = 0.005  # how often the other instance is asked
VISIBILITY_WAIT_S = 5.0  # how long it is asked before the item counts as never seen
CONVERGE_LIMIT_S = 10.0  # after the last write, until both snapshots reach the feed's last seq
REVOCATION_LIMIT_S = 1.0  # a revoked key is refused by every instance within this (issue #8)
REVOCATION_POLL_S = 0.05
# The commit timestamp is taken before the commit's WAL flush (fsync on) makes it visible, and a
# key check may be in flight across it: this much more than REVOCATION_LIMIT_S from the commit
# timestamp is allowed.
REVOCATION_SLACK_S = 0.1
REVOCATION_KEYS = 4  # revoked at once, each cached from a different moment of the second
STOP_LIMIT_S = 20.0  # SIGTERM to exit: the grace, the pool, LeakSanitizer's check at exit
TEST_LIMIT_S = 75  # the script's own deadline; the ctest TIMEOUT is above it
PAGE = 7  # small pages, so that every list is walked through several cursors
FEED_PAGE = 50

PERSONS_PER_WRITER = 12
DISSOLVED_ON = "2024-06-30"
PERIOD_CLOSED_ON = "2029-12-31"


# --- two instances over one database -----------------------------------------------------------

class Api:
    """One keep-alive connection to one instance, with a token (or none)."""

    def __init__(self, instance, token):
        self.instance = instance
        self.client = Client(instance.server.port, token, keep_alive=True)

    @property
    def name(self):
        return self.instance.name

    def call(self, method, path, body=None, headers=None):
        headers = dict(headers or {})
        if self.client.token:
            headers["Authorization"] = f"Bearer {self.client.token}"
        data = None
        if body is not None:
            data = json.dumps(body)
            headers.setdefault("Content-Type", "application/merge-patch+json" if method == "PATCH"
                               else "application/json")
        answer = self.client.exchange(f"{method} {path} on {self.name}", method, path, data,
                                      headers)
        if answer.status is None:
            raise TestError(f"{answer.what}: no answer ({answer.error})")
        return answer

    def get(self, path, headers=None):
        return self.call("GET", path, headers=headers)

    def expect(self, status, method, path, body=None, headers=None):
        """The request's answer, which must have the status; else the scenario cannot go on."""
        answer = self.call(method, path, body, headers)
        if answer.status != status:
            raise TestError(f"{answer.what}: expected {status}, got {answer.status} "
                            f"{answer.body[:300]!r}")
        return answer

    def close(self):
        self.client.close()


class Instance:
    def __init__(self, name, server):
        self.name = name
        self.server = server


class Rig:
    """A private cluster, migrated and seeded once, an admin key, and instances A and B.
    Leaving it (also by an exception) kills both and removes the cluster."""

    def __init__(self, kkr, scenario):
        self.kkr = kkr
        self.scenario = scenario
        self.workdir = None
        self.cluster = None
        self.env = None
        self.admin = None
        self.a = None
        self.b = None

    def __enter__(self):
        self.workdir = make_workdir(f"kkr-two-{self.scenario}-")
        try:
            self.cluster = Cluster(self.workdir)
            self.cluster.create()
            self.cluster.start()
            self.env = kkr_env(self.cluster.url,
                               {**NO_RATE_LIMITS,
                                "KKR_FOLLOW_INTERVAL_MS": str(FOLLOW_INTERVAL_MS)})
            migrate_and_seed(self.kkr, self.env)
            self.admin = create_key(self.kkr, self.env, "admin", "two-instances-admin")
            self.a = self.start("A")
            self.b = self.start("B")
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def start(self, name):
        server = Server(self.kkr, self.env, os.path.join(self.workdir, f"kkr-{name}.log"))
        server.start()
        log(f"instance {name}: kkr serve pid {server.proc.pid} on port {server.port}")
        return Instance(name, server)

    def instances(self):
        return [i for i in (self.a, self.b) if i is not None]

    def logs(self):
        parts = [f"--- kkr {i.name} log (tail) ---\n{server_log(i.server.log)}"
                 for i in self.instances()]
        if self.cluster:
            parts.append(f"--- PostgreSQL log (tail) ---\n{tail(self.cluster.log, 20)}")
        return "\n".join(parts)

    def stop_both(self, verdict):
        """SIGTERM to both at once; each must exit 0 (a sanitizer report makes it non-zero)."""
        for instance in self.instances():
            instance.server.terminate()
        deadline = time.monotonic() + STOP_LIMIT_S
        for instance in self.instances():
            status = instance.server.wait(deadline - time.monotonic())
            verdict.check(status == 0, f"instance {instance.name} exit status {status} after "
                                       f"SIGTERM (None: still running after {STOP_LIMIT_S} s)")

    def __exit__(self, *exc):
        for instance in self.instances():
            instance.server.kill()
        if self.cluster:
            self.cluster.destroy()
        remove_workdir(self.workdir)
        return False


# --- read-your-own-write and visibility ----------------------------------------------------------

def body_json(answer):
    return json.loads(answer.body)


class Tracker:
    """Checks each write where it was answered and measures when the other instance shows it."""

    def __init__(self, verdict):
        self.verdict = verdict
        self.lock = threading.Lock()
        self.latencies = []  # (seconds, what)

    def other(self, api, probe, written, what):
        """Polls the other instance until probe(api) is true; records the delay from the write's
        answer (written) to the end of the probe that saw it."""
        deadline = written + VISIBILITY_WAIT_S
        while True:
            if probe(api):
                with self.lock:
                    self.latencies.append((time.monotonic() - written, what))
                return
            if time.monotonic() >= deadline:
                break
            time.sleep(VISIBILITY_POLL_S)
        self.verdict.check(False, f"visibility: {what}, but {api.name} still does not show it "
                                  f"after {VISIBILITY_WAIT_S} s")

    def write(self, here, there, status, method, path, body=None, headers=None):
        """One write on `here`: expects status, then checks it on both instances. A create or an
        update must read back as exactly the JSON it answered (at its Location, or at path); a
        DELETE must read back as 404. Returns the answer."""
        answer = here.expect(status, method, path, body, headers)
        what = f"{method} {path} answered {status} by {here.name}"
        if method == "DELETE":
            def shows(api):
                return api.get(path).status == 404
        else:
            written = body_json(answer)
            path = answer.headers.get("location") or path

            def shows(api):
                read = api.get(path)
                return read.status == 200 and body_json(read) == written
        self.verdict.check(shows(here), f"read-your-own-write: {what}, but GET {path} on "
                                        f"{here.name} does not show it")
        self.other(there, shows, answer.ended, what)
        return answer

    def figures(self):
        with self.lock:
            values = sorted(latency for latency, _ in self.latencies)
        if not values:
            return "no visibility measured"
        p90 = values[min(len(values) - 1, int(len(values) * 0.9))]
        return (f"visibility on the other instance over {len(values)} writes: "
                f"p50 {statistics.median(values) * 1000:.0f} ms, p90 {p90 * 1000:.0f} ms, "
                f"max {values[-1] * 1000:.0f} ms (limit {VISIBILITY_LIMIT_S * 1000:.0f} ms, "
                f"follow interval {FOLLOW_INTERVAL_MS} ms)")

    def check_limit(self):
        with self.lock:
            values = sorted(latency for latency, _ in self.latencies)
            slow = sorted(((latency, what) for latency, what in self.latencies
                           if latency > VISIBILITY_MAX_S), reverse=True)
        if values:
            median = statistics.median(values)
            self.verdict.check(median <= VISIBILITY_LIMIT_S,
                               f"the median visibility on the other instance is "
                               f"{median * 1000:.0f} ms, over {VISIBILITY_LIMIT_S * 1000:.0f} ms")
        self.verdict.check(not slow, f"{len(slow)} writes showed on the other instance later than "
                                     f"{VISIBILITY_MAX_S} s; slowest: "
                                     f"{[(round(s, 3), w) for s, w in slow[:3]]}")


# --- the writers of the converge scenario -------------------------------------------------------

class Writers:
    """Writer threads; each records what it expects the register to hold afterwards."""

    def __init__(self, rig, verdict, tracker):
        self.rig = rig
        self.verdict = verdict
        self.tracker = tracker
        self.lock = threading.Lock()
        self.persons = {}  # id -> (party, kommune_code), or None once deleted

    def expect_person(self, pid, state):
        with self.lock:
            self.persons[pid] = state

    def apis(self, first):
        """(api on first, api on the other instance), both with the admin key."""
        other = self.rig.b if first is self.rig.a else self.rig.a
        return Api(first, self.rig.admin), Api(other, self.rig.admin)

    def start_writer(self, name, work):
        """Runs `work` on a daemon thread named `name`; what it raises fails the verdict."""
        def body():
            try:
                work()
            except TestError as e:
                self.verdict.check(False, f"writer {name}: {e}")
            except Exception as e:  # pylint: disable=broad-except
                self.verdict.check(False, f"writer {name}: {type(e).__name__}: {e}")
        thread = threading.Thread(target=body, name=name, daemon=True)
        thread.start()
        return thread

    def create_person(self, here, there, name, party="A"):
        answer = self.tracker.write(here, there, 201, "POST", "/v1/persons",
                                    {"name": name, "kommune_code": "0851", "party": party,
                                     "email": f"{name.lower().replace(' ', '.')}@example.invalid"})
        pid = body_json(answer)["id"]
        self.expect_person(pid, (party, "0851"))
        return pid

    def person_writer(self, tag, first):
        """Creates persons, alternating between the instances; changes every third on the
        instance that did not create it (If-Match with the ETag that instance serves), deletes
        every fourth there."""
        one, two = self.apis(first)
        for i in range(PERSONS_PER_WRITER):
            here, there = (one, two) if i % 2 == 0 else (two, one)
            pid = self.create_person(here, there, f"Testperson {tag}-{i}")
            path = f"/v1/persons/{pid}"
            if i % 3 == 1:
                etag = there.expect(200, "GET", path).headers["etag"]
                self.tracker.write(there, here, 200, "PATCH", path,
                                   {"party": "V", "kommune_code": "0849"}, {"If-Match": etag})
                self.expect_person(pid, ("V", "0849"))
            if i % 4 == 3:
                self.tracker.write(there, here, 204, "DELETE", path)
                self.expect_person(pid, None)

    def forum(self, tag, first):
        """A forum with four appointments made on alternating instances, one deleted, then
        dissolved on the other instance: its open appointments end that day (a cascade that
        both instances must show)."""
        one, two = self.apis(first)
        forum = body_json(self.tracker.write(one, two, 201, "POST", "/v1/forums",
                                             {"name": f"Testforum {tag}", "kind": "agreement",
                                              "kkr_action": "appoints", "seats": 5}))
        appointments = []
        for k in range(4):
            here, there = (one, two) if k % 2 == 0 else (two, one)
            person = self.create_person(here, there, f"Testperson {tag}-forum-{k}")
            answer = self.tracker.write(here, there, 201, "POST", "/v1/appointments",
                                        {"forum_id": forum["id"], "person_id": person,
                                         "period_id": "2022-2026", "role": "member",
                                         "start_date": f"2022-03-0{k + 1}"})
            appointments.append(body_json(answer)["id"])
        self.tracker.write(one, two, 204, "DELETE", f"/v1/appointments/{appointments.pop()}")

        written = self.tracker.write(two, one, 200, "PATCH", f"/v1/forums/{forum['id']}",
                                     {"dissolved_on": DISSOLVED_ON})
        paths = [f"/v1/appointments/{aid}" for aid in appointments]

        def ended(api):
            answers = [api.get(path) for path in paths]
            return all(a.status == 200 and body_json(a)["end_date"] == DISSOLVED_ON
                       and body_json(a)["status"] == "ended" for a in answers)

        what = f"dissolution of forum {forum['id']} by {two.name} (ends {len(paths)} appointments)"
        self.verdict.check(ended(two), f"read-your-own-write: {what}, but {two.name} does not "
                                       "show the appointments ended")
        self.tracker.other(one, ended, written.ended, what)

    def natural_keys(self):
        """Admin writes on the natural keys: a kommune and a period, each created, changed,
        deleted and created again under the same key; and a KKR seat ended by closing its
        period. Every step runs on the other instance than the one before."""
        a, b = self.apis(self.rig.a)
        kommune = "/v1/kommuner/9901"
        self.tracker.write(a, b, 201, "POST", "/v1/kommuner",
                           {"code": "9901", "name": "Testkommune 1", "region_code": "9999"})
        self.tracker.write(b, a, 200, "PATCH", kommune, {"name": "Testkommune 1b"})
        self.tracker.write(a, b, 204, "DELETE", kommune)
        self.tracker.write(b, a, 201, "POST", "/v1/kommuner",
                           {"code": "9901", "name": "Testkommune 2", "region_code": "9999"})

        # A KKR seat in the open period 2026-2030, ended by closing the period on the other
        # instance (a cascade); then a new period after it, deleted and created again.
        person = self.create_person(a, b, "Testperson Admin-seat")
        seat = body_json(self.tracker.write(a, b, 201, "POST", "/v1/members",
                                            {"person_id": person, "period_id": "2026-2030",
                                             "role": "member", "seat_basis": "party",
                                             "start_date": "2026-02-01"}))
        closed = self.tracker.write(b, a, 200, "PATCH", "/v1/periods/2026-2030",
                                    {"end_date": PERIOD_CLOSED_ON})
        seat_path = f"/v1/members/{seat['id']}"

        def seat_ended(api):
            answer = api.get(seat_path)
            return answer.status == 200 and body_json(answer)["end_date"] == PERIOD_CLOSED_ON

        what = "closing period 2026-2030 by B (ends its open seat)"
        self.verdict.check(seat_ended(b), f"read-your-own-write: {what}, but B does not show the "
                                          "seat ended")
        self.tracker.other(a, seat_ended, closed.ended, what)

        self.tracker.write(a, b, 201, "POST", "/v1/periods",
                           {"id": "2030-2034", "start_date": "2030-01-01"})
        self.tracker.write(b, a, 204, "DELETE", "/v1/periods/2030-2034")
        self.tracker.write(a, b, 201, "POST", "/v1/periods",
                           {"id": "2030-2034", "start_date": "2030-01-02",
                            "end_date": "2033-12-31"})

    def run(self):
        rig = self.rig
        threads = [self.start_writer("persons-A", lambda: self.person_writer("A", rig.a)),
                   self.start_writer("persons-B", lambda: self.person_writer("B", rig.b)),
                   self.start_writer("forum-A", lambda: self.forum("A", rig.a)),
                   self.start_writer("forum-B", lambda: self.forum("B", rig.b)),
                   self.start_writer("natural-keys", self.natural_keys)]
        deadline = time.monotonic() + TEST_LIMIT_S
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        if any(thread.is_alive() for thread in threads):
            raise TestError("writer threads still running at the test's deadline")


# --- reading everything from one instance -------------------------------------------------------

LISTS = ["/v1/kommuner", "/v1/periods", "/v1/persons", "/v1/members", "/v1/forums",
         "/v1/appointments", "/v1/appointments?embed=person,forum",
         "/v1/appointments?at=2023-06-01", "/v1/appointments?status=ended",
         "/v1/members?embed=person", "/v1/persons?q=testperson"]
# One answer each: the Blå Bog, and CSV (which has no `next`) with the largest page.
DOCUMENTS = ["/v1/blue-book?period_id=2022-2026", "/v1/blue-book?at=2024-07-01",
             "/v1/blue-book?period_id=2026-2030&format=csv",
             "/v1/persons?format=csv&limit=1000", "/v1/appointments?format=csv&limit=1000"]


def walk_list(api, path):
    """Every page of a list, following `next` until it is null: [(url, ETag, body)]."""
    sep = "&" if "?" in path else "?"
    url = f"{path}{sep}limit={PAGE}"
    pages = []
    for _ in range(1000):
        answer = api.expect(200, "GET", url)
        pages.append((url, answer.headers.get("etag"), answer.body))
        url = body_json(answer)["next"]
        if url is None:
            return pages
    raise TestError(f"{path} on {api.name} did not end within 1000 pages")


def walk_feed(api, feed):
    """Every page of /v1/changes or /v1/audit: [(url, body)], and the last seq."""
    url, pages, last = f"{feed}?after=0&limit={FEED_PAGE}", [], 0
    for _ in range(1000):
        answer = api.expect(200, "GET", url)
        pages.append((url, answer.body))
        items = body_json(answer)["items"]
        if items:
            last = items[-1]["seq"]
        if len(items) < FEED_PAGE:
            return pages, last
        url = body_json(answer)["next"]
    raise TestError(f"{feed} on {api.name} did not end within 1000 pages")


def everything(api, public):
    """{what: pages} for every list, document and feed, as this instance serves them."""
    seen = {}
    for path in LISTS:
        seen[path] = walk_list(api, path)
    for path in ("/v1/persons", "/v1/appointments?embed=person,forum"):
        seen[f"{path} (public)"] = walk_list(public, path)
    for path in DOCUMENTS:
        answer = api.expect(200, "GET", path)
        seen[path] = [(path, answer.headers.get("etag"), answer.body)]
    for feed in ("/v1/changes", "/v1/audit"):
        seen[feed] = walk_feed(api, feed)[0]
    return seen


def snapshot_seq(api):
    answer = api.expect(200, "GET", "/metrics")
    found = re.search(rb"^kkr_snapshot_seq (\d+)$", answer.body, re.M)
    if not found:
        raise TestError(f"/metrics on {api.name} has no kkr_snapshot_seq")
    return int(found.group(1))


def first_difference(pages_a, pages_b):
    if len(pages_a) != len(pages_b):
        return f"A has {len(pages_a)} pages, B {len(pages_b)}"
    for page_a, page_b in zip(pages_a, pages_b):
        if page_a != page_b:
            return f"A: {str(page_a)[:400]} / B: {str(page_b)[:400]}"
    return None


# --- scenarios ---------------------------------------------------------------------------------

def converge(rig, verdict):
    tracker = Tracker(verdict)
    writers = Writers(rig, verdict, tracker)
    started = time.monotonic()
    writers.run()
    writes_took = time.monotonic() - started
    tracker.check_limit()
    verdict.figure(tracker.figures())
    verdict.figure(f"writes and checks took {writes_took:.1f} s")

    a, b = Api(rig.a, rig.admin), Api(rig.b, rig.admin)
    _, last = walk_feed(a, "/v1/changes")
    deadline, seqs = time.monotonic() + CONVERGE_LIMIT_S, None
    while time.monotonic() < deadline:
        seqs = (snapshot_seq(a), snapshot_seq(b))
        if seqs == (last, last):
            break
        time.sleep(0.05)
    verdict.check(seqs == (last, last), f"kkr_snapshot_seq (A, B) = {seqs}, not both the feed's "
                                        f"last seq {last}, after {CONVERGE_LIMIT_S} s")
    verdict.figure(f"{last} changes")

    seen_a = everything(a, Api(rig.a, None))
    seen_b = everything(b, Api(rig.b, None))
    for what, pages in seen_a.items():
        difference = first_difference(pages, seen_b[what])
        verdict.check(difference is None, f"{what} differs between A and B: {difference}")
    pages = sum(len(p) for p in seen_a.values())
    verdict.figure(f"{len(seen_a)} lists, documents and feeds ({pages} pages) compared")

    listed = {}
    for _, _, body in seen_a["/v1/persons"]:
        for person in json.loads(body)["items"]:
            listed[person["id"]] = (person["party"], person["kommune_code"])
    stored = {int(row[0]) for row in rig.cluster.sql("SELECT id FROM person")}
    verdict.check(set(listed) == stored, f"/v1/persons lists {len(listed)} persons, the database "
                                         f"holds {len(stored)}; listed only: "
                                         f"{sorted(set(listed) - stored)[:5]}, stored only: "
                                         f"{sorted(stored - set(listed))[:5]}")
    wrong = {pid: (state, listed.get(pid)) for pid, state in writers.persons.items()
             if ((pid in listed) if state is None else (listed.get(pid) != state))}
    verdict.check(not wrong, f"{len(wrong)} persons not as the writers left them "
                             f"(id: (expected, listed)): {list(wrong.items())[:5]}")
    verdict.check(len(writers.persons) >= 2 * PERSONS_PER_WRITER,
                  f"only {len(writers.persons)} persons were written")
    rig.stop_both(verdict)


def revocation(rig, verdict):
    """REVOCATION_KEYS editor keys, each used on both instances every REVOCATION_POLL_S, each
    key on each instance from a different moment of the cache's second, then all revoked at once.
    Each (key, instance) is a sample of where in its cached second the revocation falls, so the
    slowest refusal comes close to the worst case (the entry refreshed just before the commit)."""
    names = [f"revocable-{k}" for k in range(REVOCATION_KEYS)]
    tokens = {name: create_key(rig.kkr, rig.env, "editor", name) for name in names}
    path = "/v1/persons?limit=1"
    polls = {}  # (key name, instance name) -> [Answer]
    stopping = threading.Event()

    def poll(name, instance, delay):
        api, answers = Api(instance, tokens[name]), polls.setdefault((name, instance.name), [])
        stopping.wait(delay)
        try:
            while not stopping.is_set():
                answers.append(api.call("GET", path))
                stopping.wait(REVOCATION_POLL_S)
        except TestError as e:
            verdict.check(False, f"polling {instance.name} with key {name}: {e}")
        api.close()

    pairs = [(name, instance) for name in names for instance in rig.instances()]
    threads = [threading.Thread(target=poll, args=(name, instance, j / len(pairs)), daemon=True)
               for j, (name, instance) in enumerate(pairs)]
    for thread in threads:
        thread.start()
    # Longer than the key cache's second after the last poller started: each instance has
    # checked each key with the database and cached it again by the time it is revoked.
    time.sleep(2.0)
    launched = time.monotonic()
    revokers = [subprocess.Popen([rig.kkr, "keys", "revoke", "--name", name], env=rig.env,
                                 cwd="/", stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                for name in names]
    for name, revoker in zip(names, revokers):
        try:
            _, err = revoker.communicate(timeout=30)
        except subprocess.TimeoutExpired as e:
            revoker.kill()
            raise TestError(f"kkr keys revoke --name {name} did not finish within 30 s") from e
        if revoker.returncode != 0:
            raise TestError(f"kkr keys revoke --name {name} exited with {revoker.returncode}: "
                            f"{err.decode(errors='replace')[-500:]}")
    revoked = time.monotonic()
    time.sleep(REVOCATION_LIMIT_S + REVOCATION_SLACK_S + 0.5)
    stopping.set()
    for thread in threads:
        thread.join(15.0)
    if any(thread.is_alive() for thread in threads):
        raise TestError("pollers still running after their last request's timeout")

    # When each revocation committed, on our clock.
    offset = time.time() - time.monotonic()
    committed = {row[0]: float(row[1]) - offset for row in rig.cluster.sql(
        "SELECT name, extract(epoch FROM pg_xact_commit_timestamp(xmin)) FROM api_key "
        "WHERE name LIKE 'revocable-%'")}
    verdict.check(set(committed) == set(names), f"commit times found for {sorted(committed)}")
    verdict.figure(f"{REVOCATION_KEYS} keys revoked at once by `kkr keys revoke`, committed "
                   f"{min(committed.values()) - launched:.2f}-"
                   f"{max(committed.values()) - launched:.2f} s after the commands' launch "
                   f"(they ran {revoked - launched:.2f} s)")

    for instance in rig.instances():
        delays = []
        for name in names:
            answers, commit = polls[(name, instance.name)], committed.get(name, revoked)
            label = f"{instance.name}, key {name}"
            before = [a for a in answers if a.ended < launched]
            verdict.check(before and all(a.status == 200 for a in before),
                          f"{label}: the key was not accepted before its revocation: "
                          f"{sorted({a.status for a in before})}")
            refused = [a for a in answers if a.status == 401]
            first = refused[0] if refused else None
            # Every request sent once the key's cached second has run out from the commit (plus
            # a key check still in flight at the commit) is refused, and so is every request sent
            # after the first refusal.
            limit = commit + REVOCATION_LIMIT_S + REVOCATION_SLACK_S
            late = [a for a in answers if a.status != 401
                    and (a.started >= limit or (first and a.started > first.ended))]
            verdict.check(first is not None and any(a.started >= limit for a in answers),
                          f"{label}: no request was refused, or none was sent after the limit")
            verdict.check(not late, f"{label}: {len(late)} requests sent "
                                    f"{REVOCATION_LIMIT_S + REVOCATION_SLACK_S} s or more after "
                                    f"the revocation's commit, or after a refusal, were answered "
                                    f"{sorted({a.status for a in late})}; the first was sent "
                                    f"{late[0].started - commit:.3f} s after the commit"
                                    if late else "")
            bad = [a for a in refused if "www-authenticate" not in a.headers
                   or not a.headers.get("content-type", "").startswith("application/problem+json")]
            verdict.check(not bad, f"{label}: {len(bad)} 401s lack WWW-Authenticate or "
                                   "application/problem+json")
            if first:
                delays.append(first.ended - commit)
        still = Api(instance, rig.admin).call("GET", path)
        verdict.check(still.status == 200, f"{instance.name}: the admin key is refused too after "
                                           f"revoking others: {still.status}")
        if delays:
            verdict.figure(f"{instance.name} refused them {min(delays):.2f}-{max(delays):.2f} s "
                           "after their commits")
    rig.stop_both(verdict)


SCENARIOS = {"converge": converge, "revocation": revocation}


if __name__ == "__main__":
    sys.exit(main(sys.argv, SCENARIOS, Rig, TEST_LIMIT_S))
