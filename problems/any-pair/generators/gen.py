#!/usr/bin/env python3
"""Writes data/ for any-pair.  The .ans holds one valid pair (or -1); the
output validator accepts any valid pair.  Deterministic (fixed seed)."""
import os
import random

rng = random.Random(1)
LIM = 10**9


def solve(t, a):
    first = {}
    for j, x in enumerate(a, 1):
        if t - x in first:
            return "%d %d" % (first[t - x], j)
        first.setdefault(x, j)
    return "-1"


def write(group, idx, t, a):
    assert 2 <= len(a) <= 200000
    assert all(-LIM <= x <= LIM for x in a) and -2 * LIM <= t <= 2 * LIM
    os.makedirs(os.path.join("data", group), exist_ok=True)
    base = os.path.join("data", group, "%02d" % idx)
    with open(base + ".in", "w") as f:
        f.write("%d %d\n%s\n" % (len(a), t, " ".join(map(str, a))))
    with open(base + ".ans", "w") as f:
        f.write(solve(t, a) + "\n")


write("sample", 1, 9, [2, 7, 11, 15, -2])
write("sample", 2, 10, [1, 2, 3])
write("sample", 3, 6, [3, 1, 3, 5])

# 01: the sum overflows 32 bits
write("secret", 1, 2 * LIM, [LIM, LIM])
# 02: two elements, no pair
write("secret", 2, 1, [LIM, -LIM])
# 03: the most negative target
write("secret", 3, -2 * LIM, [5, -LIM, 0, -LIM, 7])
# 04: T = 2 * a_1 with a_1 unique: "1 1" is not a pair, 2 4 is
write("secret", 4, 10, [5, 1, 2, 9])
# 05: all equal: every pair is correct
write("secret", 5, 84, [42] * 1000)
# 06: random, small values, many pairs
write("secret", 6, 17, [rng.randint(-50, 50) for _ in range(1000)])
# 07: random, large values, probably exactly the planted pair
a = [rng.randint(-LIM, LIM) for _ in range(1000)]
i, j = rng.sample(range(1000), 2)
write("secret", 7, a[i] + a[j], a)
# 08: 50000 distinct values; the only pair uses the last element
a = rng.sample(range(-LIM, LIM + 1, 4), 50000)  # all multiples of 4
if a[-1] > 0:
    a[-1] -= 2  # the only value that is 2 mod 4 ...
else:
    a[-1] += 2
t = a[123] + a[-1]  # ... so a sum that is 2 mod 4 needs it
write("secret", 8, t, a)
# 09: the large test: 200000 even values and an odd target: no pair
write("secret", 9, 2 * 999999 + 1,
      [2 * rng.randint(-500000, 500000) for _ in range(200000)])
