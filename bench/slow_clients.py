#!/usr/bin/env python3
"""Slow and many clients against one `kkr serve` (issue #9, item 5).

For SECONDS, COUNT connections are kept open at all times, each trickling one byte a second:
half of them a request head that never ends, half a POST whose head is complete and whose body
(Content-Length 4096) never ends. A connection the server cuts off is replaced at once, as an
attacker would. Meanwhile one normal client asks GET /v1/kommuner every 50 ms on a fresh
connection, and the server's open file descriptors are counted every second (/proc/PID/fd).

Prints a Markdown table: the normal client's p50/p99/max and failures, how the slow connections
ended (status line of the answer, or a reset) and after how long, and the server's most open
descriptors against its soft limit. Exits 1 when the normal client had a failure, when a slow
connection was never cut off while the run lasted longer than the body timeout, or when the
server ran out of descriptors.

Usage: slow_clients.py HOST PORT SERVER_PID [COUNT=500] [SECONDS=60]
"""
import os
import resource
import selectors
import socket
import statistics
import sys
import threading
import time

HEAD_PREFIX = b"GET /v1/kommuner HTTP/1.1\r\nHost: bench\r\nX-Slow: "
BODY_HEAD = (b"POST /v1/persons HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n"
             b"Content-Length: 4096\r\n\r\n{\"name\":\"")
NORMAL_EVERY_S = 0.05
NORMAL_TIMEOUT_S = 5.0


class Slow:
    """One trickling connection: what it sends first, then one byte a second."""

    def __init__(self, kind, host, port):
        self.kind = kind
        self.opened = time.monotonic()
        self.sock = socket.create_connection((host, port), timeout=5)
        self.sock.setblocking(False)
        self.sock.send(HEAD_PREFIX if kind == "head" else BODY_HEAD)
        self.answer = b""


def normal_client(host, port, stop, latencies, failures):
    request = b"GET /v1/kommuner HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n"
    while not stop.is_set():
        started = time.monotonic()
        try:
            with socket.create_connection((host, port), timeout=NORMAL_TIMEOUT_S) as s:
                s.sendall(request)
                data = b""
                while chunk := s.recv(65536):
                    data += chunk
            if not data.startswith(b"HTTP/1.1 200"):
                failures.append(data[:40].decode("latin-1") or "empty answer")
            latencies.append(time.monotonic() - started)
        except OSError as e:
            failures.append(f"{type(e).__name__}: {e}")
        time.sleep(max(0.0, NORMAL_EVERY_S - (time.monotonic() - started)))


def count_fds(pid):
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return -1


def soft_fd_limit(pid):
    with open(f"/proc/{pid}/limits") as f:
        for line in f:
            if line.startswith("Max open files"):
                return int(line.split()[3])
    return -1


def run(host, port, pid, count, seconds):
    # The bench itself holds COUNT sockets plus those it replaces.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    selector = selectors.DefaultSelector()
    ended = []  # (kind, how, seconds open)
    stop = threading.Event()
    latencies, failures = [], []
    normal = threading.Thread(target=normal_client, args=(host, port, stop, latencies, failures))
    opened = 0

    def open_one(kind):
        nonlocal opened
        try:
            conn = Slow(kind, host, port)
        except OSError as e:
            ended.append((kind, f"connect failed: {e}", 0.0))
            return
        opened += 1
        selector.register(conn.sock, selectors.EVENT_READ, conn)

    def close(conn, how):
        selector.unregister(conn.sock)
        conn.sock.close()
        ended.append((conn.kind, how, time.monotonic() - conn.opened))

    for i in range(count):
        open_one("head" if i % 2 == 0 else "body")
    normal.start()
    max_fds = 0
    deadline = time.monotonic() + seconds
    next_tick = time.monotonic()
    while time.monotonic() < deadline:
        for key, _ in selector.select(timeout=0.2):
            conn = key.data
            try:
                data = conn.sock.recv(65536)
            except OSError:
                data = None
            if data:
                conn.answer += data
                continue
            status = conn.answer.split(b"\r\n", 1)[0].decode("latin-1") if conn.answer else None
            close(conn, status or "closed without an answer")
            open_one(conn.kind)
        if time.monotonic() >= next_tick:
            next_tick += 1.0
            for key in list(selector.get_map().values()):
                try:
                    key.data.sock.send(b"a")
                except OSError:
                    pass  # the read side reports how it ended
            max_fds = max(max_fds, count_fds(pid))
    still_open = len(selector.get_map())
    for key in list(selector.get_map().values()):
        key.data.sock.close()
    stop.set()
    normal.join()
    return ended, still_open, opened, latencies, failures, max_fds


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))] if values else float("nan")


def main():
    host, port, pid = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    count = int(sys.argv[4]) if len(sys.argv) > 4 else 500
    seconds = float(sys.argv[5]) if len(sys.argv) > 5 else 60
    limit = soft_fd_limit(pid)
    ended, still_open, opened, latencies, failures, max_fds = run(host, port, pid, count, seconds)
    ms = [v * 1000 for v in latencies]
    print("| measure | value |")
    print("|---|---|")
    print(f"| slow connections held open at once | {count} (half heads, half bodies; "
          f"{opened} opened in {seconds:.0f} s) |")
    print(f"| normal client: requests, failures | {len(ms)}, {len(failures)} |")
    if ms:
        print(f"| normal client: p50 / p99 / max | {statistics.median(ms):.1f} ms / "
              f"{percentile(ms, 0.99):.1f} ms / {max(ms):.1f} ms |")
    for kind, plural in (("head", "heads"), ("body", "bodies")):
        mine = [(how, s) for k, how, s in ended if k == kind]
        hows = {}
        for how, _ in mine:
            hows[how] = hows.get(how, 0) + 1
        cut = [s for _, s in mine]
        summary = ", ".join(f"{n} × {how}" for how, n in sorted(hows.items())) or "none"
        after = (f"; after {statistics.median(cut):.1f} s (median), {max(cut):.1f} s (max)"
                 if cut else "")
        print(f"| slow {plural} cut off by the server | {summary}{after} |")
    print(f"| server: most open descriptors / soft limit | {max_fds} / {limit} |")
    if failures:
        print(f"\nnormal client failures (first 5): {failures[:5]}", file=sys.stderr)
    bad = bool(failures) or (seconds > 35 and not ended) or max_fds >= limit
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
