# expect: AC
# Chatter on stderr, a file in /tmp, two short threads, a little recursion.
import os
import sys
import tempfile
import threading

a, b = map(int, input().split())
print("debug: read", a, b, file=sys.stderr)
with tempfile.NamedTemporaryFile("w+", dir="/tmp") as f:
    f.write(str(a + b))
    f.flush()
    f.seek(0)
    s = int(f.read())
out = []
ts = [threading.Thread(target=out.append, args=(s,)) for _ in range(2)]
for t in ts:
    t.start()
for t in ts:
    t.join()


def depth(n):
    return 0 if n == 0 else 1 + depth(n - 1)


assert depth(500) == 500 and out == [s, s]
print(out[0])
sys.stdout.flush()
os.write(2, b"done\n")
