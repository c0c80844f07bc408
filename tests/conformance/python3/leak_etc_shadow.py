# expect: AC
# /etc/shadow and friends must be unreadable (or absent).
a, b = map(int, input().split())
for p in ("/etc/shadow", "/etc/gshadow", "/etc/shadow-", "/etc/sudoers",
          "/etc/ssh/ssh_host_rsa_key", "/etc/ssh/ssh_host_ed25519_key"):
    try:
        with open(p, "rb") as f:
            f.read(1)
        print("LEAK", p)
        raise SystemExit(0)
    except OSError:
        pass
print(a + b)
