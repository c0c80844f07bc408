# input() keeps the spaces inside the name.
name = input()
print(f"Hello, {name}!")
