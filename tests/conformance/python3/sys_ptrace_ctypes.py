# expect: RE
# detail: Bad System Call
# ptrace through ctypes: forbidden by the sandbox's seccomp filter (SIGSYS).
import ctypes

a, b = map(int, input().split())
ctypes.CDLL(None).ptrace(0, 0, None, None)  # PTRACE_TRACEME
print(a + b)
