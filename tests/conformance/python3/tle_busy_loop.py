# expect: TLE
# detail: cpu
x = 0
while True:
    x += 1
