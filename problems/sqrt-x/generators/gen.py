#!/usr/bin/env python3
"""Writes data/ for sqrt-x (answers from math.isqrt).  Run from the package
directory; the output is deterministic (fixed seed)."""
import math
import os
import random

MAXX = 2**31 - 1
rng = random.Random(69)


def write(group, idx, xs):
    assert 1 <= len(xs) <= 100000
    assert all(0 <= x <= MAXX for x in xs)
    os.makedirs(os.path.join("data", group), exist_ok=True)
    base = os.path.join("data", group, "%02d" % idx)
    with open(base + ".in", "w") as f:
        f.write("%d\n" % len(xs))
        f.write("".join("%d\n" % x for x in xs))
    with open(base + ".ans", "w") as f:
        f.write("".join("%d\n" % math.isqrt(x) for x in xs))


write("sample", 1, [4, 8, 0, 1])
write("sample", 2, [15, 16, 17, 99, 100])

# 01: every x from 0 to 2000.
write("secret", 1, list(range(2001)))
# 02: the edges of the range.
write("secret", 2, [0, 1, 2, 3, 4, 5, 2147395599, 2147395600, 2147395601,
                    MAXX - 1, MAXX, 2**30, 2**30 - 1, 2**30 + 1] +
      [MAXX - i for i in range(2, 50)])
# 03: perfect squares and their neighbours.
xs = []
for k in [0, 1, 2, 3, 10, 99, 100, 1000, 4096, 4097, 32768, 46339, 46340] + \
        [rng.randrange(2, 46341) for _ in range(300)]:
    for d in (-1, 0, 1):
        if 0 <= k * k + d <= MAXX:
            xs.append(k * k + d)
write("secret", 3, xs)
# 04: k*k - 1 for large k: single-precision floats round these up to k*k.
write("secret", 4, [k * k - 1 for k in range(40000, 46341, 7)])
# 05: log-uniform random values (all magnitudes).
write("secret", 5, [int(2 ** rng.uniform(0, 31)) for _ in range(20000)])
# 06: the large test: 100000 values close to the top of the range.
write("secret", 6, [rng.randrange(2**30, MAXX + 1) for _ in range(100000)])
