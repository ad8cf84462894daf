print("ember")
