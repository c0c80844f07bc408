# A syntax error: Python's compile step reports it (CE, not RE).
name = input(
print("Hello, " + name + "!")
