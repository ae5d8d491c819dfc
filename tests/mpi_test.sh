#!/bin/sh
# A run spread over MPI ranks (a build with -Dmpi=enabled, under mpirun): every output the same
# bytes as the plain build's one-process run apart from times and throughputs, every cell the same
# but for its times, only rank 0 printing, one rank the same as no MPI, --resume under mpirun
# running only the cells that are missing, and the other ranks released when rank 0 runs nothing.
# Usage: mpi_test.sh PATH/TO/plain/kvqeval PATH/TO/mpi/kvqeval
KVQ=$1
KVQ_MPI=$2
. "$(dirname "$0")/lib.sh"
set -f # the specs hold '?'; no file name expansion
MPIRUN="timeout 300 mpirun --allow-run-as-root --oversubscribe"

# pq:m=16 does not apply to dim 8: skipped cells travel back too. Two fits of each codec: the
# replicates travel with the orders and the cells.
SEL="--replicates 2 --codec passthrough --codec int8 --codec pq:m=16,nbits=4
     --population synthetic:gaussian?n=400&dim=16&queries=30
     --population synthetic:gaussian?n=300&dim=8&queries=20&seed=3
     --population model:stories260K#kind=k&seqs=2&tokens=8"

# cells_same A B: run folders A and B hold the same cell files, each with the same contents apart
# from its times and throughputs. Prints the first difference.
cells_same() {
    python3 - "$1/cells" "$2/cells" <<'EOF'
import json, os, sys
TIMES = {"wall_s", "cpu_s", "encode_rows_per_s", "score_rows_per_s", "phases"}
def cell(path):
    with open(path) as f:
        c = {k: v for k, v in json.load(f).items() if k not in TIMES}
    c["metrics"] = [m for m in c.get("metrics", []) if not m["name"].endswith("_per_s")]
    return c
a, b = (sorted(os.listdir(d)) for d in sys.argv[1:])
if a != b:
    print(f"cells {a}, not {b}")
    sys.exit(1)
for name in a:
    if cell(os.path.join(sys.argv[1], name)) != cell(os.path.join(sys.argv[2], name)):
        print(f"cells/{name} differs")
        sys.exit(1)
EOF
}

# summary_line FILE: the last line on stderr of a run, without its time and folder.
summary_line() { sed 's/ in [0-9.]* s; results in .*//' "$1"; }

# 1. The plain build's run, then the same over three ranks: rank 0 and two workers.
mkdir -p "$TMP/a" "$TMP/b" "$TMP/c" "$TMP/r"
# shellcheck disable=SC2086
"$KVQ" $SEL --seed 5 --threads 2 --out "$TMP/a/matrix" >"$TMP/a.out" 2>"$TMP/a.err"
whole=$?
# (3: a figure gnuplot could not complete; the data behind it is written all the same)
[ $whole -eq 0 ] || { [ $whole -eq 3 ] && grep -q "figures* could not be completed" "$TMP/a.err"; } ||
    fail "plain run: exit $whole: $(cat "$TMP/a.err")"
grep -q "9 cells (0 failed, 2 skipped" "$TMP/a.err" || fail "plain run: $(cat "$TMP/a.err")"
# shellcheck disable=SC2086
$MPIRUN -n 3 "$KVQ_MPI" $SEL --seed 5 --out "$TMP/b/matrix" >"$TMP/b.out" 2>"$TMP/b.err"
got=$?
[ $got -eq $whole ] || fail "mpirun -n 3: exit $got, the plain run's was $whole: $(cat "$TMP/b.err")"
diff=$(same_run "$TMP/a/matrix" "$TMP/b/matrix") || fail "mpirun -n 3 differs from the plain run: $diff"
diff=$(cells_same "$TMP/a/matrix" "$TMP/b/matrix") || fail "mpirun -n 3: $diff"
cmp -s "$TMP/a.out" "$TMP/b.out" || fail "mpirun -n 3 printed other tables than the plain run"
[ "$(summary_line "$TMP/a.err")" = "$(summary_line "$TMP/b.err")" ] ||
    fail "mpirun -n 3 said other things than the plain run: $(cat "$TMP/b.err")"

# 2. One rank is the plain build, threads and all.
# shellcheck disable=SC2086
$MPIRUN -n 1 "$KVQ_MPI" $SEL --seed 5 --threads 2 --out "$TMP/c/matrix" --quiet 2>"$TMP/c.err"
got=$?
[ $got -eq $whole ] || fail "mpirun -n 1: exit $got, the plain run's was $whole: $(cat "$TMP/c.err")"
diff=$(same_run "$TMP/a/matrix" "$TMP/c/matrix") || fail "mpirun -n 1 differs from the plain run: $diff"

# 3. --resume under mpirun: rank 0 reads the saved cells back and hands out only the missing ones
# (the others keep their bytes, times included); every output is written again.
cp -r "$TMP/b/matrix" "$TMP/r/matrix"
rm "$TMP/r/matrix/cells/0-2.json" "$TMP/r/matrix/cells/2-0.json" "$TMP/r/matrix/cells/2-1.json" \
    "$TMP/r/matrix/cells.csv" "$TMP/r/matrix/summary.csv" "$TMP/r/matrix/report.md"
cp -r "$TMP/r/matrix/cells" "$TMP/kept"
$MPIRUN -n 3 "$KVQ_MPI" --resume "$TMP/r/matrix" --quiet 2>"$TMP/r.err"
got=$?
[ $got -eq $whole ] || fail "mpirun -n 3 --resume: exit $got, the plain run's was $whole: $(cat "$TMP/r.err")"
for f in $(ls "$TMP/kept"); do
    cmp -s "$TMP/kept/$f" "$TMP/r/matrix/cells/$f" || fail "--resume ran the saved cell $f again"
done
diff=$(same_run "$TMP/a/matrix" "$TMP/r/matrix") || fail "mpirun -n 3 --resume differs from the plain run: $diff"
diff=$(cells_same "$TMP/a/matrix" "$TMP/r/matrix") || fail "mpirun -n 3 --resume: $diff"

# 4. A command that runs no cell ends every rank: a refused selection, and a report.
$MPIRUN -n 3 "$KVQ_MPI" --codec nosuch --out "$TMP/bad" >"$TMP/out" 2>"$TMP/err"
got=$?
[ $got -eq 2 ] || fail "mpirun -n 3 of an unknown codec: exit $got, want 2: $(cat "$TMP/err")"
[ "$(grep -c "unknown codec 'nosuch'" "$TMP/err")" -eq 1 ] || fail "mpirun -n 3 of an unknown codec: $(cat "$TMP/err")"
$MPIRUN -n 3 "$KVQ_MPI" report "$TMP/b/matrix" --quiet 2>"$TMP/err"
got=$?
[ $got -eq $whole ] || fail "mpirun -n 3 report: exit $got: $(cat "$TMP/err")"

finish mpi
