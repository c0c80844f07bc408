# expect: AC
# Forks sleeping children until fork() fails, then answers.  More than 64
# processes would mean no process limit: a wrong answer then.
import ctypes
import os
import time

a, b = map(int, input().split())
n = 0
while n < 1000:
    try:
        pid = os.fork()
    except OSError:
        break
    if pid == 0:
        ctypes.CDLL(None).prctl(15, b"acconfmark", 0, 0, 0)
        while True:
            time.sleep(1000)
    n += 1
print("FORKED %d" % n if n >= 64 else a + b, flush=True)
os._exit(0)
