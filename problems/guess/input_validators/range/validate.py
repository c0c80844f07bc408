"""Input validator (Kattis): validate.py < test.in; exit 42 when the input
is one line holding an integer N with 1 <= N <= 1000, 43 otherwise."""
import re
import sys

data = sys.stdin.read()
if not re.fullmatch(r"[1-9][0-9]{0,3}\n", data) or not 1 <= int(data) <= 1000:
    print("expected one line with an integer from 1 to 1000", file=sys.stderr)
    sys.exit(43)
sys.exit(42)
