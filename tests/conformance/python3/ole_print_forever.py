# expect: OLE
while True:
    print("3 3 3 3 3 3 3 3 3 3 3 3 3 3 3 3")
