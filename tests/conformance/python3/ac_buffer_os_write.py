# expect: AC
# Bytes: sys.stdin.buffer and os.write on fd 1.
import os
import sys

a, b = map(int, sys.stdin.buffer.readline().split())
os.write(1, b"%d\n" % (a + b))
