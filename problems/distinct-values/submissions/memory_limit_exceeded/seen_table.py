# A table indexed by the id: 2^31 entries. Python refuses the allocation
# with MemoryError, which the judge reports as MLE.
import sys

data = sys.stdin.buffer.read().split()
seen = [False] * (1 << 31)
count = 0
for x in map(int, data[1:]):
    if not seen[x]:
        seen[x] = True
        count += 1
print(count)
