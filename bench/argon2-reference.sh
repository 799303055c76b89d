#!/usr/bin/env bash
# Times Debian's reference `argon2` command with ClassKeys's parameters
# (argon2id, m = 2^14.25 is not expressible, so -k 19456 KiB, t = 2, p = 1),
# for comparison with `cargo bench -p server --bench password_hash`.
set -euo pipefail
command -v argon2 >/dev/null || { apt-get update -qq && apt-get install -y -qq argon2 >/dev/null; }
runs=${1:-30}
start=$(date +%s%N)
for _ in $(seq "$runs"); do
  echo -n "greenfox47" | argon2 "somesaltsomesalt" -id -t 2 -k 19456 -p 1 -l 32 -r >/dev/null
done
end=$(date +%s%N)
echo "argon2 (Debian reference, argon2id m=19456 KiB t=2 p=1): $(( (end - start) / runs / 1000 )) µs per hash over $runs runs"
