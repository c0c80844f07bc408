# expect: MLE
# A list of distinct ints grows until the memory limit stops it
# (MemoryError or the cgroup's kill: MLE either way).
a = []
i = 0
while True:
    a.append(i * 1000003)
    i += 1
