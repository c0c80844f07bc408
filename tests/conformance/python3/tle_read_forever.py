# expect: TLE
# detail: wall
# Reads stdin to EOF, then blocks on a pipe nobody writes.
import os
import sys

sys.stdin.read()
r, w = os.pipe()
os.read(r, 1)
