#!/usr/bin/env python3
"""Build step: turns a text file into a C file defining `const unsigned char NAME[]` with its
contents and a terminating NUL, so kvqeval carries its default data (analysis/epiphanies.json)
inside the binary. (Bytes, not a string literal: ISO C caps literals at 4095 characters.)
Usage: embed_text.py INPUT OUTPUT NAME"""
import sys

src, dst, name = sys.argv[1:4]
data = open(src, "rb").read() + b"\0"
with open(dst, "w") as f:
    f.write("/* Generated from %s by analysis/embed_text.py. */\n" % src.split("/")[-1])
    f.write("extern const unsigned char %s[];\n" % name)
    f.write("const unsigned char %s[] = {\n" % name)
    for i in range(0, len(data), 16):
        f.write("    " + ", ".join("0x%02x" % b for b in data[i:i + 16]) + ",\n")
    f.write("};\n")
