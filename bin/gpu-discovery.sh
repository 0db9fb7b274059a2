#!/usr/bin/env bash
# Spark GPU discovery script (spark.{driver,executor}.resource.gpu.discoveryScript): prints the
# GPUs this executor may use as Spark's resource JSON, e.g. {"name":"gpu","addresses":["0","1"]}.
# Honours CUDA_VISIBLE_DEVICES when a cluster manager already restricted the GPUs.
set -euo pipefail
if [ -n "${CUDA_VISIBLE_DEVICES:-}" ]; then
  ids=$(echo "$CUDA_VISIBLE_DEVICES" | tr ',' '\n' | sed 's/^ *//;s/ *$//' | grep -v '^$' || true)
elif command -v nvidia-smi >/dev/null 2>&1; then
  ids=$(nvidia-smi --query-gpu=index --format=csv,noheader 2>/dev/null || true)
else
  ids=""
fi
printf '{"name":"gpu","addresses":['
first=1
for i in $ids; do
  [ $first -eq 1 ] || printf ','
  printf '"%s"' "$i"
  first=0
done
printf ']}\n'
