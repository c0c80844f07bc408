# expect: AC
# The expected answer must be out of reach: the problem's host path, paths
# relative to the box, the path behind stdin, a walk of the file system.
import os

a, b = map(int, input().split())
paths = ["/tmp/algocode-conformance/problem/data/sample/1.ans",
         "/tmp/algocode-conformance/problem/data/secret/1.ans",
         "../data/sample/1.ans", "../../data/sample/1.ans",
         "/box/../data/sample/1.ans", "/data/sample/1.ans",
         "/proc/self/cwd/../data/sample/1.ans"]
try:
    link = os.readlink("/proc/self/fd/0")
    if link.endswith(".in"):
        paths.append(link[:-3] + ".ans")
except OSError:
    pass
for p in paths:
    try:
        with open(p) as f:
            f.read(1)
        print("LEAK", p)
        raise SystemExit(0)
    except OSError:
        pass
seen = 0
for top in ("/", "/tmp", "/box", "/run", "/var", "/srv", "/home", "/root"):
    for root, dirs, files in os.walk(top):
        if root.startswith(("/proc", "/sys", "/usr", "/dev")):
            dirs[:] = []
            continue
        for n in files:
            seen += 1
            if n.endswith(".ans") or "algocode-conformance" in root:
                print("LEAK", os.path.join(root, n))
                raise SystemExit(0)
        if seen > 20000:
            break
print(a + b)
