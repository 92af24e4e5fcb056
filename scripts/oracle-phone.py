#!/usr/bin/env python3
"""libphonenumber (PyPI `phonenumbers`) as an oracle for Relais's phone numbers.

Reads lines `RAW<TAB>REGION` on stdin (REGION: FR, RE, GP, GF, MQ, YT, PM) and prints
`E164<TAB>NATIONAL` for a valid number, or `INVALID`."""
import sys
import phonenumbers as p

for line in sys.stdin:
    line = line.rstrip("\n")
    if not line:
        continue
    raw, region = line.split("\t")
    try:
        n = p.parse(raw, region)
        if not p.is_valid_number(n):
            print("INVALID")
            continue
        print(p.format_number(n, p.PhoneNumberFormat.E164) + "\t" + p.format_number(n, p.PhoneNumberFormat.NATIONAL))
    except Exception:
        print("INVALID")
