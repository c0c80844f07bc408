# expect: RE
# detail: exit code 1
# Unbounded recursion under the default recursion limit: RecursionError.


def f(n):
    return f(n + 1) + 1


print(f(0))
