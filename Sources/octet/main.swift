print("octet")
