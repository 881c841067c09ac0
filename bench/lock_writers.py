#!/usr/bin/env python3
"""Writers for the `locked` bench section: N keep-alive clients that POST persons in a loop
while STOPFILE exists, each honouring Retry-After on a 503 as a decent client does.

Each POST carries an Idempotency-Key of its own, as a careful client's would. Such a create runs
in a transaction of its own and is never grouped with others (docs/write-path.md), so every
writer that reaches a worker holds a pooled connection while it waits for the lock: the section
measures reads while every worker and every connection waits.

One process with a thread per writer, so that the writers themselves cost the machine next to
nothing: starting a curl process per request made bursts of process starts whenever the waiting
writes timed out together, and those bursts, not the server, set the readers' p99.

Usage: lock_writers.py BASE_URL TOKEN COUNT STOPFILE
"""
import http.client
import json
import os
import sys
import threading
import time
import urllib.parse
import uuid


def writer(base, token, stopfile):
    url = urllib.parse.urlsplit(base)
    body = json.dumps({"name": "Benchperson Venter", "kommune_code": "0851"})
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    conn = None
    while os.path.exists(stopfile):
        try:
            if conn is None:
                conn = http.client.HTTPConnection(url.hostname, url.port, timeout=15)
            conn.request("POST", "/v1/persons", body,
                         {**headers, "Idempotency-Key": str(uuid.uuid4())})
            response = conn.getresponse()
            response.read()
            if response.status == 503:
                time.sleep(min(float(response.getheader("Retry-After") or 1), 5))
        except (OSError, http.client.HTTPException):
            if conn is not None:
                conn.close()
            conn = None
            time.sleep(0.1)
    if conn is not None:
        conn.close()


def main():
    base, token, count, stopfile = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    threads = [threading.Thread(target=writer, args=(base, token, stopfile)) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


if __name__ == "__main__":
    main()
