# expect: MLE
# An allocation far beyond the limit fails at once: the traceback ends in
# MemoryError, which the python3 plugin classifies as MLE (docs/plugins.md).
b = bytearray(1 << 44)
print(len(b))
