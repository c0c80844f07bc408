import sys

data = sys.stdin.buffer.read().split()
n, t = int(data[0]), int(data[1])
seen = {}
for j in range(1, n + 1):
    a = int(data[1 + j])
    i = seen.get(t - a)
    if i is not None:
        print(i, j)
        break
    seen.setdefault(a, j)
else:
    print(-1)
