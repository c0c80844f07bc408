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
    api_clients.py run     URL TOKEN BODYFILE TIMEOUT_S
        POST BODYFILE to code/run/ (201 with a run_id), then poll
        code/run/ID/ until 200; print the response body
    api_clients.py burst   URL TOKEN BODYFILE N
        N submissions in a row; prints one "STATUS RETRY-AFTER BODY" line each

    api_clients.py register_race URL EMAIL N
        N concurrent registrations of one e-mail (distinct usernames);
        prints the statuses, sorted, one a line
    api_clients.py slow URL HOLD_S
        open a connection, send half a request line and trickle a header
        byte a second; prints the seconds until the server closed it
        (or "open" after HOLD_S)
    api_clients.py jwt TOKEN PART
        print the decoded JSON of PART (header or payload) of TOKEN
    api_clients.py forge ALG USER KIND [KID]
        an unsigned ("none") or foreign-signed token: ALG none or HS512
        with a random key; KIND access or refresh

Exit status 0 when the check passed, 1 when it failed (reason on stderr).
"""
import http.client
import json
import socket
import sys
import threading
import time
import urllib.parse

from http_client import request


def conn_for(url, timeout):
    u = urllib.parse.urlsplit(url)
    return http.client.HTTPConnection(u.hostname, u.port or 80,
                                      timeout=timeout)


def poll_doc(url, token, path, timeout_s, what):
    """GET path until it answers 200 (then print its body, 0), at most
    timeout_s; 1 on any other status, or a 202 whose body is not the
    documented pending one."""
    deadline = time.time() + float(timeout_s)
    while time.time() < deadline:
        status, _, body = request(url, "GET", path, token)
        if status == 200:
            sys.stdout.write(body.decode())
            sys.stdout.write("\n")
            return 0
        if status != 202:
            print("%s: HTTP %d %s" % (what, status, body[:300]),
                  file=sys.stderr)
            return 1
        doc = json.loads(body)
        if doc != {"status": "pending", "data": None}:
            print("%s: bad pending body %r" % (what, doc), file=sys.stderr)
            return 1
    print("%s: no result after %s s" % (what, timeout_s), file=sys.stderr)
    return 1


def cmd_poll(url, token, sid, timeout_s):
    return poll_doc(url, token, "/api/v1/result/check/%s/" % sid, timeout_s,
                    "poll %s" % sid)


def cmd_run(url, token, bodyfile, timeout_s):
    with open(bodyfile, "rb") as f:
        status, _, body = request(url, "POST", "/api/v1/code/run/", token,
                                  f.read())
    if status != 201:
        print("run: HTTP %d %s" % (status, body[:300]), file=sys.stderr)
        return 1
    doc = json.loads(body)
    rid = doc["result"]["run_id"]
    if doc["result"]["detail"] != "Your run has been submitted." or \
            not rid.startswith("run-"):
        print("run: bad 201 body %r" % doc, file=sys.stderr)
        return 1
    return poll_doc(url, token, "/api/v1/code/run/%s/" % rid, timeout_s,
                    "run %s" % rid)


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
        status, headers, data = request(url, "POST", "/api/v1/code/submit/",
                                        token, body)
        print(status, headers.get("Retry-After") or "-", data.decode())
    return 0


def cmd_register_race(url, email, n):
    n = int(n)
    statuses = [None] * n
    barrier = threading.Barrier(n)

    def one(i):
        body = json.dumps({"username": "racer%d" % i, "email": email,
                           "password1": "a long pass phrase",
                           "password2": "a long pass phrase"})
        barrier.wait()
        statuses[i] = request(url, "POST", "/api/v1/auth/registration/",
                              None, body, 60)[0]

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for st in sorted(statuses, key=str):
        print(st)
    return 0


def cmd_slow(url, hold_s):
    u = urllib.parse.urlsplit(url)
    s = socket.create_connection((u.hostname, u.port), timeout=2)
    s.sendall(b"GET /api/v1/common/healthcheck/ HTTP/1.1\r\nHost: x\r\nX-Slow: ")
    start = time.time()
    while time.time() - start < float(hold_s):
        try:
            s.sendall(b"a")
        except OSError:
            print("%.1f" % (time.time() - start))
            return 0
        try:
            s.settimeout(1)
            if s.recv(4096) == b"":
                print("%.1f" % (time.time() - start))
                return 0
        except socket.timeout:
            pass
        except OSError:
            print("%.1f" % (time.time() - start))
            return 0
    print("open")
    return 0


def b64url(b):
    import base64
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def cmd_jwt(token, part):
    import base64
    p = token.split(".")[0 if part == "header" else 1]
    print(json.dumps(json.loads(base64.urlsafe_b64decode(
        p + "=" * (-len(p) % 4)))))
    return 0


def cmd_forge(alg, user, kind, kid=None):
    import hashlib
    import hmac
    import os
    hdr = {"alg": alg, "typ": "JWT"}
    if kid:
        hdr["kid"] = kid
    now = int(time.time())
    pl = {"token_type": kind, "exp": now + 600, "iat": now,
          "jti": os.urandom(8).hex(), "user_id": user}
    signing = b64url(json.dumps(hdr).encode()) + "." + \
        b64url(json.dumps(pl).encode())
    if alg == "none":
        print(signing + ".")
    else:
        sig = hmac.new(os.urandom(32), signing.encode(),
                       hashlib.sha512).digest()
        print(signing + "." + b64url(sig))
    return 0


def main(argv):
    cmds = {"poll": (cmd_poll, 4), "waiters": (cmd_waiters, 5),
            "hangups": (cmd_hangups, 4), "burst": (cmd_burst, 4),
            "run": (cmd_run, 4),
            "register_race": (cmd_register_race, 3),
            "slow": (cmd_slow, 2), "jwt": (cmd_jwt, 2),
            "forge": (cmd_forge, 3)}
    if len(argv) == 6 and argv[1] == "forge":
        return cmd_forge(*argv[2:])
    if len(argv) < 2 or argv[1] not in cmds or \
            len(argv) - 2 != cmds[argv[1]][1]:
        print(__doc__, file=sys.stderr)
        return 2
    return cmds[argv[1]][0](*argv[2:])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
