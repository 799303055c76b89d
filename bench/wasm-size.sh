#!/usr/bin/env bash
# WebAssembly sizes of the release build (issue #11): the main file every
# page loads (all /login needs), each page's lazily loaded chunk, and the
# total, raw and brotli -q 11 (the precompressed copies the server sends).
# Needs `bash scripts/build.sh` first.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../target/site/pkg"
size() { stat -c %s "$1"; }
kb() { awk -v b="$1" 'BEGIN { printf "%.1f KB", b / 1000 }'; }
main=$(ls classkeys.*.wasm)
echo "main (every page, all of /login): $(kb "$(size "$main")") raw, $(kb "$(size "$main.br")") brotli"
for f in split___*.wasm; do
  page=${f#split___}; page=${page%%_view_*}
  printf '  %-22s %9s raw %9s brotli\n' "$page" "$(kb "$(size "$f")")" "$(kb "$(size "$f.br")")"
done
shared=$(ls chunk_*.wasm | wc -l)
shared_br=$(cat chunk_*.wasm.br | wc -c)
echo "shared chunks: $shared files, $(kb "$shared_br") brotli in all"
total_raw=$(cat ./*.wasm | wc -c)
total_br=$(cat ./*.wasm.br | wc -c)
echo "whole app: $(kb "$total_raw") raw, $(kb "$total_br") brotli"
