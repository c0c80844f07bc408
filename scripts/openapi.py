#!/usr/bin/env python3
"""Write docs/openapi.json, the OpenAPI 3.1 document of the api and auth
roles' HTTP routes (docs/api.md, docs/auth.md; core/api.c,
core/auth_routes.c, core/stream.c, core/submissions.c, core/console.c).

    python3 scripts/openapi.py > docs/openapi.json

The document is committed; this script is how it is kept (edit here, run,
commit both).  tests/e2e/openapi.sh checks real answers of a running server
against it.
"""
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
# info.version: the package's (AC_INIT in configure.ac).
VERSION = re.search(r"AC_INIT\(\[[^]]*\],\s*\[([^]]*)\]",
                    open(os.path.join(HERE, "..", "configure.ac")).read()).group(1)


def ref(name):
    return {"$ref": "#/components/schemas/" + name}


def obj(required, props, extra=True):
    d = {"type": "object", "required": list(required), "properties": props}
    if extra is not True:
        d["additionalProperties"] = extra
    return d


S = {"type": "string"}
I = {"type": "integer"}
N = {"type": "number"}
B = {"type": "boolean"}
SN = {"type": ["string", "null"]}
IN = {"type": ["integer", "null"]}
VCODE = {"type": "string", "enum": ["AC", "WA", "TLE", "MLE", "OLE", "RE",
                                    "CE", "IE"]}
RCODE = {"type": "string", "enum": ["OK", "TLE", "MLE", "OLE", "RE", "CE",
                                    "IE"]}

schemas = {
    "Error": obj(["detail"], {
        "detail": S,
        "code": {"type": "string",
                 "description": "simplejwt's code: token_not_valid, user_not_found"},
        "wait_time": {"type": "integer", "description": "429: seconds to wait"},
        "status": S, "checks": {"type": "object"},
    }, {"type": "array", "items": S,
        "description": "Django REST framework field lists (400 of the auth role)"}),
    "Submission": obj(["problem_id", "lang"], {
        "problem_id": {"type": "string", "description": "directory name or uuid"},
        "lang": S,
        "code": S,
        "files": {"type": "array", "maxItems": 32, "items": obj(
            ["name", "content"],
            {"name": {"type": "string", "pattern": "^[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}$"},
             "content": S})},
        "all_tests": B,
    }),
    "Accepted": obj(["result"], {"result": obj(
        ["detail", "submission_id"], {"detail": S, "submission_id": S})}),
    "Test": obj(["name", "verdict_code", "time_ms", "memory_kb"], {
        "name": S, "verdict_code": VCODE, "time_ms": I, "wall_ms": I,
        "memory_kb": I, "exit_code": I, "signal": I, "message": S,
        "score": N}),
    "Compile": obj(["ok"], {"ok": B, "log": S, "time_ms": I}),
    "Result": obj(["submission_id", "problem_id", "lang", "user_id", "verdict",
                   "verdict_code", "time_ms", "memory_kb", "tests"], {
        "submission_id": S, "problem_id": S, "lang": S, "user_id": S,
        "verdict": S, "verdict_code": VCODE, "time_ms": I, "memory_kb": I,
        "compile": ref("Compile"),
        "tests": {"type": "array", "items": ref("Test")},
        "judge": obj([], {"host": S, "sandbox": S, "lang_version": S,
                          "load": {"type": "object"}}),
        "submitted_at": S, "finished_at": S,
        "score": N, "score_verdict_code": VCODE,
        "groups": {"type": "array", "items": obj(
            ["name", "verdict_code"], {"name": S, "verdict_code": VCODE,
                                       "score": N})}}),
    "ResultAnswer": obj(["status", "data"], {
        "status": {"const": "success"}, "data": ref("Result")}),
    "Pending": obj(["status", "data"], {
        "status": {"const": "pending"}, "data": {"type": "null"}}),
    "RunRequest": obj(["lang", "code"], {
        "lang": S, "code": S, "input": S,
        "inputs": {"type": "array", "items": S}}),
    "RunAccepted": obj(["result"], {"result": obj(
        ["detail", "run_id"], {"detail": S, "run_id": S})}),
    "Run": obj(["run_id", "lang", "verdict_code"], {
        "run_id": S, "user_id": S, "lang": S, "verdict": S,
        "verdict_code": RCODE, "message": SN, "compile": ref("Compile"),
        "runs": {"type": "array", "items": obj(
            ["name", "verdict_code", "stdout", "stderr"], {
                "name": S, "verdict_code": RCODE, "verdict": S, "message": S,
                "stdout": S, "stdout_truncated": B, "stderr": S,
                "stderr_truncated": B, "time_ms": I, "wall_ms": I,
                "memory_kb": I, "exit_code": I, "signal": I})},
        "judge": {"type": "object"}, "finished_at": S}),
    "RunAnswer": obj(["status", "data"], {
        "status": {"const": "success"}, "data": ref("Run")}),
    "SubmissionList": obj(["count", "page", "pages", "next", "previous",
                           "results"], {
        "count": I, "page": I, "pages": I, "next": SN, "previous": SN,
        "results": {"type": "array", "items": obj(
            ["submission_id", "problem_id", "lang", "status", "verdict",
             "verdict_code", "submitted_at"], {
                "submission_id": S, "problem_id": S, "lang": S,
                "status": {"enum": ["pending", "done"]},
                "verdict": SN, "verdict_code": {"anyOf": [VCODE, {"type": "null"}]},
                "time_ms": IN, "memory_kb": IN, "submitted_at": S,
                "finished_at": SN})}}),
    "ProblemSummary": obj(["id", "uuid", "title"], {
        "id": S, "uuid": S, "title": S, "difficulty": SN,
        "tags": {"type": "array", "items": S},
        "time_limit_ms": I, "memory_mb": I}),
    "ProblemList": obj(["status_code", "questions"], {
        "status_code": {"const": 200},
        "questions": obj(["count", "next", "previous", "results"], {
            "count": I, "next": SN, "previous": SN,
            "results": {"type": "array", "items": ref("ProblemSummary")}})}),
    "Problem": obj(["status_code", "question"], {
        "status_code": {"const": 200},
        "question": obj(["id", "uuid", "title", "description",
                         "testcases_example", "constraints"], {
            "id": S, "uuid": S, "title": S, "difficulty": SN,
            "description": S,
            "testcases_example": {"type": "array", "items": obj(
                ["name", "input", "output", "truncated"],
                {"name": S, "input": S, "output": S, "truncated": B})},
            "constraints": obj(["time_limit_ms", "memory_mb"], {
                "time_limit_ms": I, "memory_mb": I, "output_mb": I}),
            "tags": {"type": "array", "items": S},
            "validation": S,
            "type": {"type": "array", "items": S},
            "names": {"type": "object", "additionalProperties": S},
            "languages": {"type": "array", "items": S}})}),
    "Language": obj(["name", "display", "version"], {
        "name": S, "display": S, "version": S}),
    "Health": obj(["status"], {"status": {"const": "OK"}}),
    "Ready": obj(["status", "checks"], {
        "status": {"enum": ["ready", "not ready"]}, "detail": S,
        "checks": obj(["store", "transport", "sandbox", "problems"], {
            "store": S, "transport": S, "sandbox": S, "problems": I})}),
    "Version": obj(["name", "version", "abi", "abi_minor", "plugins"], {
        "name": {"const": "algocode"}, "version": S, "abi": I,
        "abi_minor": I, "plugins": obj([], {
            "transport": SN, "store": SN, "sandbox": SN,
            "lang": {"type": "array", "items": S}})}),
    "Registration": obj(["username", "email", "password1", "password2"], {
        "username": S, "email": S, "password1": S, "password2": S,
        "first_name": S, "last_name": S}),
    "Login": obj(["password"], {"email": S, "username": S, "password": S}),
    "User": obj(["pk", "email"], {
        "pk": S, "username": S, "email": S, "first_name": S,
        "last_name": S}),
    "LoginAnswer": obj(["access_token", "refresh_token", "user"], {
        "access_token": S, "refresh_token": S, "user": ref("User")}),
    "Refresh": obj(["refresh"], {"refresh": S}),
    "RefreshAnswer": obj(["access", "refresh", "access_token_expiration"], {
        "access": S, "refresh": S, "access_token_expiration": S}),
    "Verify": obj(["token"], {"token": S}),
    "Logout": obj([], {"refresh": S, "all": B}),
    "StreamCompile": obj(["ok", "time_ms"], {"ok": B, "time_ms": I, "log": S}),
    # A test event sent from the stored result document (a stream opened
    # after the result, or a lost progress message) is the document's test
    # (Test: no verdict, plus exit_code, signal, message) with index and
    # total; a live one is the judge's progress (with verdict).
    "StreamTest": obj(["index", "total", "name", "verdict_code",
                       "time_ms", "memory_kb"], {
        "index": I, "total": I, "name": S, "verdict": S, "verdict_code": VCODE,
        "time_ms": I, "wall_ms": I, "memory_kb": I}),
    "Empty": {"type": "object", "maxProperties": 0},
    "Detail": obj(["detail"], {"detail": S}),
}


def js(name, desc):
    return {"description": desc,
            "content": {"application/json": {"schema": ref(name)}}}


def err(desc):
    return js("Error", desc)


HTML_413 = {"description": "body over api.max_body_kb: libevent's own small HTML page",
            "content": {"application/json": {"schema": ref("Error")},
                        "text/html": {"schema": S}}}
COMMON = {
    "405": {"description": "wrong method (Allow lists the right ones)",
            "headers": {"Allow": {"schema": S}},
            "content": {"application/json": {"schema": ref("Error")}}},
    "414": {"description": "request target over api.max_url_bytes",
            "content": {"application/json": {"schema": ref("Error")},
                        "text/html": {"schema": S}}},
    "503": err("the store or the queue is unavailable or full, or the server is stopping"),
}
E401 = {"description": "no token, or not a valid access token",
        "headers": {"WWW-Authenticate": {"schema": S}},
        "content": {"application/json": {"schema": ref("Error")}}}
E429 = {"description": "the user's bucket is empty",
        "headers": {"Retry-After": {"schema": I}},
        "content": {"application/json": {"schema": ref("Error")}}}
BEARER = [{"bearer": []}]


def op(summary, responses, tag, body=None, security=None, params=None,
       common=True):
    o = {"summary": summary, "tags": [tag], "responses": dict(responses)}
    if common:
        for k, v in COMMON.items():
            o["responses"].setdefault(k, v)
    if body:
        o["requestBody"] = {"required": True, "content": {
            "application/json": {"schema": ref(body)}}}
    if security:
        o["security"] = security
    if params:
        o["parameters"] = params
    return o


def idp(desc):
    return [{"name": "id", "in": "path", "required": True,
             "schema": S, "description": desc}]


def q(name, desc, schema=S):
    return {"name": name, "in": "query", "required": False,
            "schema": schema, "description": desc}


A = "api"
AU = "auth"


def upload(summary, body, created, bad, too_large):
    """An api POST of a program (BODY) by a signed-in user: CREATED (201),
    or a refusal: BAD (400), 401, TOO_LARGE (413), 429."""
    return op(summary, {
        "201": created,
        "400": err(bad),
        "401": E401,
        "413": HTML_413 | {"description": too_large},
        "429": E429,
    }, A, body=body, security=BEARER)

paths = {
    "/api/v1/code/submit/": {"post": upload(
        "Submit a solution", "Submission",
        js("Accepted", "stored (pending): it gets exactly one result"),
        "malformed JSON, a missing or mistyped field, unknown language or problem",
        "source over api.max_source_kb (or a problem's limits.code), more than 32 files, or a body over api.max_body_kb")},
    "/api/v1/code/run/": {"post": upload(
        "Run a program on custom inputs", "RunRequest",
        js("RunAccepted", "accepted: poll GET /api/v1/code/run/ID/"),
        "malformed JSON, missing fields, neither or both of input and inputs, unknown language",
        "source, inputs or body too large")},
    "/api/v1/code/run/{id}/": {"get": op(
        "A run's document", {
            "200": js("RunAnswer", "the run document"),
            "202": js("Pending", "not finished after api.result_wait_s"),
            "401": E401,
            "404": err("unknown, expired or another user's run"),
        }, A, security=BEARER, params=idp("run id (run-...)"))},
    "/api/v1/result/check/{id}/": {"get": op(
        "A submission's result (waits up to api.result_wait_s)", {
            "200": js("ResultAnswer", "the result document"),
            "202": js("Pending", "not finished after api.result_wait_s"),
            "401": E401,
            "404": err("unknown id, or another user's submission"),
        }, A, security=BEARER, params=idp("submission id"))},
    "/api/v1/result/stream/{id}/": {"get": op(
        "Live results (Server-Sent Events: compile, test, result, timeout)", {
            "200": {"description": "text/event-stream, events in this order, each "
                                   "once: compile (StreamCompile), test (StreamTest, one per "
                                   "finished test), result (Result), or timeout ({}); "
                                   "then the response ends",
                    "content": {"text/event-stream": {"schema": S}}},
            "401": E401,
            "404": err("unknown id, or another user's submission"),
        }, A, security=BEARER, params=idp("submission id"))},
    "/api/v1/submissions/": {"get": op(
        "The caller's submissions, newest first, 20 a page", {
            "200": js("SubmissionList", "a page"),
            "400": err("malformed problem"),
            "401": E401,
            "404": err("a page past the last"),
            "501": err("the store has no list_submissions"),
        }, A, security=BEARER,
        params=[q("problem", "only this problem's"),
                q("page", "1-based", I)])},
    "/api/v1/problem/all/": {"get": op(
        "Problems, ten a page", {
            "200": js("ProblemList", "a page"),
            "404": err("a page that does not exist"),
        }, A, params=[q("page", "1-based, or last"),
                      q("title", "case-insensitive substring"),
                      q("tags", "comma-separated; all must match")])},
    "/api/v1/problem/{id}/": {"get": op(
        "One problem with its statement and samples", {
            "200": js("Problem", "the problem"),
            "404": err("unknown problem"),
        }, A, params=idp("directory name or uuid"))},
    "/api/v1/languages/": {"get": op(
        "Languages a submission may use", {
            "200": {"description": "the languages",
                    "content": {"application/json": {"schema": {
                        "type": "array", "items": ref("Language")}}}},
        }, A)},
    "/api/v1/common/healthcheck/": {"get": op(
        "Liveness", {"200": js("Health", "the process serves HTTP")}, A)},
    "/api/v1/common/ready/": {"get": op(
        "Readiness", {"200": js("Ready", "ready"),
                      "503": js("Ready", "not ready (or shutting down: Error)")
                      | {"content": {"application/json": {"schema": {
                          "anyOf": [ref("Ready"), ref("Error")]}}}}}, A)},
    "/version": {"get": op(
        "The build, the plugin ABI and this process's plugins", {
            "200": js("Version", "the version")}, A)},
    "/api/v1/openapi.json": {"get": op(
        "This document", {
            "200": {"description": "the OpenAPI document",
                    "content": {"application/json": {"schema": {"type": "object"}}}},
            "404": err("api.openapi_file is missing"),
        }, A)},
    "/metrics": {"get": op(
        "Prometheus metrics (only on metrics.listen; 404 on the api and auth listeners)", {
            "200": {"description": "Prometheus text format",
                    "content": {"text/plain": {"schema": S}}},
            "404": err("not the metrics listener"),
        }, A)},
    "/": {"get": op(
        "The web console (docs/console.md) and its files under /NAME", {
            "200": {"description": "index.html", "content": {"text/html": {"schema": S}}},
            "404": err("api.console off, or its directory missing"),
        }, A)},
    "/api/v1/auth/registration/": {"post": op(
        "Create an account", {
            "201": js("LoginAnswer", "created, logged in"),
            "400": err("a broken rule: field lists beside detail"),
            "413": err("body too large"),
            "429": E429,
        }, AU, body="Registration")},
    "/api/v1/auth/login/": {"post": op(
        "Log in", {
            "200": js("LoginAnswer", "logged in"),
            "400": err("Unable to log in with provided credentials (non_field_errors)"),
            "413": err("body too large"),
            "429": E429,
        }, AU, body="Login")},
    "/api/v1/auth/token/refresh/": {"post": op(
        "Rotate a refresh token", {
            "200": js("RefreshAnswer", "a new pair"),
            "400": err("malformed body"),
            "401": err("Token is invalid or expired"),
            "413": err("body too large"),
        }, AU, body="Refresh")},
    "/api/v1/auth/token/verify/": {"post": op(
        "Verify an access token", {
            "200": js("Empty", "valid"),
            "400": err("malformed body"),
            "401": err("Token is invalid or expired"),
            "413": err("body too large"),
        }, AU, body="Verify")},
    "/api/v1/auth/logout/": {"post": op(
        "Revoke a refresh token, or all of the caller's", {
            "200": js("Detail", "Successfully logged out."),
            "400": err("malformed body"),
            "401": err("neither refresh nor all with a token"),
            "413": err("body too large"),
        }, AU, body="Logout")},
    "/api/v1/auth/user/": {"get": op(
        "The caller", {
            "200": js("User", "the caller's account"),
            "401": E401,
        }, AU, security=BEARER)},
}

doc = {
    "openapi": "3.1.0",
    "info": {
        "title": "Algocode",
        "version": VERSION,
        "description": "The HTTP API of the api and auth roles (docs/api.md, "
                       "docs/auth.md).  A trailing slash is optional; HEAD is "
                       "accepted wherever GET is; OPTIONS answers {} with Allow; "
                       "any other method answers 405 with Allow and an Error. "
                       "Every error is {\"detail\": ...} (the Error schema); an "
                       "unknown route answers 404 with one.",
    },
    "servers": [{"url": "http://127.0.0.1:8080"}],
    "tags": [{"name": "api", "description": "api role (docs/api.md)"},
             {"name": "auth", "description": "auth role (docs/auth.md)"}],
    "paths": paths,
    "components": {
        "schemas": schemas,
        "securitySchemes": {"bearer": {
            "type": "http", "scheme": "bearer", "bearerFormat": "JWT",
            "description": "HS256 access token (algocode token, or the access_token of /api/v1/auth/login/)"}},
    },
}
json.dump(doc, sys.stdout, indent=1, sort_keys=False)
sys.stdout.write("\n")
