#!/bin/sh
# samples.csv names where every sampled row and held-out query of a population came from. On an
# npy file whose row i is (i, 1, 0, ..., 0) the exact score of a (query, row) subject is
# source(query) * source(row) + 1, so every subject of subjects.csv checks the mapping; a
# generator's rows are its output order, rows first, then queries.
# Usage: samples_test.sh PATH/TO/kvqeval
KVQ=$1
. "$(dirname "$0")/lib.sh"

python3 - "$TMP/rows.npy" <<'PY' || fail "cannot write the npy file"
import struct, sys
n, dim = 300, 8
header = "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d), }" % (n, dim)
header += " " * (63 - (10 + len(header)) % 64) + "\n"
with open(sys.argv[1], "wb") as f:
    f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode())
    for i in range(n):
        f.write(struct.pack("<%df" % dim, float(i), 1.0, *([0.0] * (dim - 2))))
PY
"$KVQ" --codec int8 --population "npy:$TMP/rows.npy" --population 'synthetic:gaussian?n=200&dim=8' \
    --out "$TMP/run" --quiet 2>"$TMP/err" || fail "run: $(cat "$TMP/err")"
[ "$(head -1 "$TMP/run/samples.csv")" = "population,set,index,source_row,layer,seq,pos,head" ] ||
    fail "samples.csv header: $(head -1 "$TMP/run/samples.csv")"
python3 - "$TMP/run" "npy:$TMP/rows.npy" <<'PY' || fail "samples.csv does not name the sampled rows"
import csv, sys
d, npy = sys.argv[1], sys.argv[2]
samples = list(csv.DictReader(open(d + "/samples.csv")))
src = {}
for s in samples:
    src[(s["population"], s["set"], int(s["index"]))] = int(s["source_row"])
rows = [v for (p, t, i), v in sorted(src.items()) if p == npy and t == "row"]
queries = [v for (p, t, i), v in sorted(src.items()) if p == npy and t == "query"]
assert rows == sorted(rows) and len(set(rows + queries)) == len(rows) + len(queries), "overlap"
assert 0 <= min(rows + queries) and max(rows + queries) < 300 and len(queries) > 0
checked = 0
for s in csv.DictReader(open(d + "/subjects.csv")):
    if s["population"] != npy:
        continue
    q, r = src[(npy, "query", int(s["query"]))], src[(npy, "row", int(s["row"]))]
    assert float(s["exact_score"]) == q * r + 1, (s, q, r)
    checked += 1
assert checked == 2048, checked
gen = "synthetic:gaussian?n=200&dim=8"
grows = [v for (p, t, i), v in sorted(src.items()) if p == gen and t == "row"]
gq = [v for (p, t, i), v in sorted(src.items()) if p == gen and t == "query"]
assert grows == list(range(200)) and gq == list(range(200, 200 + len(gq))) and gq, (len(grows), gq[:3])
PY
