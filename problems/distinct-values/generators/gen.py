#!/usr/bin/env python3
"""Writes data/ for distinct-values (answers from len(set())).
Deterministic (fixed seed)."""
import os
import random

rng = random.Random(32)
MAXV = 2**31 - 1


def write(group, idx, v):
    assert 1 <= len(v) <= 100000 and all(0 <= x <= MAXV for x in v)
    os.makedirs(os.path.join("data", group), exist_ok=True)
    base = os.path.join("data", group, "%02d" % idx)
    with open(base + ".in", "w") as f:
        f.write("%d\n%s\n" % (len(v), " ".join(map(str, v))))
    with open(base + ".ans", "w") as f:
        f.write("%d\n" % len(set(v)))


write("sample", 1, [3, 1, 3, 2, 1])
write("sample", 2, [MAXV])

# 01: the smallest id only
write("secret", 1, [0])
# 02: all equal
write("secret", 2, [7] * 1000)
# 03: small ids with many repeats
write("secret", 3, [rng.randint(0, 99) for _ in range(5000)])
# 04: ids that agree in their low 16 bits (a 16-bit table collides)
write("secret", 4, [k * 65536 + 12345 for k in range(2000)] * 2)
# 05: both ends of the range
write("secret", 5, [0, MAXV, MAXV, 0, 1, MAXV - 1])
# 06: the large test: 100000 random ids over the whole range, some repeated
v = [rng.randint(0, MAXV) for _ in range(70000)]
v += rng.sample(v, 30000)
rng.shuffle(v)
write("secret", 6, v)
