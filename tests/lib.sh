# Shared by the end-to-end test scripts (sourced after KVQ is set): a scratch folder removed on
# exit, a failure counter, and expect().
set -u
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# expect STATUS PATTERN -- ARGS: runs kvqeval ARGS and checks the exit status, that stdout or
# stderr matches the grep pattern (basic regular expression; "" checks nothing), and that a failing run wrote nothing
# on stdout (no half-written report). Its output stays in $TMP/out and $TMP/err. KVQ_UNDER, when
# set, is a command kvqeval runs under (e.g. prlimit with a resource limit).
expect() {
    want=$1 pattern=$2
    shift 3
    # shellcheck disable=SC2086
    ${KVQ_UNDER-} "$KVQ" "$@" >"$TMP/out" 2>"$TMP/err"
    got=$?
    [ "$got" -eq "$want" ] || fail "kvqeval $*: exit $got, want $want: $(head -c 600 "$TMP/err")"
    [ -z "$pattern" ] || cat "$TMP/out" "$TMP/err" | grep -q -- "$pattern" ||
        fail "kvqeval $*: output lacks '$pattern': $(cat "$TMP/out" "$TMP/err" | head -c 600)"
    [ "$want" -eq 0 ] || [ ! -s "$TMP/out" ] || fail "kvqeval $*: output on failure: $(head -c 300 "$TMP/out")"
}

# finish NAME: the verdict line and the exit status.
finish() {
    [ "$fails" -eq 0 ] && echo "$1: all checks passed"
    [ "$fails" -eq 0 ]
}

# same_but_timing FILE: FILE without what varies between two runs of the same selection and seed:
# the throughput columns and rows (encode_rows_per_s, score_rows_per_s) of the CSV tables, and the
# command, start time, threads, wall time and peak memory lines of report.md. (No field of the
# tests' runs holds a quoted comma, so splitting on ',' is safe here.)
same_but_timing() {
    case "$1" in
    */summary.csv)
        awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i ~ /_per_s$/) drop[i] = 1 }
                 { out = ""; for (i = 1; i <= NF; i++) if (!drop[i]) out = out $i ","; print out }' "$1" ;;
    */report.md) grep -v -e '^| command |' -e '^| started |' -e '^| threads |' -e '^| wall time |' \
        -e '^| peak memory |' "$1" ;;
    *.csv) grep -v "_per_s," "$1" ;;
    *) cat "$1" ;;
    esac
}

# same_run A B: 0 when run folders A and B hold the same files with the same bytes, apart from
# timing (same_but_timing), the manifest (times, command line), the lock file (a pid), the cell
# store (times) and gnuplot's log. Prints the first difference.
same_run() {
    (cd "$1" && find . -type f | sort) | grep -v -e '^./manifest.json$' -e '^./run.lock$' \
        -e '^./cells/' -e '^./plots/gnuplot.log$' >"$TMP/same_run.a"
    (cd "$2" && find . -type f | sort) | grep -v -e '^./manifest.json$' -e '^./run.lock$' \
        -e '^./cells/' -e '^./plots/gnuplot.log$' >"$TMP/same_run.b"
    if ! cmp -s "$TMP/same_run.a" "$TMP/same_run.b"; then
        echo "different files: $(diff "$TMP/same_run.a" "$TMP/same_run.b" | grep '^[<>]' | head -5 | tr '\n' ' ')"
        return 1
    fi
    while read -r f; do
        same_but_timing "$1/$f" >"$TMP/same_run.fa"
        same_but_timing "$2/$f" >"$TMP/same_run.fb"
        cmp -s "$TMP/same_run.fa" "$TMP/same_run.fb" || { echo "$f differs"; return 1; }
    done <"$TMP/same_run.a"
}

# image_complete FILE: 0 when FILE is a whole PNG (ends with its IEND chunk) or a well-formed SVG.
image_complete() {
    case "$1" in
    *.png) [ "$(tail -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = "49454e44ae426082" ] ;;
    *.svg) python3 -c 'import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])' "$1" 2>/dev/null ;;
    *) return 1 ;;
    esac
}

# kill_and_resume DIR: starts a run of two populations into DIR/run, kills it (SIGKILL) once it has
# saved 2 of its 6 cells, resumes it, and checks that it ends with the cells of an uninterrupted
# run (DIR/u/run), none twice and no temporary file left. Needs CODECS and KVQ.
kill_and_resume() {
    rm -rf "$1"
    BIG="--population synthetic:gaussian?n=4000&dim=64&queries=200 --population synthetic:gaussian?n=4000&dim=48&queries=200&seed=5"
    mkdir -p "$1"
    # shellcheck disable=SC2086
    "$KVQ" $CODECS $BIG --seed 4 --threads 1 --out "$1/run" --quiet 2>/dev/null &
    pid=$!
    i=0
    while [ "$(ls "$1/run/cells" 2>/dev/null | grep -c json)" -lt 2 ] && [ $i -lt 600 ]; do
        sleep 0.05; i=$((i + 1))
    done
    kill -9 $pid 2>/dev/null
    wait $pid 2>/dev/null
    done_before=$(ls "$1/run/cells" | grep -c 'json$')
    [ -e "$1/run/cells.csv" ] && fail "a killed run left cells.csv (the kill came too late to test resume)"
    "$KVQ" --resume "$1/run" --quiet 2>"$1/resume.err" || fail "resume failed: $(cat "$1/resume.err")"
    mkdir -p "$1/u"
    # shellcheck disable=SC2086
    "$KVQ" $CODECS $BIG --seed 4 --threads 2 --out "$1/u/run" --quiet 2>/dev/null
    same_but_timing "$1/run/cells.csv" >"$1/a"
    same_but_timing "$1/u/run/cells.csv" >"$1/b"
    cmp -s "$1/a" "$1/b" || fail "resumed cells.csv differs from an uninterrupted run"
    dups=$(cut -d, -f3,4,6 "$1/run/cells.csv" | sort | uniq -d | wc -l)
    [ "$dups" -eq 0 ] || fail "resumed run repeats $dups (cell, metric) rows"
    [ "$done_before" -ge 1 ] && [ "$done_before" -lt 6 ] || fail "kill landed after $done_before of 6 cells"
    ls "$1/run" "$1/run/cells" | grep -q '\.tmp\.' && fail "temporary files left behind"
}
