#!/usr/bin/env python3
"""Writes data/ for sum-of-floats.  Answers are the exact mean (fractions),
rounded to nine digits.  Deterministic (fixed seed)."""
import os
import random
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction

rng = random.Random(2024)


def rand_reading(lo=-1000.0, hi=1000.0):
    # a multiple of 1e-6 in [lo, hi], printed with up to 6 decimals
    m = rng.randint(int(round(lo * 10**6)), int(round(hi * 10**6)))
    return fmt(m)


def fmt(m):
    s = "-" if m < 0 else ""
    m = abs(m)
    s += "%d.%06d" % (m // 10**6, m % 10**6)
    return s.rstrip("0").rstrip(".") if "." in s else s


def write(group, idx, vals):
    n = len(vals)
    assert 1 <= n <= 100000
    exact = sum(Fraction(v) for v in vals) / n
    assert all(-1000 <= Fraction(v) <= 1000 for v in vals)
    dec = (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(
        Decimal("0.000000001"), rounding=ROUND_HALF_EVEN)
    ans = format(dec, "f")
    if ans.startswith("-") and Decimal(ans) == 0:
        ans = ans[1:]
    os.makedirs(os.path.join("data", group), exist_ok=True)
    base = os.path.join("data", group, "%02d" % idx)
    with open(base + ".in", "w") as f:
        f.write("%d\n%s\n" % (n, " ".join(vals)))
    with open(base + ".ans", "w") as f:
        f.write(ans + "\n")


write("sample", 1, ["1.5", "2.25", "3.125"])
write("sample", 2, ["-40"])

# 01: a single tiny reading
write("secret", 1, ["0.000042"])
# 02: one thousand identical readings at the top of the range
write("secret", 2, ["999.999999"] * 1000)
# 03: readings that cancel exactly (positives first, then negatives): the
# mean is 0, a double sum leaves a tiny residue
pos = [rand_reading(0, 1000) for _ in range(5000)]
write("secret", 3, pos + ["-" + v if v != "0" else "0" for v in pos])
# 04: a thousand random readings
write("secret", 4, [rand_reading() for _ in range(1000)])
# 05: extremes and thirds
write("secret", 5, ["-1000", "1000", "-1000", "0.000001", "0.333333",
                    "0.666667", "-999.999999"])
# 06: the large test: 50000 random readings
write("secret", 6, [rand_reading() for _ in range(50000)])
# 07: 50000 readings all close to 1000 (relative precision matters)
write("secret", 7, [rand_reading(990, 1000) for _ in range(50000)])
