# Counts down from x: hopeless for x near 10^18.
import sys

data = sys.stdin.read().split()
for x in map(int, data[1:]):
    r = x
    while r * r > x:
        r -= 1
    print(r)
