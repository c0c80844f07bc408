# expect: TLE
# detail: cpu
# os.fork() in a loop, ignoring failures: the process limit stops the
# growth, the CPU limit (counted over every process) ends the run.
import ctypes
import os

ctypes.CDLL(None).prctl(15, b"acconfmark", 0, 0, 0)  # PR_SET_NAME
while True:
    try:
        os.fork()
    except OSError:
        pass
