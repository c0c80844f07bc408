# expect: MLE
# The recursion limit raised out of the way: the frames fill the memory
# (Python 3.11 keeps Python frames off the C stack).
import sys

sys.setrecursionlimit(10**9)


def f(n):
    pad = [n, n + 1, n + 2]
    return f(n + 1) + pad[0]


print(f(0))
