#!/usr/bin/env python3
"""Soak (issue #9, item 7): mixed reads and writes against one `kkr serve` for SECONDS.

Four readers walk the public API on keep-alive connections (lists of 100, items, CSV, the Blå
Bog, the change feed with its `next`); two writers each create a person, change it twice with
If-Match and delete it, over and over, and an appointment's forum list is read with its embeds.
Every request is valid, so every answer must be 2xx (a 304 counts as valid too). The server's
resident set (VmRSS) is sampled every 10 s; the figures at minute 2 and at the end are compared.

Prints a Markdown table and exits 1 when any answer was not 2xx/304, or when the RSS grew by
more than GROWTH_LIMIT between minute 2 and the end.

Usage: soak.py BASE_URL TOKEN SERVER_PID [SECONDS=600]
"""
import http.client
import json
import sys
import threading
import time
import urllib.parse

GROWTH_LIMIT = 0.05
FIRST_SAMPLE_S = 120
READER_PATHS = [
    "/v1/persons?limit=100", "/v1/appointments?limit=100&embed=person,forum",
    "/v1/forums", "/v1/kommuner", "/v1/members?embed=person", "/v1/periods",
    "/v1/persons?limit=100&format=csv", "/v1/persons?q=bench", "/v1/kommuner/0851",
    "/v1/blue-book?at=2024-01-01", "/v1/blue-book?at=2024-01-01&format=html",
    "/healthz", "/readyz",
]


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.by_status = {}
        self.bad = []

    def count(self, method, path, status):
        with self.lock:
            self.by_status[status] = self.by_status.get(status, 0) + 1
            if not (200 <= status < 300 or status == 304):
                self.bad.append(f"{method} {path} → {status}")


class Client:
    def __init__(self, base, token=None):
        url = urllib.parse.urlsplit(base)
        self.host, self.port, self.token = url.hostname, url.port, token
        self.conn = None

    def call(self, method, path, body=None, headers=None):
        headers = dict(headers or {})
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if body is not None:
            # A PATCH body is a JSON merge patch (RFC 7396), and says so.
            headers["Content-Type"] = ("application/merge-patch+json" if method == "PATCH"
                                       else "application/json")
            body = json.dumps(body)
        for attempt in range(2):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
                self.conn.request(method, path, body, headers)
                response = self.conn.getresponse()
                data = response.read()
                return response.status, response.getheader("ETag"), data
            except (OSError, http.client.HTTPException):
                # The server may close an idle keep-alive connection; one retry on a new one.
                self.conn.close()
                self.conn = None
                if attempt == 1:
                    raise
        raise AssertionError("unreachable")


def reader(base, stop, tally, index):
    client = Client(base)
    i = index
    after = 0
    while not stop.is_set():
        path = READER_PATHS[i % len(READER_PATHS)]
        if i % 7 == 0:
            path = f"/v1/changes?after={after}&limit=100"
        status, _, data = client.call("GET", path)
        tally.count("GET", path, status)
        if path.startswith("/v1/changes") and status == 200:
            items = json.loads(data)["items"]
            after = items[-1]["seq"] if items else 0
        i += 1


def writer(base, token, stop, tally, index):
    client = Client(base, token)
    n = 0
    while not stop.is_set():
        n += 1
        status, etag, data = client.call("POST", "/v1/persons", {
            "name": f"Soakperson {index}-{n}", "kommune_code": "0851", "party": "A"})
        tally.count("POST", "/v1/persons", status)
        if status != 201:
            continue
        path = f"/v1/persons/{json.loads(data)['id']}"
        for change in ({"other_names": [f"Soak {n}"]}, {"email": "soak@example.invalid"}):
            status, etag, _ = client.call("PATCH", path, change, {"If-Match": etag})
            tally.count("PATCH", path, status)
            if status != 200:
                break
        status, _, _ = client.call("GET", path)
        tally.count("GET", path, status)
        status, _, _ = client.call("DELETE", path, headers={"If-Match": etag or "*"})
        tally.count("DELETE", path, status)


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main():
    base, token, pid = sys.argv[1], sys.argv[2], int(sys.argv[3])
    seconds = float(sys.argv[4]) if len(sys.argv) > 4 else 600
    stop, tally = threading.Event(), Tally()
    threads = [threading.Thread(target=reader, args=(base, stop, tally, i)) for i in range(4)]
    threads += [threading.Thread(target=writer, args=(base, token, stop, tally, i))
                for i in range(2)]
    for t in threads:
        t.start()
    started = time.monotonic()
    samples = []  # (seconds since start, MB)
    while time.monotonic() - started < seconds:
        time.sleep(10)
        samples.append((time.monotonic() - started, rss_mb(pid)))
    stop.set()
    for t in threads:
        t.join()
    first = next((mb for s, mb in samples if s >= FIRST_SAMPLE_S), samples[0][1])
    last = samples[-1][1]
    growth = (last - first) / first
    total = sum(tally.by_status.values())
    print("| measure | value |")
    print("|---|---|")
    print(f"| requests (readers 4, writers 2) | {total} in {seconds:.0f} s "
          f"({total / seconds:.0f}/s) |")
    print(f"| answers by status | " +
          ", ".join(f"{s}: {n}" for s, n in sorted(tally.by_status.items())) + " |")
    print(f"| answers that were not 2xx or 304 | {len(tally.bad)} |")
    print(f"| VmRSS at minute {FIRST_SAMPLE_S // 60} / at the end | {first:.1f} MB / {last:.1f} MB "
          f"({growth * 100:+.1f} %, limit +{GROWTH_LIMIT * 100:.0f} %) |")
    print(f"| VmRSS every minute (MB) | " +
          ", ".join(f"{mb:.0f}" for s, mb in samples[5::6]) + " |")
    if tally.bad:
        print(f"\nfirst answers that were not 2xx: {tally.bad[:5]}", file=sys.stderr)
    sys.exit(1 if tally.bad or growth > GROWTH_LIMIT else 0)


if __name__ == "__main__":
    main()
