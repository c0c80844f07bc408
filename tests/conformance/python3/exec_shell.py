# expect: AC
# The program may run the image's shell and tools (subprocess, os.system),
# but the shell gets no more than the program: no /etc/shadow, no writes
# outside the box, no network.
import os
import subprocess

a, b = map(int, input().split())
bad = subprocess.run(
    ["/bin/sh", "-c",
     "cat /etc/shadow 2>/dev/null >/dev/null && echo LEAK-shadow;"
     "echo x 2>/dev/null >/acconf-escape-sh && echo WROTE-root;"
     "echo x 2>/dev/null >/etc/acconf-escape-sh && echo WROTE-etc;"
     "echo x 2>/dev/null >/tmp/algocode-conformance/acconf-escape-sh"
     " && echo WROTE-fixed;"
     "exec 2>/dev/null 3<>/dev/tcp/127.0.0.1/28080 && echo CONNECTED;"
     "true"],
    capture_output=True, text=True).stdout.split()
if bad:
    print(" ".join(bad))
    raise SystemExit(0)
r = subprocess.run(["expr", str(a), "+", str(b)], capture_output=True,
                   text=True, check=True)
if int(r.stdout) != a + b:
    raise SystemExit(4)
os.system("echo %d" % (a + b))
