#!/bin/bash
# Alternating Ember / PyTorch runs of the four workloads, 2 and 1 threads, in one session.
# Run from the package root after `swift build -c release`. PY: a python with torch (CPU wheel).
B=${B:-.build/release/ember-bench}
PY=${PY:-python3}
T=${T:-../shared/bench/peers/torch_steps.py}
mkdir -p /tmp/perfbench
L=${L:-/tmp/perfbench/log.txt}
: > $L
for thr in 2 1; do
 for w in a b c d; do
  case $w in a) n=mlp-gan; s=30; wu=5;; b) n=keras-gan; s=40; wu=5;; c) n=dcgan-upsample; s=5; wu=1;; d) n=dcgan-transposed; s=5; wu=1;; esac
  echo "ember $w ${thr}T $($B --workload $n --steps $s --warmup $wu --threads $thr --json | tail -1)" >> $L
  $PY $T --only $w --threads $thr --rounds 1 --min-steps $s --target-s 4 --no-overhead --out /tmp/perfbench/torch_${w}_${thr}.json 2>&1 | grep -E "^$w " | sed "s/^/torch ${thr}T /" >> $L
  echo "ember $w ${thr}T $($B --workload $n --steps $s --warmup $wu --threads $thr --json | tail -1)" >> $L
 done
done
echo DONE >> $L
