# expect: RE
# detail: exit code 1
a, b = map(int, input().split())
raise ValueError("uncaught %d" % (a + b))
