"""Output validator (Kattis protocol) in Python 3:
validator.py input answer feedback_dir < team_output; exit 42 when the
team printed a divisor d of n with 1 < d < n, 43 otherwise."""
import os
import sys


def wrong(feedback, why):
    with open(os.path.join(feedback, "judgemessage.txt"), "w") as f:
        f.write(why + "\n")
    sys.exit(43)


def main():
    inp, _answer, feedback = sys.argv[1:4]
    with open(inp) as f:
        n = int(f.read().split()[0])
    tokens = sys.stdin.buffer.read(4096).split()
    if len(tokens) != 1:
        wrong(feedback, "expected exactly one number, got %d tokens" % len(tokens))
    try:
        d = int(tokens[0])
    except ValueError:
        wrong(feedback, "not a number: %r" % tokens[0][:40])
    if not 1 < d < n:
        wrong(feedback, "%d is not between 1 and n = %d (exclusive)" % (d, n))
    if n % d:
        wrong(feedback, "%d does not divide %d" % (d, n))
    sys.exit(42)


main()
