print("unrolled")
