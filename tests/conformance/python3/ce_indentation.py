# expect: CE
# detail: IndentationError
def main():
print(sum(map(int, input().split())))
