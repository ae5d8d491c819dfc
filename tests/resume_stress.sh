#!/bin/sh
# The kill-and-resume check of harness_test.sh, ROUNDS times in a row (default 50): each round kills
# a run (SIGKILL) after its second saved cell, resumes it and compares it with an uninterrupted
# run. Not part of the default suite (a benchmark: `meson test -C build --benchmark
# resume_stress`); it prints one line per round and fails on the first round that fails.
# Usage: resume_stress.sh PATH/TO/kvqeval [ROUNDS]
KVQ=$1
ROUNDS=${2:-50}
. "$(dirname "$0")/lib.sh"

CODECS="--codec passthrough --codec int8 --codec bf16"
r=1
while [ $r -le "$ROUNDS" ]; do
    kill_and_resume "$TMP/round"
    [ "$fails" -eq 0 ] || { echo "round $r of $ROUNDS failed"; exit 1; }
    echo "round $r of $ROUNDS: killed after $done_before of 6 cells, resumed, same cells"
    r=$((r + 1))
done
finish "resume_stress ($ROUNDS rounds)"
