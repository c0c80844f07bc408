import sys

n = int(sys.stdin.readline())
sys.stdout.write("\n".join(map(str, range(n, -1, -1))) + "\nLiftoff!\n")
