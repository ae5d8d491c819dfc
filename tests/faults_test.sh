#!/bin/sh
# Faults a run folder must survive:
#  1. kill -9 at random points (during the cells, as the outputs are written, while figures are
#     drawn), then --resume: every output byte-identical to an uninterrupted run's (timing aside),
#     no temporary file left;
#  2. a full disk (a file size limit, RLIMIT_FSIZE via prlimit): exit 3, and every file under a
#     final name complete (identical to the uninterrupted run's, or a whole image);
#  3. runs into one folder at once: exactly one proceeds, the other exits 2 naming the holder's pid.
# Usage: faults_test.sh PATH/TO/kvqeval [TRIALS]   (kill-and-resume trials: 3 in the test suite;
# `faults_test.sh build-release/kvqeval 30` is the longer check, README "Benchmarks").
KVQ=$1
TRIALS=${2:-3}
. "$(dirname "$0")/lib.sh"

SEL="--codec int8 --codec turboquant:bits=2 --codec bf16 --codec int4 --population synthetic:gaussian?n=2000&dim=32&queries=60 --population synthetic:kv_cache?n=1500&dim=32&queries=60 --seed 7 --threads 1 --quiet"
now() { date +%s.%N; }

mkdir -p "$TMP/ref"
t0=$(now)
# shellcheck disable=SC2086
"$KVQ" $SEL --out "$TMP/ref/run" 2>"$TMP/err" || fail "reference run: $(cat "$TMP/err")"
T=$(echo "$t0 $(now)" | awk '{ print $2 - $1 }')

# wait_for PATTERN DIR: polls (up to 60 s) until a file of DIR's tree matches PATTERN.
wait_for() {
    i=0
    while ! find "$2" -name "$1" 2>/dev/null | grep -q . && [ $i -lt 6000 ]; do
        sleep 0.01
        i=$((i + 1))
    done
}

# 1. Kill and resume. Trials 1-3 aim at the three phases; later ones at a random time in [0, 1.1 T].
kills_in_outputs=0
for trial in $(seq 1 "$TRIALS"); do
    d="$TMP/k$trial"
    mkdir -p "$d"
    # shellcheck disable=SC2086
    "$KVQ" $SEL --out "$d/run" 2>/dev/null &
    pid=$!
    case $trial in
    1) sleep "$(echo "$T" | awk '{ print $1 * 0.3 }')" ;;
    2) wait_for cells.csv "$d/run" ;;
    3) wait_for '*.tmp.*' "$d/run/plots" ;;
    *) sleep "$(awk -v s="$trial" -v t="$T" 'BEGIN { srand(s); print rand() * 1.1 * t }')" ;;
    esac
    kill -9 $pid 2>/dev/null
    wait $pid 2>/dev/null
    [ -e "$d/run/cells.csv" ] && ! [ -e "$d/run/report.md" ] && kills_in_outputs=$((kills_in_outputs + 1))
    if [ -e "$d/run/run.json" ]; then
        "$KVQ" --resume "$d/run" --threads 2 --quiet 2>"$TMP/err" || fail "trial $trial: resume: $(cat "$TMP/err")"
    else # killed before the run was recorded: start it again
        # shellcheck disable=SC2086
        "$KVQ" $SEL --out "$d/run" 2>"$TMP/err" || fail "trial $trial: rerun: $(cat "$TMP/err")"
    fi
    diff=$(same_run "$TMP/ref/run" "$d/run") || fail "trial $trial: resumed run differs: $diff"
    [ -z "$(find "$d/run" -name '*.tmp.*')" ] || fail "trial $trial: temporary files left: $(find "$d/run" -name '*.tmp.*')"
    rm -rf "$d"
done
[ "$TRIALS" -lt 3 ] || [ $kills_in_outputs -ge 1 ] || fail "no kill landed while the outputs were written"
echo "faults: $TRIALS kill-and-resume trials ($kills_in_outputs while writing the outputs), reference run $T s"

# 2. A full disk. A limit below a cell file's size: no cell can be saved. A limit above every table
# but below the largest figure: the figures that do not fit fail (and the subjects' data, written
# last, larger than any figure), nothing else.
biggest_table=$(find "$TMP/ref/run" -type f ! -path '*/plots/*' ! -name manifest.json ! -name subjects.csv \
    ! -name ratings.csv ! -name queries.csv ! -name samples.csv -printf '%s\n' | sort -n | tail -1)
biggest_figure=$(find "$TMP/ref/run/plots" -type f -printf '%s\n' | sort -n | tail -1)
[ "$biggest_figure" -gt $((biggest_table + 4096)) ] || fail "no limit separates tables ($biggest_table) from figures ($biggest_figure)"
for limit in 4096 $((biggest_table + 4096)); do
    d="$TMP/full$limit"
    mkdir -p "$d"
    # shellcheck disable=SC2086
    prlimit --fsize=$limit "$KVQ" $SEL --out "$d/run" 2>"$TMP/err"
    status=$?
    [ $status -eq 3 ] || fail "file size limit $limit: exit $status, want 3: $(head -c 300 "$TMP/err")"
    grep -q "File too large" "$TMP/err" || grep -q "could not be completed" "$TMP/err" ||
        fail "file size limit $limit: no reason given: $(head -c 300 "$TMP/err")"
    (cd "$d/run" && find . -type f ! -name run.lock ! -name gnuplot.log ! -name manifest.json) |
        while read -r f; do
            case "$f" in
            ./cells/*) python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$d/run/$f" ;;
            *.png | *.svg) image_complete "$d/run/$f" ;;
            ./report.md) # lists the figures drawn, so only its end is compared
                [ "$(tail -1 "$d/run/$f")" = "$(tail -1 "$TMP/ref/run/$f")" ] ;;
            *) same_but_timing "$d/run/$f" >"$TMP/fa"; same_but_timing "$TMP/ref/run/$f" >"$TMP/fb"; cmp -s "$TMP/fa" "$TMP/fb" ;;
            esac || echo "$f"
        done >"$TMP/broken"
    [ -s "$TMP/broken" ] && fail "file size limit $limit: incomplete files under final names: $(cat "$TMP/broken")"
    [ -z "$(find "$d/run" -name '*.tmp.*')" ] || fail "file size limit $limit: temporary files left: $(find "$d/run" -name '*.tmp.*')"
    grep -q ": Success" "$TMP/err" && fail "file size limit $limit: a message without its reason: $(grep ': Success' "$TMP/err")"
done

# 3. Two runs into one folder. While one runs, another is refused at once, naming its pid; after it,
# the folder holds a run and is refused too; started together, exactly one proceeds.
# shellcheck disable=SC2086
"$KVQ" $SEL --out "$TMP/c/run" 2>"$TMP/c1.err" &
pid=$!
wait_for run.json "$TMP/c/run"
# shellcheck disable=SC2086
"$KVQ" $SEL --out "$TMP/c/run" 2>"$TMP/c2.err"
status=$?
[ $status -eq 2 ] || fail "second run into a held folder: exit $status, want 2"
grep -q "in use by another kvqeval (pid $pid holds" "$TMP/c2.err" || fail "holder's pid not named: $(cat "$TMP/c2.err")"
# shellcheck disable=SC2086
"$KVQ" --resume "$TMP/c/run" 2>"$TMP/c3.err"
[ $? -eq 2 ] && grep -q "pid $pid" "$TMP/c3.err" || fail "--resume of a held folder: $(cat "$TMP/c3.err")"
wait $pid || fail "the first run failed: $(cat "$TMP/c1.err")"
diff=$(same_run "$TMP/ref/run" "$TMP/c/run") || fail "the first run's outputs were disturbed: $diff"
for i in 1 2 3; do
    # shellcheck disable=SC2086
    "$KVQ" $SEL --out "$TMP/r$i/run" 2>"$TMP/ra.err" &
    a=$!
    # shellcheck disable=SC2086
    "$KVQ" $SEL --out "$TMP/r$i/run" 2>"$TMP/rb.err" &
    b=$!
    wait $a; sa=$?
    wait $b; sb=$?
    [ "$sa$sb" = "02" ] || [ "$sa$sb" = "20" ] || fail "two runs at once: exits $sa and $sb, want 0 and 2"
    diff=$(same_run "$TMP/ref/run" "$TMP/r$i/run") || fail "racing runs: outputs differ: $diff"
done
finish faults
