# expect: CE
# detail: SyntaxError
a, b = map(int, input().split()
print(a + b)
