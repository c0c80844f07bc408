# A set of 100000 small ints fits well under 32 MiB.
import sys

data = sys.stdin.buffer.read().split()
n = int(data[0])
print(len(set(data[1:n + 1])))
