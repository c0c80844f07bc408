import sys
from math import fsum

data = sys.stdin.read().split()
n = int(data[0])
print(f"{fsum(map(float, data[1:n + 1])) / n:.9f}")
