# expect: TLE
# detail: wall
import time

time.sleep(100)
