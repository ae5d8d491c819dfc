#!/bin/sh
# Builds the fuzz targets with clang (libFuzzer + AddressSanitizer + UBSan) into build-fuzz/ and
# runs each for SECONDS (default 600), one after the other, on one core. New corpus entries go to
# fuzz/corpus-<target>/ (not committed); a crashing input is written to build-fuzz/<target>-crash-*
# (or -timeout-*, -oom-*) and the run stops.
# Usage, from the repository root:  fuzz/run.sh [SECONDS] [TARGET...]   (default: every target)
set -eu
SECONDS_EACH=${1:-600}
[ $# -gt 0 ] && shift
ALL="safetensors npy gguf csv epiphany codec_spec population_spec run_json cell shard_index model_config"
TARGETS=${*:-$ALL}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=$ROOT/build-fuzz
mkdir -p "$OUT/obj" "$OUT/include/kvq"
SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
CFLAGS="-std=c11 -g -O1 -pthread -D_POSIX_C_SOURCE=200809L $SAN -I$OUT/include -I$ROOT/include
  -I$ROOT -I$ROOT/populations $(pkg-config --cflags gsl openblas libcjson)"
LIBS="-lgsl -lopenblas -lcjson -lm"

# The library: every source of core/ backends/ metrics/ populations/ model/ and of the program's layers
# (io/ harness/ analysis/ report/ cli/) but cli/main.c, plus the files meson generates
# (kvq/version.h, kvq/commit.h, the embedded default epiphany spec).
VERSION=$(sed -n "s/^ *version : '\(.*\)',/\1/p" "$ROOT/meson.build")
COMMIT=$(git -C "$ROOT" describe --always --dirty --abbrev=12 --exclude='*' 2>/dev/null || echo unknown)
sed "s/@VERSION@/$VERSION/; s/@BUILD_TYPE@/fuzz/" "$ROOT/include/kvq/version.h.in" >"$OUT/include/kvq/version.h.new"
sed "s/@VCS_TAG@/$COMMIT/" "$ROOT/include/kvq/commit.h.in" >"$OUT/include/kvq/commit.h.new"
for h in version commit; do
    cmp -s "$OUT/include/kvq/$h.h.new" "$OUT/include/kvq/$h.h" ||
        mv "$OUT/include/kvq/$h.h.new" "$OUT/include/kvq/$h.h"
done
python3 "$ROOT/analysis/embed_text.py" "$ROOT/analysis/epiphanies.json" "$OUT/epiphanies_default.c" \
    kvq_default_epiphanies
OBJECTS=
for src in "$ROOT"/core/*.c "$ROOT"/backends/*.c "$ROOT"/metrics/*.c "$ROOT"/populations/*.c \
    "$ROOT"/model/*.c \
    "$ROOT"/io/*.c "$ROOT"/harness/*.c "$ROOT"/analysis/*.c "$ROOT"/report/*.c "$ROOT"/cli/*.c \
    "$OUT/epiphanies_default.c"; do
    [ "$src" = "$ROOT/cli/main.c" ] && continue
    dir=$(basename "$(dirname "$src")")
    obj=$OUT/obj/${dir}_$(basename "$src" .c).o
    OBJECTS="$OBJECTS $obj"
    # rebuilt when its source or any header is newer
    if [ ! -f "$obj" ] || [ -n "$(find "$src" -newer "$obj")" ] || [ -n "$(find "$ROOT/include" \
        "$ROOT/core" "$ROOT/backends" "$ROOT/metrics" "$ROOT/populations" "$ROOT/model" "$ROOT/io" \
        "$ROOT/harness" "$ROOT/analysis" "$ROOT/report" "$ROOT/cli" "$OUT/include" -name '*.h' \
        -newer "$obj" | head -n 1)" ]; then
        # shellcheck disable=SC2086
        clang $CFLAGS -fsanitize=fuzzer-no-link "-DKVQ_PLOTS_DIR=\"$ROOT/plots\"" \
            "-DKVQ_MODELS_DIR=\"$ROOT/models\"" \
            -I"$(dirname "$src")" -c "$src" -o "$obj"
    fi
done
rm -f "$OUT/libkvq-fuzz.a"
# shellcheck disable=SC2086
ar rcs "$OUT/libkvq-fuzz.a" $OBJECTS

for t in $TARGETS; do
    # shellcheck disable=SC2086
    clang $CFLAGS -fsanitize=fuzzer -o "$OUT/fuzz_$t" "$ROOT/fuzz/fuzz_$t.c" "$ROOT/fuzz/targets.c" \
        "$OUT/libkvq-fuzz.a" $LIBS
    mkdir -p "$ROOT/fuzz/corpus-$t" "$ROOT/fuzz/regressions/$t"
    "$OUT/fuzz_$t" -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 -max_len=65536 -timeout=30 \
        -print_final_stats=1 -artifact_prefix="$OUT/$t-" \
        "$ROOT/fuzz/corpus-$t" "$ROOT/fuzz/seeds/$t" "$ROOT/fuzz/regressions/$t"
done
