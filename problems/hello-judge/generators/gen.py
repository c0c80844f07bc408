#!/usr/bin/env python3
"""Writes data/ for hello-judge.  Run from the package directory."""
import os

SAMPLES = ["World", "Ada Lovelace"]
SECRET = [
    "Algocode",
    "X",
    "Grace Brewster Murray Hopper",
    "Jean-Luc O'Neil",
    "abcdefghij" * 10,  # 100 characters, all lower case
    "a",
    "McCarthy",
    " ".join(["Z"] * 50)[:99],  # many one-letter words
]


def write(group, idx, name):
    base = os.path.join("data", group, "%02d" % idx)
    with open(base + ".in", "w") as f:
        f.write(name + "\n")
    with open(base + ".ans", "w") as f:
        f.write("Hello, %s!\n" % name)


for group, names in (("sample", SAMPLES), ("secret", SECRET)):
    os.makedirs(os.path.join("data", group), exist_ok=True)
    for i, name in enumerate(names, 1):
        assert 1 <= len(name) <= 100 and name == name.strip(), name
        write(group, i, name)
