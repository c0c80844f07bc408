"""One HTTP request for the python clients of the end-to-end tests
(api_clients.py, durability_clients.py and the scripts the shell tests
write, which find this module through $top_srcdir).  Standard library
only.
"""
import http.client
import urllib.parse


def request(url, method, path, token=None, body=None, timeout=30):
    """(status, headers, body bytes) of one request.

    url: a base URL ("http://127.0.0.1:8080") or a port on 127.0.0.1;
    token: sent as a Bearer token unless None; body: bytes or text, sent
    as JSON.  A failed connection raises OSError (or
    http.client.HTTPException)."""
    if isinstance(url, int) or str(url).isdigit():
        host, port = "127.0.0.1", int(url)
    else:
        u = urllib.parse.urlsplit(url)
        host, port = u.hostname, u.port or 80
    c = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        headers = {}
        if token is not None:
            headers["Authorization"] = "Bearer " + token
        if body is not None:
            headers["Content-Type"] = "application/json"
        c.request(method, path, body=body, headers=headers)
        r = c.getresponse()
        return r.status, r.headers, r.read()
    finally:
        c.close()
