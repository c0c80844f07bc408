#!/usr/bin/env python3
"""HTTP clients for tests/e2e/api.sh (python3 standard library only).

    api_clients.py poll    URL TOKEN ID TIMEOUT_S
        poll result/check/ID/ until 200; print the response body
    api_clients.py waiters URL TOKEN ID N WAIT_S
        N concurrent threads, one connection each, GET result/check/ID/ at
        once; every one must be answered 200 (result) or 202 (pending, not
        before ~WAIT_S seconds); prints a JSON summary
    api_clients.py hangups URL TOKEN ID N
        N clients that send a result/check request and disconnect at once
    api_clients.py burst   URL TOKEN BODYFILE N
        N submissions in a row; prints one "STATUS RETRY-AFTER BODY" line each

Exit status 0 when the check passed, 1 when it failed (reason on stderr).
"""
import http.client
import json
import socket
import sys
import threading
import time
import urllib.parse


def conn_for(url, timeout):
    u = urllib.parse.urlsplit(url)
    return http.client.HTTPConnection(u.hostname, u.port or 80,
                                      timeout=timeout)


def get(url, path, token, timeout=30):
    c = conn_for(url, timeout)
    try:
        c.request("GET", path, headers={"Authorization": "Bearer " + token})
        r = c.getresponse()
        return r.status, r.getheader("Content-Type"), r.read()
    finally:
        c.close()


def cmd_poll(url, token, sid, timeout_s):
    deadline = time.time() + float(timeout_s)
    path = "/api/v1/result/check/%s/" % sid
    while time.time() < deadline:
        status, ctype, body = get(url, path, token)
        if status == 200:
            sys.stdout.write(body.decode())
            sys.stdout.write("\n")
            return 0
        if status != 202:
            print("poll %s: HTTP %d %s" % (sid, status, body[:300]),
                  file=sys.stderr)
            return 1
        doc = json.loads(body)
        if doc != {"status": "pending", "data": None}:
            print("poll %s: bad pending body %r" % (sid, doc),
                  file=sys.stderr)
            return 1
    print("poll %s: no result after %s s" % (sid, timeout_s), file=sys.stderr)
    return 1


def cmd_waiters(url, token, sid, n, wait_s):
    n = int(n)
    wait_s = float(wait_s)
    path = "/api/v1/result/check/%s/" % sid
    results = [None] * n
    start = threading.Barrier(n)

    def one(i):
        c = conn_for(url, wait_s + 30)
        try:
            c.connect()
            start.wait(timeout=60)
            t0 = time.time()
            c.request("GET", path,
                      headers={"Authorization": "Bearer " + token})
            r = c.getresponse()
            body = r.read()
            results[i] = (r.status, time.time() - t0, body)
        except Exception as e:  # reported below
            results[i] = ("error", 0.0, repr(e).encode())
        finally:
            c.close()

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    counts = {}
    bad = []
    for status, secs, body in results:
        counts[str(status)] = counts.get(str(status), 0) + 1
        if status == 200:
            doc = json.loads(body)
            if doc.get("status") != "success" or not isinstance(
                    doc.get("data"), dict):
                bad.append("200 with body %r" % body[:200])
        elif status == 202:
            if json.loads(body) != {"status": "pending", "data": None}:
                bad.append("202 with body %r" % body[:200])
            elif secs < wait_s - 0.5:
                bad.append("202 after only %.2f s" % secs)
        else:
            bad.append("%s: %r" % (status, body[:200]))
    times = sorted(r[1] for r in results)
    summary = {"clients": n, "statuses": counts,
               "min_s": round(times[0], 2), "max_s": round(times[-1], 2)}
    print(json.dumps(summary))
    if bad:
        print("waiters: %d bad answers, first: %s" % (len(bad), bad[0]),
              file=sys.stderr)
        return 1
    return 0


def cmd_hangups(url, token, sid, n):
    u = urllib.parse.urlsplit(url)
    req = ("GET /api/v1/result/check/%s/ HTTP/1.1\r\nHost: %s\r\n"
           "Authorization: Bearer %s\r\n\r\n" % (sid, u.netloc, token))
    for _ in range(int(n)):
        s = socket.create_connection((u.hostname, u.port), timeout=10)
        s.sendall(req.encode())
        s.close()
    return 0


def cmd_burst(url, token, bodyfile, n):
    with open(bodyfile, "rb") as f:
        body = f.read()
    for _ in range(int(n)):
        c = conn_for(url, 30)
        c.request("POST", "/api/v1/code/submit/", body=body,
                  headers={"Authorization": "Bearer " + token,
                           "Content-Type": "application/json"})
        r = c.getresponse()
        data = r.read().decode()
        print(r.status, r.getheader("Retry-After") or "-", data)
        c.close()
    return 0


def main(argv):
    cmds = {"poll": (cmd_poll, 4), "waiters": (cmd_waiters, 5),
            "hangups": (cmd_hangups, 4), "burst": (cmd_burst, 4)}
    if len(argv) < 2 or argv[1] not in cmds or \
            len(argv) - 2 != cmds[argv[1]][1]:
        print(__doc__, file=sys.stderr)
        return 2
    return cmds[argv[1]][0](*argv[2:])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
