# expect: MLE
# 512 MiB of zeroed bytes (memset: every page is touched).
b = bytearray(512 << 20)
print(len(b))
