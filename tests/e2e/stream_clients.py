#!/usr/bin/env python3
"""Server-Sent Events clients for tests/e2e/stream.sh and bench/stream.sh.

  events BASE TOKEN ID TIMEOUT     the events of one stream, as JSON lines
                                   {"event","data","t"} (t: seconds since
                                   the request); exit 1 on a non-200
  status BASE TOKEN ID             the HTTP status and body of an open
  disconnect BASE TOKEN ID         open, read the headers, close at once
  many BASE TOKEN ID N TIMEOUT RSSCMD
                                   N streams at once on raw sockets: waits
                                   until every one is open, runs RSSCMD
                                   (prints the server's RSS), then until
                                   every one got its result event; prints
                                   a JSON summary
  bench BASE TOKEN PROBLEM SOURCE LANG ROUNDS
                                   submit ROUNDS times; for each, a stream
                                   and a result poll (the original client:
                                   GET result/check/ID/ again after each
                                   202) at once: prints per round, then the
                                   medians, the time from the last test
                                   finishing (the result's finished_at) to
                                   the final event / the poll's answer
"""
import datetime
import json
import os
import statistics
import threading
import urllib.request
import resource
import selectors
import socket
import subprocess
import sys
import time
import urllib.parse


def request(base, token, sid):
    u = urllib.parse.urlparse(base)
    path = "/api/v1/result/stream/%s/" % sid
    auth = "Authorization: Bearer %s\r\n" % token if token != "-" else ""
    return (u.hostname, u.port), (
        "GET %s HTTP/1.1\r\nHost: %s\r\nAccept: text/event-stream\r\n%s\r\n"
        % (path, u.netloc, auth)).encode()


class Stream:
    """One SSE response read incrementally (chunked transfer decoded)."""

    def __init__(self):
        self.buf = b""
        self.status = None
        self.headers = {}
        self.chunked = False
        self.body = b""
        self.events = []
        self.done = False  # the response ended

    def feed(self, data):
        self.buf += data
        if self.status is None:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buf[:end].decode("latin-1").split("\r\n")
            self.buf = self.buf[end + 4:]
            self.status = int(head[0].split()[1])
            for line in head[1:]:
                k, _, v = line.partition(":")
                self.headers[k.strip().lower()] = v.strip()
            self.chunked = "chunked" in self.headers.get(
                "transfer-encoding", "")
        if not self.chunked:
            self.body += self.buf
            self.buf = b""
            n = self.headers.get("content-length")
            if n is not None and len(self.body) >= int(n):
                self.done = True
        else:
            while True:
                end = self.buf.find(b"\r\n")
                if end < 0:
                    break
                size = int(self.buf[:end].split(b";")[0], 16)
                if len(self.buf) < end + 2 + size + 2:
                    break
                self.body += self.buf[end + 2:end + 2 + size]
                self.buf = self.buf[end + 2 + size + 2:]
                if size == 0:
                    self.done = True
                    break
        if self.status == 200:
            self.parse_events()

    def parse_events(self):
        while True:
            end = self.body.find(b"\n\n")
            if end < 0:
                return
            block = self.body[:end].decode()
            self.body = self.body[end + 2:]
            ev, data = "message", []
            for line in block.split("\n"):
                if line.startswith(":"):
                    continue
                k, _, v = line.partition(":")
                v = v[1:] if v.startswith(" ") else v
                if k == "event":
                    ev = v
                elif k == "data":
                    data.append(v)
            if data:
                self.events.append((ev, json.loads("\n".join(data)),
                                    time.monotonic()))


def one(base, token, sid, timeout):
    addr, req = request(base, token, sid)
    s = socket.create_connection(addr, timeout=timeout)
    s.sendall(req)
    st = Stream()
    t0 = time.monotonic()
    deadline = t0 + timeout
    while not st.done and time.monotonic() < deadline:
        if st.events and st.events[-1][0] in ("result", "timeout"):
            break
        s.settimeout(max(0.1, deadline - time.monotonic()))
        try:
            data = s.recv(65536)
        except socket.timeout:
            break
        if not data:
            break
        st.feed(data)
        # STREAM_READY: a file made once the response's head arrived
        # (the stream is open), for a script that waits on it.
        ready = os.environ.get("STREAM_READY")
        if ready and st.status is not None and not os.path.exists(ready):
            open(ready, "w").close()
    s.close()
    return st, t0


def cmd_events(base, token, sid, timeout):
    st, t0 = one(base, token, sid, float(timeout))
    if st.status != 200:
        print(json.dumps({"status": st.status, "body": st.body.decode()}))
        return 1
    for ev, data, t in st.events:
        print(json.dumps({"event": ev, "data": data, "t": t - t0}))
    return 0


def read_until(base, token, sid, stop):
    """Open a stream and read it until stop(Stream) or the end; closed."""
    addr, req = request(base, token, sid)
    s = socket.create_connection(addr, timeout=30)
    s.sendall(req)
    st = Stream()
    while not stop(st):
        data = s.recv(65536)
        if not data:
            break
        st.feed(data)
    s.close()
    return st


def cmd_status(base, token, sid):
    st = read_until(base, token, sid,
                    lambda st: st.done or st.status == 200)
    print(st.status, st.headers.get("content-type", ""),
          st.body.decode(errors="replace") if st.status != 200 else "")
    return 0


def cmd_disconnect(base, token, sid):
    st = read_until(base, token, sid, lambda st: st.status is not None)
    print(st.status)
    return 0 if st.status == 200 else 1


def cmd_many(base, token, sid, n, timeout, rsscmd):
    n = int(n)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, n + 256)
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    addr, req = request(base, token, sid)
    sel = selectors.DefaultSelector()
    streams = {}
    t0 = time.monotonic()
    deadline = t0 + float(timeout)
    for _ in range(n):
        s = socket.create_connection(addr, timeout=30)
        s.sendall(req)
        s.setblocking(False)
        st = Stream()
        streams[s] = st
        sel.register(s, selectors.EVENT_READ)
    summary = {"streams": n, "open_s": None, "rss": None}
    while time.monotonic() < deadline:
        for key, _ in sel.select(timeout=0.5):
            s = key.fileobj
            try:
                data = s.recv(65536)
            except BlockingIOError:
                continue
            st = streams[s]
            if data:
                st.feed(data)
            if not data or st.done or (
                    st.events and st.events[-1][0] == "result"):
                sel.unregister(s)
                s.close()
                st.done = True
        opened = sum(1 for st in streams.values() if st.status == 200)
        if summary["open_s"] is None and opened == n:
            summary["open_s"] = round(time.monotonic() - t0, 3)
            summary["rss"] = subprocess.run(
                rsscmd, shell=True, capture_output=True,
                text=True).stdout.strip()
        if all(st.done for st in streams.values()):
            break
    summary["status_200"] = sum(
        1 for st in streams.values() if st.status == 200)
    summary["results"] = sum(
        1 for st in streams.values()
        if st.events and st.events[-1][0] == "result")
    summary["done_s"] = round(time.monotonic() - t0, 3)
    for s in list(streams):
        if not streams[s].done:
            s.close()
    print(json.dumps(summary))
    return 0


def iso_ms(s):
    return datetime.datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()


def poll(base, token, sid, out):
    req = urllib.request.Request(
        "%s/api/v1/result/check/%s/" % (base, sid),
        headers={"Authorization": "Bearer " + token})
    while True:
        with urllib.request.urlopen(req, timeout=60) as r:
            body = json.load(r)
            if r.status == 200 and body.get("status") == "success":
                out["t"] = time.time()
                out["doc"] = body["data"]
                return


def stream(base, token, sid, out):
    st, _ = one(base, token, sid, 120.0)
    t0 = time.time() - time.monotonic()  # monotonic -> wall clock
    for ev, data, t in st.events:
        if ev == "test" and "first" not in out:
            out["first"] = t0 + t
        if ev == "result":
            out["t"] = t0 + t
            out["doc"] = data


def cmd_bench(base, token, problem, source, lang, rounds):
    code = open(source).read()
    rows = []
    for i in range(int(rounds)):
        body = json.dumps({"problem_id": problem, "lang": lang,
                           "code": code}).encode()
        req = urllib.request.Request(
            base + "/api/v1/code/submit/", data=body, method="POST",
            headers={"Authorization": "Bearer " + token,
                     "Content-Type": "application/json"})
        t_sub = time.time()
        with urllib.request.urlopen(req, timeout=30) as r:
            sid = json.load(r)["result"]["submission_id"]
        s_out, p_out = {}, {}
        ts = [threading.Thread(target=stream, args=(base, token, sid, s_out)),
              threading.Thread(target=poll, args=(base, token, sid, p_out))]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        fin = iso_ms(s_out["doc"]["finished_at"])
        row = {"stream_ms": (s_out["t"] - fin) * 1000,
               "poll_ms": (p_out["t"] - fin) * 1000,
               "first_row_stream_ms": (s_out.get("first", s_out["t"]) - t_sub) * 1000,
               "first_row_poll_ms": (p_out["t"] - t_sub) * 1000,
               "tests": len(s_out["doc"]["tests"])}
        rows.append(row)
        print("round %2d: last test -> final event %7.1f ms, -> poll answer "
              "%7.1f ms; submit -> first test row: stream %7.1f ms, poll "
              "%7.1f ms" % (i + 1, row["stream_ms"], row["poll_ms"],
                            row["first_row_stream_ms"],
                            row["first_row_poll_ms"]), flush=True)
    med = {k: statistics.median(r[k] for r in rows) for k in rows[0]}
    print(json.dumps({k: round(v, 1) for k, v in med.items()}))
    return 0


def main(argv):
    cmds = {"events": cmd_events, "status": cmd_status,
            "disconnect": cmd_disconnect, "many": cmd_many,
            "bench": cmd_bench}
    if len(argv) < 2 or argv[1] not in cmds:
        print(__doc__, file=sys.stderr)
        return 2
    return cmds[argv[1]](*argv[2:])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
