# expect: TLE
# detail: cpu
# As many spinning threads as it may start, then spins itself.
import threading


def spin():
    x = 0
    while True:
        x += 1


for _ in range(1000):
    try:
        threading.Thread(target=spin, daemon=True).start()
    except RuntimeError:
        break
spin()
