# expect: RE
# detail: exit code 3
import sys

a, b = map(int, input().split())
print(a + b)
sys.exit(3)
