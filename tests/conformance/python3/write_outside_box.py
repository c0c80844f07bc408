# expect: AC
# Files outside /box and /tmp: the root, /etc, /usr, /dev, the host's
# fixed directory.  The runner also looks for these names afterwards.
import os

a, b = map(int, input().split())
for p in ("/acconf-escape", "/etc/acconf-escape", "/usr/acconf-escape",
          "/usr/local/acconf-escape", "/usr/lib/python3/acconf-escape",
          "/bin/acconf-escape", "/dev/acconf-escape",
          "/box/../acconf-escape", "/var/tmp/acconf-escape",
          "/root/acconf-escape", "/run/acconf-escape",
          "/tmp/algocode-conformance/acconf-escape"):
    try:
        fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        os.close(fd)
        print("WROTE", p)
        raise SystemExit(0)
    except OSError:
        pass
    try:
        os.mkdir(p)
        print("MKDIR", p)
        raise SystemExit(0)
    except OSError:
        pass
for f in (lambda: os.unlink("/etc/passwd"),
          lambda: os.rename("/etc/hosts", "/etc/x"),
          lambda: os.unlink("/usr/bin/python3")):
    try:
        f()
        print("MODIFIED")
        raise SystemExit(0)
    except OSError:
        pass
print(a + b)
