# expect: AC
# TCP and UDP to 127.0.0.1: the runner's listeners (28080, 28081), the API
# port (8080) and the usual services.  There is no network in the sandbox.
import socket

a, b = map(int, input().split())
for port in (28080, 8080, 8081, 80, 22, 5672, 4222, 6379, 27017):
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=0.5)
        print("CONNECTED", port)
        raise SystemExit(0)
    except OSError:
        pass
try:
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.sendto(b"acconf", ("127.0.0.1", 28081))
except OSError:
    pass
print(a + b)
