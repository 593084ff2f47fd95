#!/usr/bin/env python3
"""Write lint/traditional.txt: traditional characters and their simplified forms.

Run from the repository root:  python3 lint/build-traditional.py [UNIHAN_DIR]
Needs Debian's unicode-data package (Unihan, /usr/share/unicode by default).

A character is listed when Unihan gives it a simplified variant other than
itself (kSimplifiedVariant) and it is not one of the 8,105 characters of the
通用规范汉字表 (kTGHZ2013): so 後 → 后 and 裡 → 里 are listed, while 著 and 乾,
which simplified text uses in their own right, are not.
"""
import bz2
import os
import sys

base = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/unicode"


def lines(name):
    path = os.path.join(base, name)
    if os.path.exists(path):
        return open(path, encoding="utf-8")
    return bz2.open(path + ".bz2", "rt", encoding="utf-8")


def char(code):
    return chr(int(code[2:].split("<")[0], 16))


tgh = set()
for line in lines("Unihan_Readings.txt"):
    parts = line.rstrip("\n").split("\t")
    if len(parts) == 3 and parts[1] == "kTGHZ2013":
        tgh.add(char(parts[0]))
assert len(tgh) == 8105, len(tgh)

pairs = {}
for line in lines("Unihan_Variants.txt"):
    parts = line.rstrip("\n").split("\t")
    if len(parts) == 3 and parts[1] == "kSimplifiedVariant":
        t = char(parts[0])
        simple = [char(c) for c in parts[2].split(" ") if char(c) != t]
        if simple and t not in tgh:
            pairs[t] = "".join(simple)

with open("lint/traditional.txt", "w", encoding="utf-8", newline="\n") as out:
    out.write("# Traditional character, then its simplified form(s); made by\n")
    out.write("# lint/build-traditional.py from Unicode's Unihan database (see lint/README.md).\n")
    for t in sorted(pairs):
        out.write(f"{t} {pairs[t]}\n")
print(len(pairs), "characters")
