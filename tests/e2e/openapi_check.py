#!/usr/bin/env python3
"""Check real answers of a running server against docs/openapi.json
(tests/e2e/openapi.sh).

    openapi_check.py DOC BASE TOKEN PROBLEM AC_SOURCE

Every request's status must be documented for its route and method, and a
JSON body must match the documented schema (a small validator of the part
of JSON Schema the document uses: type, enum, const, properties, required,
additionalProperties, items, maxItems, maxProperties, pattern, anyOf,
$ref).  Every documented route must be exercised, except those listed in
NOT_EXERCISED.  Prints one line per check; exits 1 on the first failure.
"""
import http.client
import json
import re
import sys
import time
import urllib.parse

DOC_PATH, BASE, TOKEN, PROBLEM, AC_SOURCE = sys.argv[1:6]
DOC = json.load(open(DOC_PATH))
URL = urllib.parse.urlsplit(BASE)
NOT_EXERCISED = {("/metrics", "get"), ("/", "get")}  # other tests cover them
seen = set()


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def resolve(schema):
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        schema = DOC["components"]["schemas"][name]
    return schema


TYPES = {"object": dict, "array": list, "string": str, "boolean": bool,
         "null": type(None)}


def type_ok(v, t):
    if t == "integer":
        return isinstance(v, int) and not isinstance(v, bool)
    if t == "number":
        return isinstance(v, (int, float)) and not isinstance(v, bool)
    return isinstance(v, TYPES[t])


def validate(v, schema, where="$"):
    """A list of errors (empty: valid)."""
    s = resolve(schema)
    errs = []
    if "anyOf" in s:
        alts = [validate(v, a, where) for a in s["anyOf"]]
        if all(alts):
            return ["%s: matches no alternative (%s)" % (where, alts[0][0])]
    if "type" in s:
        ts = s["type"] if isinstance(s["type"], list) else [s["type"]]
        if not any(type_ok(v, t) for t in ts):
            return ["%s: %r is not of type %s" % (where, v, s["type"])]
    if "const" in s and v != s["const"]:
        errs.append("%s: %r is not %r" % (where, v, s["const"]))
    if "enum" in s and v not in s["enum"]:
        errs.append("%s: %r is not one of %r" % (where, v, s["enum"]))
    if "pattern" in s and isinstance(v, str) and not re.search(s["pattern"], v):
        errs.append("%s: %r does not match %s" % (where, v, s["pattern"]))
    if isinstance(v, dict):
        for k in s.get("required", []):
            if k not in v:
                errs.append("%s: required %r missing" % (where, k))
        props = s.get("properties", {})
        extra = s.get("additionalProperties", True)
        for k, x in v.items():
            if k in props:
                errs += validate(x, props[k], where + "." + k)
            elif extra is False:
                errs.append("%s: unexpected %r" % (where, k))
            elif isinstance(extra, dict):
                errs += validate(x, extra, where + "." + k)
        if "maxProperties" in s and len(v) > s["maxProperties"]:
            errs.append("%s: more than %d properties" % (where, s["maxProperties"]))
    if isinstance(v, list):
        if "maxItems" in s and len(v) > s["maxItems"]:
            errs.append("%s: more than %d items" % (where, s["maxItems"]))
        for i, x in enumerate(v):
            errs += validate(x, s.get("items", {}), "%s[%d]" % (where, i))
    return errs


def route_of(path):
    """The document's path template for a concrete path."""
    path = path.split("?", 1)[0]
    for tmpl in DOC["paths"]:
        rx = "^" + re.sub(r"\\\{[a-z_]+\\\}", "[^/]+", re.escape(tmpl)) + "$"
        if re.match(rx, path) or re.match(rx, path + "/"):
            return tmpl
    return None


def request(method, path, body=None, token=None, raw=None, headers=None,
            what=None):
    h = dict(headers or {})
    if token:
        h["Authorization"] = "Bearer " + token
    data = raw
    if body is not None:
        data = json.dumps(body).encode()
    if data is not None:
        h["Content-Type"] = "application/json"
    conn = http.client.HTTPConnection(URL.hostname, URL.port, timeout=60)
    conn.request(method, path, body=data, headers=h)
    r = conn.getresponse()
    payload = r.read()
    conn.close()
    check(method, path, r, payload, what or "%s %s" % (method, path))
    return r.status, payload, r


def check(method, path, r, payload, what):
    tmpl = route_of(path)
    if tmpl is None:
        # An unknown route: 404 with an Error (info.description says so).
        if r.status != 404 or validate(json.loads(payload or b"null"),
                                       {"$ref": "#/components/schemas/Error"}):
            fail("%s: route %s is not in the document (%d)" % (what, path, r.status))
        print("ok %s -> 404 (unknown route)" % what)
        return
    opn = DOC["paths"][tmpl].get(method.lower())
    if opn is None:
        # An undocumented method: 405 with Allow naming the documented
        # ones and an Error body (info.description says so).
        allow = (r.getheader("Allow") or "").replace(" ", "").split(",")
        if r.status != 405 or not all(m.upper() in allow
                                      for m in DOC["paths"][tmpl]):
            fail("%s: method %s of %s is not in the document (%d, Allow %s)"
                 % (what, method, tmpl, r.status, allow))
        errs = validate(json.loads(payload), {"$ref": "#/components/schemas/Error"})
        if errs:
            fail("%s: %s" % (what, errs))
        print("ok %s -> 405, Allow %s" % (what, ",".join(allow)))
        return
    seen.add((tmpl, method.lower()))
    resp = opn["responses"].get(str(r.status))
    if resp is None:
        fail("%s: status %d is not documented for %s %s: %s"
             % (what, r.status, method, tmpl, payload[:200]))
    ctype = (r.getheader("Content-Type") or "").split(";")[0].strip()
    content = resp.get("content", {})
    if content and ctype not in content:
        fail("%s: Content-Type %r is not documented for %d (%s)"
             % (what, ctype, r.status, list(content)))
    for name in resp.get("headers", {}):
        if r.status in (401, 429) and r.getheader(name) is None:
            fail("%s: %d without its documented %s header" % (what, r.status, name))
    if ctype == "application/json" and "application/json" in content:
        try:
            body = json.loads(payload)
        except ValueError:
            fail("%s: body is not JSON: %r" % (what, payload[:200]))
        errs = validate(body, content["application/json"]["schema"])
        if errs:
            fail("%s (%d): %s" % (what, r.status, "; ".join(errs[:5])))
    print("ok %s -> %d %s" % (what, r.status, ctype))


def expect(status, got, what):
    if got != status:
        fail("%s: HTTP %d, expected %d" % (what, got, status))


def result_of(path, token):
    for _ in range(60):
        st, body, _r = request("GET", path, token=token)
        if st == 200:
            return json.loads(body)["data"]
        expect(202, st, path)
    fail("no result for " + path)


def main():
    # The document itself, served as the file says.
    st, body, _ = request("GET", "/api/v1/openapi.json")
    expect(200, st, "openapi.json")
    if json.loads(body) != DOC:
        fail("the served document differs from " + DOC_PATH)

    # Accounts (auth role).
    user = {"username": "oa_user", "email": "oa@example.com",
            "password1": "violet-harbor-93", "password2": "violet-harbor-93"}
    st, body, _ = request("POST", "/api/v1/auth/registration/", user)
    expect(201, st, "registration")
    st, _b, _ = request("POST", "/api/v1/auth/registration/", user, what="registration again")
    expect(400, st, "registration again")
    st, _b, _ = request("POST", "/api/v1/auth/registration/", dict(
        user, username="oa2", email="oa2@example.com", password1="1234567890",
        password2="1234567890"), what="registration weak password")
    expect(400, st, "weak password")
    st, body, _ = request("POST", "/api/v1/auth/login/",
                          {"email": user["email"], "password": user["password1"]})
    expect(200, st, "login")
    tokens = json.loads(body)
    access = tokens["access_token"]
    st, _b, _ = request("POST", "/api/v1/auth/login/",
                        {"email": user["email"], "password": "wrong-password-1"},
                        what="login wrong password")
    expect(400, st, "login wrong password")
    st, _b, _ = request("POST", "/api/v1/auth/login/", raw=b"{nope",
                        what="login malformed JSON")
    expect(400, st, "login malformed")
    expect(200, request("POST", "/api/v1/auth/token/verify/", {"token": access})[0], "verify")
    expect(401, request("POST", "/api/v1/auth/token/verify/", {"token": "x.y.z"},
                        what="verify a bad token")[0], "verify bad")
    st, body, _ = request("POST", "/api/v1/auth/token/refresh/",
                          {"refresh": tokens["refresh_token"]})
    expect(200, st, "refresh")
    refresh = json.loads(body)["refresh"]
    expect(401, request("POST", "/api/v1/auth/token/refresh/",
                        {"refresh": tokens["refresh_token"]},
                        what="refresh a used token")[0], "refresh reuse")
    expect(200, request("GET", "/api/v1/auth/user/", token=access)[0], "user")
    expect(401, request("GET", "/api/v1/auth/user/", what="user without a token")[0], "user 401")
    expect(401, request("POST", "/api/v1/auth/logout/", {}, what="logout without refresh")[0], "logout 401")
    expect(200, request("POST", "/api/v1/auth/logout/", {"refresh": refresh})[0], "logout")
    st, _b, _ = request("POST", "/api/v1/auth/login/", raw=b"{" + b" " * 300000 + b"}",
                        what="login body too large")
    expect(413, st, "login 413")

    # Problems, languages, health.
    expect(200, request("GET", "/api/v1/problem/all/")[0], "problems")
    expect(200, request("GET", "/api/v1/problem/all/?tags=strings&page=1")[0], "problems tags")
    expect(404, request("GET", "/api/v1/problem/all/?page=999", what="problems page 999")[0], "page 999")
    expect(200, request("GET", "/api/v1/problem/%s/" % PROBLEM)[0], "problem")
    expect(404, request("GET", "/api/v1/problem/no-such-problem/", what="unknown problem")[0], "problem 404")
    expect(200, request("GET", "/api/v1/languages/")[0], "languages")
    expect(200, request("GET", "/api/v1/common/healthcheck/")[0], "healthcheck")
    expect(200, request("GET", "/api/v1/common/ready/")[0], "ready")
    expect(200, request("GET", "/version")[0], "version")
    expect(404, request("GET", "/api/v1/no-such-route/", what="unknown route")[0], "404 route")
    expect(405, request("DELETE", "/api/v1/languages/", what="DELETE languages")[0], "405")
    expect(405, request("GET", "/api/v1/code/submit/", what="GET submit")[0], "405 submit")

    # Submissions.
    src = open(AC_SOURCE).read()
    sub = {"problem_id": PROBLEM, "lang": "python3", "code": src}
    expect(401, request("POST", "/api/v1/code/submit/", sub, what="submit without a token")[0], "submit 401")
    expect(401, request("POST", "/api/v1/code/submit/", sub, token="nonsense",
                        what="submit with a bad token")[0], "submit bad token")
    expect(400, request("POST", "/api/v1/code/submit/", raw=b"{", token=TOKEN,
                        what="submit malformed JSON")[0], "submit 400")
    expect(400, request("POST", "/api/v1/code/submit/", dict(sub, problem_id="nope"),
                        token=TOKEN, what="submit unknown problem")[0], "submit problem")
    expect(400, request("POST", "/api/v1/code/submit/", dict(sub, lang="cobol"),
                        token=TOKEN, what="submit unknown language")[0], "submit lang")
    expect(413, request("POST", "/api/v1/code/submit/", dict(sub, code="#" * 70000),
                        token=TOKEN, what="submit a source over 64 KiB")[0], "submit 413")
    st, body, _ = request("POST", "/api/v1/code/submit/", sub, token=TOKEN)
    expect(201, st, "submit")
    sid = json.loads(body)["result"]["submission_id"]
    doc = result_of("/api/v1/result/check/%s/" % sid, TOKEN)
    if doc["verdict_code"] != "AC":
        fail("the accepted solution was judged %s" % doc["verdict_code"])
    expect(404, request("GET", "/api/v1/result/check/%s/" % sid, token=access,
                        what="another user's result")[0], "result 404")
    expect(401, request("GET", "/api/v1/result/check/%s/" % sid,
                        what="result without a token")[0], "result 401")

    # The stream of a finished submission: its result event is the document.
    st, body, r = request("GET", "/api/v1/result/stream/%s/" % sid, token=TOKEN)
    expect(200, st, "stream")
    events = re.findall(r"event: (\w+)\ndata: (.*)\n", body.decode())
    names = [e for e, _d in events]
    if names[0] != "compile" or names[-1] != "result" or "test" not in names:
        fail("stream events %s" % names)
    kinds = {"compile": "StreamCompile", "test": "StreamTest", "result": "Result"}
    for name, data in events:
        errs = validate(json.loads(data),
                        {"$ref": "#/components/schemas/" + kinds[name]})
        if errs:
            fail("stream %s event: %s" % (name, errs))
    print("ok stream events %s match their schemas" % ",".join(sorted(set(names))))
    expect(404, request("GET", "/api/v1/result/stream/nope/", token=TOKEN,
                        what="stream of an unknown id")[0], "stream 404")

    # Runs.
    st, body, _ = request("POST", "/api/v1/code/run/", {
        "lang": "python3", "code": "print(input()[::-1])", "inputs": ["abc\n", "xy\n"]},
        token=TOKEN)
    expect(201, st, "run")
    rid = json.loads(body)["result"]["run_id"]
    run = result_of("/api/v1/code/run/%s/" % rid, TOKEN)
    if [x["stdout"] for x in run["runs"]] != ["cba\n", "yx\n"]:
        fail("run outputs %r" % run["runs"])
    expect(400, request("POST", "/api/v1/code/run/", {"lang": "python3", "code": "1"},
                        token=TOKEN, what="run without input")[0], "run 400")
    expect(404, request("GET", "/api/v1/code/run/run-nope/", token=TOKEN,
                        what="unknown run")[0], "run 404")

    # The list of submissions.
    st, body, _ = request("GET", "/api/v1/submissions/?problem=%s" % PROBLEM, token=TOKEN)
    expect(200, st, "submissions")
    if json.loads(body)["count"] < 1:
        fail("the submission is not listed")
    expect(404, request("GET", "/api/v1/submissions/?page=99", token=TOKEN,
                        what="submissions page 99")[0], "submissions 404")
    expect(401, request("GET", "/api/v1/submissions/", what="submissions without a token")[0],
           "submissions 401")

    # 429: the bucket (api.rate_burst) runs out.
    for i in range(20):
        st, body, r = request("POST", "/api/v1/code/submit/", sub, token=TOKEN,
                              what="submit until throttled (%d)" % i)
        if st == 429:
            break
        expect(201, st, "submit until throttled")
    expect(429, st, "throttled")
    if not (r.getheader("Retry-After") or "").isdigit():
        fail("429 without a numeric Retry-After")

    missing = [(p, m) for p, ops in DOC["paths"].items() for m in ops
               if (p, m) not in seen and (p, m) not in NOT_EXERCISED]
    if missing:
        fail("documented but not exercised: %s" % missing)
    print("all %d documented operations exercised" % len(seen))


if __name__ == "__main__":
    main()
