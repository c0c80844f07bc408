# expect: AC
# The classic daemon: fork, setsid, fork, close everything, sleep forever.
# Nothing may survive the run (the runner looks for the marker).
import ctypes
import os
import sys
import time

a, b = map(int, input().split())
sys.stdout.flush()
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        ctypes.CDLL(None).prctl(15, b"acconfmark", 0, 0, 0)
        for fd in (0, 1, 2):
            os.close(fd)
        while True:
            time.sleep(1000)
    os._exit(0)
os.wait()
print(a + b)
