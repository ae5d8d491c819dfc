#!/bin/sh
# No string reaches gnuplot or the terminal unescaped: a run whose population file and output folder
# are named with quotes, semicolons, gnuplot's system(), backquotes, $( ), a newline, control and
# non-UTF-8 bytes has no side effect and draws every figure, whole; a --heatmap metric carrying the
# same is refused before any work; and no such byte reaches stderr raw.
# Usage: security_test.sh PATH/TO/kvqeval
KVQ=$1
. "$(dirname "$0")/lib.sh"
command -v gnuplot >/dev/null || { echo "security: gnuplot missing (.ci/deps installs it)"; exit 1; }

mkdir -p "$TMP/work"
cd "$TMP/work" || exit 1
# Every hostile piece, joined into one name; each would run `touch` if it reached a shell or
# gnuplot's command line unescaped.
evil=$(printf "q'\"; system('touch PWNED1'); \`touch PWNED2\` \$(touch PWNED3) ';system(\"touch PWNED4\");'\\\\ \001\033[31m\nnl\377\376")
pop="$TMP/work/e$evil.npy"
out="$TMP/work/o$evil"
cp "$(dirname "$0")/golden/populations/keys_v1.npy" "$pop" 2>/dev/null ||
    cp "$OLDPWD/$(dirname "$0")/golden/populations/keys_v1.npy" "$pop" || fail "no test population"
"$KVQ" --codec int8 --codec int4 --population "npy:$pop" --out "$out" >"$TMP/out" 2>"$TMP/err" \
    || fail "hostile names: exit $?: $(cat "$TMP/err")"
[ -z "$(find "$TMP" -name 'PWNED[0-9]')" ] || fail "a command ran: $(find "$TMP" -name 'PWNED[0-9]')"
for f in heatmap_spearman rate_distortion_P1 scree alpha_deleted_P1 chain_P1; do
    for ext in png svg; do
        image_complete "$out/plots/$f.$ext" || fail "figure $f.$ext missing or incomplete"
    done
done
# The population's label (the file's name without .npy, then its role) is the title of its
# rate-distortion figure, escaped and whole.
grep -qF ';system("touch PWNED4");'"'"'\\ \x01\x1b[31m\x0anl\xff\xfe:other</text>' \
    "$out/plots/rate_distortion_P1.svg" || fail "figure title not the escaped name"
# stdout and stderr carry no control byte but the newline ending each line.
LC_ALL=C grep -q "$(printf '[\001-\011\013-\037\177]')" "$TMP/err" && fail "control byte on stderr"
LC_ALL=C grep -q "$(printf '[\001-\011\013-\037\177]')" "$TMP/out" && fail "control byte on stdout"
grep -q 'P1 = npy:.*\\x01\\x1b\[31m\\x0anl\\xff\\xfe.npy' "$TMP/out" || fail "population legend not escaped: $(cat "$TMP/out")"
grep -q 'results in .*\\x01\\x1b\[31m\\x0anl\\xff\\xfe' "$TMP/err" || fail "run folder not shown escaped: $(cat "$TMP/err")"

# --heatmap takes a metric name; anything else is refused before any work, shown escaped.
expect 2 "unknown metric 'x';system('touch PWNED5');a='\\\\x1b'" -- --codec int8 --population "npy:$pop" --out "$TMP/work/h" \
    --heatmap "x';system('touch PWNED5');a='$(printf '\033')"
[ -e "$TMP/work/h" ] && fail "a refused run created its folder"
[ -z "$(find "$TMP" -name 'PWNED[0-9]')" ] || fail "a command ran: $(find "$TMP" -name 'PWNED[0-9]')"

# inspect shows tensor names with control bytes escaped.
expect 2 "cannot open.*\\\\x01\\\\x1b" -- inspect "$TMP/work/none$(printf '\001\033')"
LC_ALL=C grep -q "$(printf '[\001-\011\013-\037\177]')" "$TMP/err" && fail "control byte on stderr (inspect)"
# stats: column names and the file's name reach the table escaped; an error naming the file too.
csv="$TMP/work/s$(printf '\033[2J\001')x.csv"
printf 'a%sb,c,d\n1,2,3\n2,3,5\n3,5,4\n4,4,6\n' "$(printf '\033]0;t\007')" >"$csv"
"$KVQ" stats alpha --csv "$csv" >"$TMP/out" 2>"$TMP/err" || fail "stats alpha: $(cat "$TMP/err")"
LC_ALL=C grep -q "$(printf '[\001-\011\013-\037\177]')" "$TMP/out" && fail "control byte in the stats table"
grep -q 'a\\x1b]0;t\\x07b' "$TMP/out" || fail "column name not shown escaped: $(cat "$TMP/out")"
grep -q 's\\x1b\[2J\\x01x.csv' "$TMP/out" || fail "file name not shown escaped: $(head -1 "$TMP/out")"
printf 'a,b\n1,x\033[2J\n2,3\n' >"$csv"
"$KVQ" stats alpha --csv "$csv" >"$TMP/out" 2>"$TMP/err"
[ $? -eq 2 ] || fail "stats on a bad cell: exit $?"
LC_ALL=C grep -q "$(printf '[\001-\011\013-\037\177]')" "$TMP/err" && fail "control byte on stderr (stats): $(cat "$TMP/err")"
grep -q '\\x1b' "$TMP/err" || fail "stats error not shown escaped: $(cat "$TMP/err")"
finish security
