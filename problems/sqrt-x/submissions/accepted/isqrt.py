# math.isqrt is exact for any size.
import sys
from math import isqrt

data = sys.stdin.buffer.read().split()
q = int(data[0])
sys.stdout.write("".join(f"{isqrt(int(x))}\n" for x in data[1:q + 1]))
