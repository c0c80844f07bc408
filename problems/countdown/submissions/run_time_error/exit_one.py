# Prints the right answer, then exits with status 1.
import sys

n = int(sys.stdin.readline())
for i in range(n, -1, -1):
    print(i)
print("Liftoff!")
sys.exit(1)
