#!/usr/bin/env python3
"""Clients for tests/e2e/durability.sh (python3 standard library only).

    durability_clients.py submit URL TOKENS_FILE SOURCES_DIR N OUT PROGRESS
        one thread per token (a line of TOKENS_FILE), N submissions in all,
        spread over the threads, kinds AC/WA/TLE in a fixed mix
        (SOURCES_DIR/{ac,wa,tle}.py).  A submission is sent until it gets a
        definitive answer: a refused or broken connection and a 503 are
        tried again (each attempt is recorded with what the client was
        told), for at most 60 s.  Every attempt is appended to OUT as a
        JSON line {"client","seq","kind","told","id"} as soon as it is
        answered; PROGRESS holds the number of submissions answered so far.
        DURABILITY_PACE_S (environment, default 0): each client waits this
        long between two submissions.

    durability_clients.py verify URL TOKENS_FILE OUT DB TIMEOUT_S
        polls result/check/ID/ of every submission answered 201 until its
        result arrives (TIMEOUT_S in all), twice (the result must not
        change), checks the verdict against the kind, reads the store (the
        SQLite file DB, after the server stopped) and prints the counts:
        accepted, judged, lost, duplicated, wrong verdicts, what clients
        were told.  Exit 0 when nothing was lost, duplicated or wrong.
"""
import collections
import http.client
import json
import os
import sqlite3
import sys
import threading
import time

from http_client import request as http_request

KINDS = {"ac": "AC", "wa": "WA", "tle": "TLE"}
# Of every 20 submissions: 11 AC, 6 WA, 3 TLE.
MIX = ["ac"] * 11 + ["wa"] * 6 + ["tle"] * 3


def request(url, method, path, token, body=None, timeout=30):
    """(status or None, text): None when the connection failed."""
    try:
        status, _, out = http_request(url, method, path, token, body,
                                      timeout)
        return status, out.decode("utf-8", "replace")
    except (OSError, http.client.HTTPException) as e:
        return None, "%s: %s" % (type(e).__name__, e)


def cmd_submit(url, tokens_file, sources, n, out, progress):
    tokens = [t.strip() for t in open(tokens_file) if t.strip()]
    code = {k: open("%s/%s.py" % (sources, k)).read() for k in KINDS}
    lock = threading.Lock()
    done = [0]
    outf = open(out, "a")
    pace = float(os.environ.get("DURABILITY_PACE_S", "0"))

    def record(rec):
        with lock:
            outf.write(json.dumps(rec) + "\n")
            outf.flush()

    def client(ci):
        seqs = range(ci, n, len(tokens))
        for seq in seqs:
            kind = MIX[seq % len(MIX)]
            body = json.dumps({"problem_id": "durable-echo", "lang":
                               "python3", "code": code[kind]})
            deadline = time.time() + 60
            while True:
                status, text = request(url, "POST", "/api/v1/code/submit/",
                                       tokens[ci], body, timeout=30)
                sid = None
                if status == 201:
                    sid = json.loads(text)["result"]["submission_id"]
                told = str(status) if status else "connection: " + \
                    text.split(":")[0]
                record({"client": ci, "seq": seq, "kind": kind,
                        "told": told, "id": sid,
                        "t": int(time.time() * 1000)})
                if status not in (None, 503) or time.time() > deadline:
                    break
                time.sleep(0.1)
            with lock:
                done[0] += 1
                with open(progress + ".tmp", "w") as f:
                    f.write("%d\n" % done[0])
                os.replace(progress + ".tmp", progress)
            if pace > 0:
                time.sleep(pace)

    threads = [threading.Thread(target=client, args=(i,))
               for i in range(len(tokens))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    outf.close()
    return 0


def poll(url, token, sid, deadline):
    path = "/api/v1/result/check/%s/" % sid
    while time.time() < deadline:
        status, text = request(url, "GET", path, token, timeout=30)
        if status == 200:
            return json.loads(text)["data"]
        if status not in (None, 202, 503):
            return {"error": "%s %s" % (status, text[:200])}
        if status is None:
            time.sleep(0.2)
    return None


def cmd_verify(url, tokens_file, out, db, timeout_s):
    tokens = [t.strip() for t in open(tokens_file) if t.strip()]
    recs = [json.loads(line) for line in open(out)]
    told = collections.Counter(r["told"] for r in recs)
    accepted = [r for r in recs if r["told"] == "201"]
    ids = collections.Counter(r["id"] for r in accepted)
    dup_ids = [i for i, c in ids.items() if c > 1]
    deadline = time.time() + float(timeout_s)
    results = {}
    lock = threading.Lock()
    work = list(accepted)

    def worker():
        while True:
            with lock:
                if not work:
                    return
                r = work.pop()
            first = poll(url, tokens[r["client"]], r["id"], deadline)
            second = poll(url, tokens[r["client"]], r["id"],
                          deadline + 30) if first else None
            with lock:
                results[r["id"]] = (r, first, second)

    threads = [threading.Thread(target=worker) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    lost, wrong, changed, errors = [], [], [], []
    verdicts = collections.Counter()
    for sid, (r, first, second) in results.items():
        if first is None:
            lost.append(sid)
            continue
        if "error" in first:
            errors.append((sid, first["error"]))
            continue
        verdicts[first.get("verdict_code")] += 1
        if first.get("submission_id") != sid:
            wrong.append((sid, "result of " + str(first.get("submission_id"))))
        elif first.get("verdict_code") != KINDS[r["kind"]]:
            wrong.append((sid, "%s judged %s" % (r["kind"],
                                                 first.get("verdict_code"))))
        if second != first:
            changed.append(sid)
    # The store, read directly: one result row per accepted submission and
    # none left pending.
    store_results = store_pending = 0
    orphans = 0
    try:
        con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
        q = ",".join("?" * len(ids))
        if ids:
            store_results = con.execute(
                "SELECT count(*) FROM results WHERE submission_id IN (%s)" % q,
                list(ids)).fetchone()[0]
            store_pending = con.execute(
                "SELECT count(*) FROM submissions WHERE status = 'pending'"
                " AND id IN (%s)" % q, list(ids)).fetchone()[0]
        since = min(r["t"] for r in recs) - 1000
        stored = {row[0] for row in con.execute(
            "SELECT id FROM submissions WHERE submitted_at >= ?", (since,))}
        orphans = len(stored - set(ids))
        con.close()
    except sqlite3.Error as e:
        print("store: cannot read %s: %s" % (db, e))
        store_results = -1
    print("submissions sent: %d (attempts %d)" %
          (len({(r["client"], r["seq"]) for r in recs}), len(recs)))
    print("clients were told: " +
          ", ".join("%s x%d" % (k, v) for k, v in sorted(told.items())))
    print("accepted (201): %d" % len(accepted))
    print("judged (result polled): %d  verdicts: %s" %
          (len(accepted) - len(lost) - len(errors),
           ", ".join("%s x%d" % (k, v) for k, v in sorted(verdicts.items()))))
    print("lost (201 without a result): %d" % len(lost))
    print("duplicated (id answered twice, or result changed): %d" %
          (len(dup_ids) + len(changed)))
    print("wrong verdict: %d" % len(wrong))
    print("store: %d result rows for %d accepted, %d still pending, "
          "%d stored submission(s) never answered 201" %
          (store_results, len(ids), store_pending, orphans))
    for sid in lost[:10]:
        print("  lost: %s" % sid)
    for sid, why in (wrong + errors)[:10]:
        print("  wrong: %s: %s" % (sid, why))
    bad = (lost or wrong or errors or dup_ids or changed or
           store_results != len(ids) or store_pending or not accepted)
    return 1 if bad else 0


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    if argv[1] == "submit" and len(argv) == 8:
        return cmd_submit(argv[2], argv[3], argv[4], int(argv[5]), argv[6],
                          argv[7])
    if argv[1] == "verify" and len(argv) == 7:
        return cmd_verify(argv[2], argv[3], argv[4], argv[5], argv[6])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
