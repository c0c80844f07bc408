# expect: AC
# The whole input at once, sys.stdout.write, a function and a big int.
import sys


def main():
    a, b = map(int, sys.stdin.read().split())
    sys.stdout.write("%d\n" % (a + b + 10**30 - 10**30))


if __name__ == "__main__":
    main()
