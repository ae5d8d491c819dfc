#!/bin/sh
# End-to-end checks of `kvqeval encode` and `kvqeval decode`: the codes of every deployed format
# equal the golden codes of tests/golden/gen_deployed.py (written from the formats' descriptions,
# independently of kvqeval), decodes equal its decodes, codecs whose codes need what fit learned
# (a per-tensor scale, a codebook) and signature-grade codecs are refused by decode, and a seeded
# codec is deterministic.
# Usage: codec_cli_test.sh PATH/TO/kvqeval TESTS_SOURCE_DIR
KVQ=$1
GOLD=$2/golden/deployed.json
. "$(dirname "$0")/lib.sh"

# The golden rows as a float32 .npy, and each codec's golden codes and decode, one per file.
python3 - "$GOLD" "$TMP" <<'PY' || fail "could not read the golden file"
import json, struct, sys
g = json.load(open(sys.argv[1]))
out = sys.argv[2]
def npy(path, rows):
    d = "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d), }" % (len(rows), len(rows[0]))
    pad = 64 - (10 + len(d) + 1) % 64
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(d) + pad + 1) + d.encode()
                + b" " * pad + b"\n")
        for r in rows:
            f.write(struct.pack("<%df" % len(r), *r))
npy(out + "/rows.npy", g["rows"])
with open(out + "/specs", "w") as s:
    for i, c in enumerate(g["codecs"]):
        s.write("%d %s\n" % (i, c["spec"]))
        with open("%s/want%d.bin" % (out, i), "wb") as f:
            f.write(bytes.fromhex("".join(c["codes"])))
        with open("%s/want%d.txt" % (out, i), "w") as f:
            f.write("\n".join(repr(float(v)) for r in c["decoded"] for v in r) + "\n")
PY
checked=0
while read -r i spec; do
    "$KVQ" encode --codec "$spec" --npy "$TMP/rows.npy" --out "$TMP/got$i.bin" 2>"$TMP/err" ||
        fail "encode $spec: $(cat "$TMP/err")"
    cmp -s "$TMP/got$i.bin" "$TMP/want$i.bin" || fail "encode $spec: codes differ from the golden codes"
    case $spec in
    nvfp4 | *scale=tensor*) # a per-tensor scale that fit learned: decode cannot know it
        expect 2 "learns from the rows it encodes" -- decode --codec "$spec" --codes "$TMP/got$i.bin" --dim 256 --out "$TMP/dec$i.npy"
        checked=$((checked + 1))
        continue ;;
    esac
    "$KVQ" decode --codec "$spec" --codes "$TMP/got$i.bin" --dim 256 --out "$TMP/dec$i.npy" 2>"$TMP/err" ||
        fail "decode $spec: $(cat "$TMP/err")"
    python3 - "$TMP/dec$i.npy" "$TMP/want$i.txt" <<'PY' || fail "decode $spec: values differ from the golden decode"
import struct, sys
data = open(sys.argv[1], "rb").read()
hl = struct.unpack("<H", data[8:10])[0]
got = struct.unpack("<%df" % ((len(data) - 10 - hl) // 4), data[10 + hl:])
want = [float(x) for x in open(sys.argv[2])]
sys.exit(0 if len(got) == len(want) and all(a == b for a, b in zip(got, want)) else 1)
PY
    checked=$((checked + 1))
done <"$TMP/specs"
[ "$checked" -ge 15 ] || fail "only $checked formats checked"

# A codec with a random rotation: the same seed gives the same codes, and decode with that seed
# reads them back; another seed gives other codes.
"$KVQ" encode --codec turboquant:bits=4 --npy "$TMP/rows.npy" --out "$TMP/t1.bin" --seed 3 || fail "turboquant encode"
"$KVQ" encode --codec turboquant:bits=4 --npy "$TMP/rows.npy" --out "$TMP/t2.bin" --seed 3 || fail "turboquant encode"
"$KVQ" encode --codec turboquant:bits=4 --npy "$TMP/rows.npy" --out "$TMP/t3.bin" --seed 4 || fail "turboquant encode"
cmp -s "$TMP/t1.bin" "$TMP/t2.bin" || fail "same seed, different codes"
cmp -s "$TMP/t1.bin" "$TMP/t3.bin" && fail "different seeds, same codes"
expect 0 "" -- decode --codec turboquant:bits=4 --codes "$TMP/t1.bin" --dim 256 --out "$TMP/t.npy" --seed 3
python3 - "$TMP/rows.npy" "$TMP/t.npy" <<'PY' || fail "turboquant round trip: relative error too large"
import struct, sys
def load(p):
    d = open(p, "rb").read(); hl = struct.unpack("<H", d[8:10])[0]
    return struct.unpack("<%df" % ((len(d) - 10 - hl) // 4), d[10 + hl:])
a, b = load(sys.argv[1]), load(sys.argv[2])
e = sum((x - y) ** 2 for x, y in zip(a, b)) / sum(x * x for x in a)
sys.exit(0 if len(a) == len(b) and e < 0.02 else 1)
PY

# Refusals: a learned codec, a codec that does not decode, a size that is not whole codes, bad
# flags; nothing is written.
expect 2 "learns from the rows it encodes" -- decode --codec pq --codes "$TMP/t1.bin" --dim 256 --out "$TMP/x.npy"
expect 2 "only estimates inner products" -- decode --codec qjl --codes "$TMP/t1.bin" --dim 256 --out "$TMP/x.npy"
expect 2 "is not a whole number of q8_0 codes of 272 bytes" -- decode --codec q8_0 --codes "$TMP/want1.bin" --dim 256 --out "$TMP/x.npy"
expect 2 "dim 100 is not a multiple of the block size 32" -- decode --codec q4_0 --codes "$TMP/want1.bin" --dim 100 --out "$TMP/x.npy"
expect 2 "encode takes --npy" -- encode --codec int8 --out "$TMP/x.bin"
expect 2 "unknown codec" -- encode --codec nosuch --npy "$TMP/rows.npy" --out "$TMP/x.bin"
expect 2 "rows must be float32" -- encode --codec int8 --npy "$2/golden/populations/int32.npy" --out "$TMP/x.bin"
[ -e "$TMP/x.npy" ] || [ -e "$TMP/x.bin" ] && fail "a refused command wrote its output"

finish codec_cli
