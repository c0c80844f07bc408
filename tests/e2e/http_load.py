#!/usr/bin/env python3
"""Raw-socket HTTP clients for tests/e2e/http_load.sh (standard library only).

    http_load.py framing PORT
        requests whose framing a proxy could read differently: each must be
        answered 400 and the connection closed (nothing after it answered);
        a control pipeline of two good requests gets two answers (on the
        auth listener 404s: answers all the same)
    http_load.py hostile PORT HOSTILE_ADDR N ACTIVE SECONDS
        N idle connections from HOSTILE_ADDR (a 127.0.0.0/8 address) held
        open while ACTIVE clients from 127.0.0.1 GET the healthcheck, one
        new connection per request, for SECONDS; prints a JSON summary and
        fails when an active request fails or waits a second or more
    http_load.py idle PORT SRC_ADDR N SECONDS
        N idle connections from SRC_ADDR held SECONDS, then closed
    http_load.py slow PORT INTERVAL_S LIMIT_S
        a request trickled one byte every INTERVAL_S: prints the seconds
        until the server closed the connection (fails past LIMIT_S)
"""
import json
import socket
import sys
import threading
import time

HEALTH = b"GET /api/v1/common/healthcheck/ HTTP/1.1\r\nHost: t\r\n"


def read_all(s, timeout=5.0):
    s.settimeout(timeout)
    data = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return data, True
            data += chunk
    except socket.timeout:
        return data, False
    except ConnectionResetError:
        return data, True


def framing(port):
    cases = {
        "duplicate Content-Length":
            b"POST /api/v1/auth/token/verify/ HTTP/1.1\r\nHost: t\r\n"
            b"Content-Type: application/json\r\n"
            b"Content-Length: 2\r\nContent-Length: 40\r\n\r\n{}" +
            HEALTH + b"\r\n",
        "identical duplicate Content-Length":
            b"POST /api/v1/auth/token/verify/ HTTP/1.1\r\nHost: t\r\n"
            b"Content-Length: 2\r\nContent-Length: 2\r\n\r\n{}" +
            HEALTH + b"\r\n",
        "space before the colon (Transfer-Encoding :)":
            b"POST /api/v1/auth/token/verify/ HTTP/1.1\r\nHost: t\r\n"
            b"Transfer-Encoding : chunked\r\n\r\n"
            b"0\r\n\r\n" + HEALTH + b"\r\n",
        "Transfer-Encoding with Content-Length":
            b"POST /api/v1/auth/token/verify/ HTTP/1.1\r\nHost: t\r\n"
            b"Content-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"0\r\n\r\n" + HEALTH + b"\r\n",
        "Transfer-Encoding other than chunked":
            b"POST /api/v1/auth/token/verify/ HTTP/1.1\r\nHost: t\r\n"
            b"Transfer-Encoding: gzip, chunked\r\nContent-Length: 2\r\n"
            b"\r\n{}" + HEALTH + b"\r\n",
        "GET with a body":
            b"GET /api/v1/common/healthcheck/ HTTP/1.1\r\nHost: t\r\n"
            b"Content-Length: %d\r\n\r\n" % (len(HEALTH) + 2) +
            HEALTH + b"\r\n",
    }
    failed = 0
    for name, raw in cases.items():
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(raw)
        data, closed = read_all(s)
        s.close()
        answers = data.count(b"HTTP/1.1 ")
        ok = data.startswith(b"HTTP/1.1 400 ") and answers == 1 and closed
        print("%s - %s: %s" % ("ok" if ok else "FAIL", name,
              data.split(b"\r\n")[0].decode(errors="replace") or
              "(no answer)") +
              ("" if closed else " (connection left open)") +
              ("" if answers <= 1 else " (%d answers)" % answers))
        failed += not ok
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(HEALTH + b"\r\n" + HEALTH + b"Connection: close\r\n\r\n")
    data, closed = read_all(s)
    s.close()
    # (404 on a listener without the api: an answer all the same)
    ok = data.count(b"HTTP/1.1 ") == 2 and b" 400 " not in data
    print("%s - control: two pipelined good requests, %d answered" %
          ("ok" if ok else "FAIL", data.count(b"HTTP/1.1 ")))
    failed += not ok
    return 1 if failed else 0


def open_idle(port, src, n):
    socks = []
    for _ in range(n):
        s = socket.socket()
        s.bind((src, 0))
        s.setblocking(False)
        try:
            s.connect(("127.0.0.1", port))
        except BlockingIOError:
            pass
        socks.append(s)
    return socks


def hostile(port, src, n, active, seconds):
    socks = open_idle(port, src, n)
    stop = time.monotonic() + seconds
    lat = []
    errors = []
    lock = threading.Lock()

    def client():
        while time.monotonic() < stop:
            t0 = time.monotonic()
            try:
                s = socket.create_connection(("127.0.0.1", port), timeout=5)
                s.sendall(HEALTH + b"Connection: close\r\n\r\n")
                data, _ = read_all(s, 5)
                s.close()
                if not data.startswith(b"HTTP/1.1 200 "):
                    raise RuntimeError(data[:40])
            except Exception as e:  # noqa: BLE001 (report every failure)
                with lock:
                    errors.append(repr(e))
                continue
            with lock:
                lat.append(time.monotonic() - t0)

    threads = [threading.Thread(target=client) for _ in range(active)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # How many of the idle connections the server still holds.
    held = 0
    for s in socks:
        try:
            s.setblocking(False)
            if s.recv(1) == b"":
                continue
            held += 1
        except BlockingIOError:
            held += 1
        except OSError:
            pass
    for s in socks:
        s.close()
    lat.sort()
    summary = {
        "idle_opened": n, "idle_held_by_server": held,
        "active_requests": len(lat), "errors": len(errors),
        "first_errors": errors[:3],
        "p50_ms": round(lat[len(lat) // 2] * 1000, 1) if lat else None,
        "p99_ms": round(lat[int(len(lat) * 0.99)] * 1000, 1) if lat else None,
        "max_ms": round(lat[-1] * 1000, 1) if lat else None,
    }
    print(json.dumps(summary))
    return 1 if errors or not lat or lat[-1] >= 1.0 else 0


def idle(port, src, n, seconds):
    socks = open_idle(port, src, n)
    time.sleep(seconds)
    for s in socks:
        s.close()
    return 0


def slow(port, interval, limit):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    t0 = time.monotonic()
    req = HEALTH + b"X-Padding: " + b"a" * 200 + b"\r\n\r\n"
    for b in req:
        try:
            s.sendall(bytes([b]))
        except OSError:
            break
        s.settimeout(interval)
        try:
            if s.recv(4096) == b"":
                break
        except socket.timeout:
            pass
        except OSError:
            break
        if time.monotonic() - t0 > limit + interval:
            break
    took = time.monotonic() - t0
    print("%.1f" % took)
    return 0 if took <= limit else 1


def main(argv):
    cmd = argv[1]
    if cmd == "framing":
        return framing(int(argv[2]))
    if cmd == "hostile":
        return hostile(int(argv[2]), argv[3], int(argv[4]), int(argv[5]),
                       float(argv[6]))
    if cmd == "idle":
        return idle(int(argv[2]), argv[3], int(argv[4]), float(argv[5]))
    if cmd == "slow":
        return slow(int(argv[2]), float(argv[3]), float(argv[4]))
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
