# expect: WA
# Reads the input, prints nothing, exits 0.
input()
