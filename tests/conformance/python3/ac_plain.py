# expect: AC
# input() and print().
a, b = map(int, input().split())
print(a + b)
