#!/bin/sh
# Builds the fuzz targets with clang (libFuzzer + AddressSanitizer + UBSan) into build-fuzz/ and
# runs each for SECONDS (default 600) on one core. New corpus entries go to fuzz/corpus-<target>/
# (not committed); a crashing input is written to build-fuzz/<target>-crash-* and the run stops.
# Usage, from the repository root:  fuzz/run.sh [SECONDS] [TARGET...]
set -eu
SECONDS_EACH=${1:-600}
[ $# -gt 0 ] && shift
TARGETS=${*:-safetensors npy}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=$ROOT/build-fuzz
mkdir -p "$OUT"
CFLAGS="-std=c11 -g -O1 -D_POSIX_C_SOURCE=200809L -fsanitize=fuzzer,address,undefined
  -fno-sanitize-recover=undefined -I$ROOT/include -I$ROOT/populations -I/usr/include/cjson"
LIB="$ROOT/populations/safetensors.c $ROOT/populations/npy.c $ROOT/populations/dtype.c
  $ROOT/populations/mapping.c $ROOT/populations/roles.c $ROOT/core/error.c $ROOT/core/half.c
  $ROOT/fuzz/targets.c"
for t in $TARGETS; do
    # shellcheck disable=SC2086
    clang $CFLAGS -o "$OUT/fuzz_$t" "$ROOT/fuzz/fuzz_$t.c" $LIB -lcjson -lm
    mkdir -p "$ROOT/fuzz/corpus-$t" "$ROOT/fuzz/regressions/$t"
    "$OUT/fuzz_$t" -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 -max_len=65536 \
        -print_final_stats=1 -artifact_prefix="$OUT/$t-" \
        "$ROOT/fuzz/corpus-$t" "$ROOT/fuzz/seeds/$t" "$ROOT/fuzz/regressions/$t"
done
