#!/usr/bin/env bash
# WebAssembly sizes of the release build (issue #11, DESIGN.md §5): what the
# sign-in page loads (read from the page the release server sends: every
# /pkg/ file it names, brotli as sent), the main file every other page loads,
# each group of lazy pages' chunk, and the total, raw and brotli -q 11 (the
# precompressed copies the server sends). Needs `bash scripts/build.sh` first.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
source bench/demo-server.sh
login_html=$(curl -sf "$url/login")
cd "$root/target/site/pkg"
size() { stat -c %s "$1"; }
kb() { awk -v b="$1" 'BEGIN { printf "%.1f KB", b / 1000 }'; }
login_wasm=0
login_js=0
for file in $(grep -o '/pkg/[^"'"'"' )]*' <<<"$login_html" | sed 's|^/pkg/||' | sort -u); do
  case "$file" in
    *.wasm) login_wasm=$((login_wasm + $(size "$file.br"))) ;;
    *.js) login_js=$((login_js + $(size "$file.br"))) ;;
  esac
done
echo "/login loads: $(kb "$login_wasm") brotli of WebAssembly, $(kb "$login_js") brotli of JavaScript from /pkg"
main=$(ls classkeys.*.wasm)
echo "main (every other page): $(kb "$(size "$main")") raw, $(kb "$(size "$main.br")") brotli"
# One chunk per group of lazy pages (`app/src/lazy_pages.rs`):
# split_<group>_<hash>.<file hash>.wasm.
for f in split_*.wasm; do
  group=$(sed -E 's/^split_([^.]*)_[0-9]+\..*$/\1/' <<<"$f")
  printf '  %-22s %9s raw %9s brotli\n' "$group pages" "$(kb "$(size "$f")")" "$(kb "$(size "$f.br")")"
done
shared=$(ls chunk_*.wasm | wc -l)
shared_br=$(cat chunk_*.wasm.br | wc -c)
echo "shared chunks: $shared files, $(kb "$shared_br") brotli in all"
total_raw=$(cat ./*.wasm | wc -c)
total_br=$(cat ./*.wasm.br | wc -c)
echo "whole app: $(kb "$total_raw") raw, $(kb "$total_br") brotli"
