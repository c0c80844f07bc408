import math
k, v = map(int, input().split())
print(v * v if k == 1 else math.isqrt(v))
