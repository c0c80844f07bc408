#!/usr/bin/env python3
"""Client of bench/transport_latency.sh (python3 standard library only).

  transport_client.py run PORT TOKEN PROBLEM LANG SRC N_LAT N_THR CONC OUT
      One warm-up submission (a compile cache miss, not counted), then
      N_LAT submissions one at a time (latency phase), then N_THR
      submissions by CONC concurrent clients (throughput phase).  Every
      submission is POSTed, then its result polled with parked
      GET /api/v1/result/check/ID/ (the api answers as soon as the result
      is stored).  Writes one JSON record per submission to OUT.
  transport_client.py row NAME OUT LOG...
      Joins the records with the judge's "judged in X ms" log lines and
      prints one JSON row: overhead p50/p99/mean (ms), submit p50 (ms),
      throughput (submissions/s), counts.
  transport_client.py table ROWFILE
      Prints the rows side by side.
"""
import http.client
import json
import re
import sys
import threading
import time


def now():
    return time.monotonic()


class Api:
    def __init__(self, port, token):
        self.port = int(port)
        self.token = token
        self.conn = None

    def call(self, method, path, body=None):
        hdr = {"Authorization": "Bearer " + self.token}
        if body is not None:
            hdr["Content-Type"] = "application/json"
        for attempt in range(3):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection(
                        "127.0.0.1", self.port, timeout=30)
                self.conn.request(method, path, body=body, headers=hdr)
                r = self.conn.getresponse()
                data = r.read()
                if r.getheader("Connection", "").lower() == "close":
                    self.conn.close()
                    self.conn = None
                return r.status, data
            except (OSError, http.client.HTTPException):
                if self.conn is not None:
                    self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
        raise RuntimeError("unreachable")


def one(api, body, deadline):
    """Submit and wait for the result: a record (times are monotonic s)."""
    t_send = now()
    st, out = api.call("POST", "/api/v1/code/submit/", body)
    t_201 = now()
    if st != 201:
        raise SystemExit("submit: HTTP %d %s" % (st, out[:200]))
    sid = json.loads(out)["result"]["submission_id"]
    while True:
        st, out = api.call("GET", "/api/v1/result/check/%s/" % sid)
        if st == 200:
            verdict = json.loads(out)["data"]["verdict_code"]
            break
        if st != 202:
            raise SystemExit("result %s: HTTP %d %s" % (sid, st, out[:200]))
        if now() > deadline:
            raise SystemExit("no result for %s in time" % sid)
    return {"id": sid, "t_send": t_send, "t_201": t_201, "t_vis": now(),
            "verdict": verdict}


def run(port, token, problem, lang, src, n_lat, n_thr, conc, out):
    body = json.dumps({"problem_id": problem, "lang": lang,
                       "code": open(src).read()})
    deadline = now() + 600
    api = Api(port, token)
    recs = []
    w = one(api, body, deadline)
    if w["verdict"] != "AC":
        raise SystemExit("warm-up submission: %s, expected AC" % w["verdict"])
    for _ in range(int(n_lat)):
        r = one(api, body, deadline)
        r["phase"] = "latency"
        recs.append(r)
    left = [int(n_thr)]
    lock = threading.Lock()
    errors = []

    def worker():
        a = Api(port, token)
        try:
            while True:
                with lock:
                    if left[0] <= 0:
                        return
                    left[0] -= 1
                r = one(a, body, deadline)
                r["phase"] = "throughput"
                with lock:
                    recs.append(r)
        except BaseException as e:  # reported by the main thread
            errors.append(repr(e))

    threads = [threading.Thread(target=worker) for _ in range(int(conc))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise SystemExit("throughput phase: " + errors[0])
    with open(out, "w") as f:
        for r in recs:
            f.write(json.dumps(r) + "\n")


def pct(xs, p):
    xs = sorted(xs)
    if not xs:
        return float("nan")
    k = max(0, min(len(xs) - 1, int(round(p / 100.0 * len(xs) + 0.5)) - 1))
    return xs[k]


def row(name, out, logs):
    judged = {}
    pat = re.compile(r"submission (\S+): \S+ \(.*judged in ([0-9.]+) ms\)")
    for path in logs:
        with open(path, errors="replace") as f:
            for line in f:
                m = pat.search(line)
                if m:
                    judged[m.group(1)] = float(m.group(2))
    recs = [json.loads(l) for l in open(out)]
    lat = [r for r in recs if r["phase"] == "latency"]
    thr = [r for r in recs if r["phase"] == "throughput"]
    missing = [r["id"] for r in recs if r["id"] not in judged]
    if missing:
        raise SystemExit("%s: no judging time logged for %d submissions "
                         "(e.g. %s)" % (name, len(missing), missing[0]))
    bad = [r for r in recs if r["verdict"] != "AC"]
    for r in bad:
        sys.stderr.write("%s: submission %s: verdict %s, expected AC (see "
                         "the judge log)\n" % (name, r["id"], r["verdict"]))
    over = [(r["t_vis"] - r["t_send"]) * 1000 - judged[r["id"]] for r in lat]
    span = max(r["t_vis"] for r in thr) - min(r["t_send"] for r in thr)
    print(json.dumps({
        "name": name,
        "n_lat": len(lat),
        "over_p50": pct(over, 50),
        "over_p99": pct(over, 99),
        "over_mean": sum(over) / len(over),
        "submit_p50": pct([(r["t_201"] - r["t_send"]) * 1000 for r in lat],
                          50),
        "judge_p50": pct([judged[r["id"]] for r in lat], 50),
        "n_thr": len(thr),
        "thr": len(thr) / span if span > 0 else float("nan"),
        "not_ac": len(bad),
    }))


def table(rowfile):
    rows = [json.loads(l) for l in open(rowfile) if l.strip()]
    cols = [("transport", "name", "%s"),
            ("overhead p50 ms", "over_p50", "%.2f"),
            ("overhead p99 ms", "over_p99", "%.2f"),
            ("overhead mean ms", "over_mean", "%.2f"),
            ("submit->201 p50 ms", "submit_p50", "%.2f"),
            ("judging p50 ms", "judge_p50", "%.1f"),
            ("throughput sub/s", "thr", "%.1f"),
            ("n (lat/thr)", None, None),
            ("not AC", "not_ac", "%d")]
    cells = []
    for r in rows:
        line = []
        for _, key, fmt in cols:
            if key is None:
                line.append("%d/%d" % (r["n_lat"], r["n_thr"]))
            elif key in r:
                line.append(fmt % r[key])
            else:
                line.append(r.get("why", "-") if key == "over_p50" else "-")
        cells.append(line)
    widths = [max([len(c[0])] + [len(l[i]) for l in cells])
              for i, c in enumerate(cols)]
    print("  ".join(c[0].rjust(w) for c, w in zip(cols, widths)))
    for l in cells:
        print("  ".join(x.rjust(w) for x, w in zip(l, widths)))


if __name__ == "__main__":
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "run" and len(sys.argv) == 11:
        run(*sys.argv[2:])
    elif cmd == "row" and len(sys.argv) >= 5:
        row(sys.argv[2], sys.argv[3], sys.argv[4:])
    elif cmd == "table" and len(sys.argv) == 3:
        table(sys.argv[2])
    else:
        sys.exit(__doc__)
