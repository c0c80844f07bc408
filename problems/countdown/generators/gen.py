#!/usr/bin/env python3
"""Writes data/ for countdown.  Deterministic."""
import os


def write(group, idx, n):
    assert 0 <= n <= 100000
    os.makedirs(os.path.join("data", group), exist_ok=True)
    base = os.path.join("data", group, "%02d" % idx)
    with open(base + ".in", "w") as f:
        f.write("%d\n" % n)
    with open(base + ".ans", "w") as f:
        f.write("".join("%d\n" % i for i in range(n, -1, -1)) + "Liftoff!\n")


write("sample", 1, 3)
write("sample", 2, 0)
for i, n in enumerate([1, 9, 10, 100, 12345, 54321, 100000], 1):
    write("secret", i, n)
