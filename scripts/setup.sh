#!/usr/bin/env bash
# Installs everything ClassKeys needs to build, run and test, skipping what is
# already there. Safe to run again at any time.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CARGO_LEPTOS_VERSION=0.3.11
WASM_BINDGEN_VERSION=0.2.130

log() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# Installs a crate from its own source after pinning one dependency: the
# published lock files of these tools need a rustc newer than ours.
install_with_lock_fix() {
  local krate=$1 version=$2 fix_pkg=$3 fix_version=$4 features=${5:-}
  local src
  src=$(ls -d "$HOME"/.cargo/registry/src/*/"$krate-$version" 2>/dev/null | head -n1 || true)
  if [ -z "$src" ]; then
    # Unpacks the crate into the registry; the build itself fails on the lock.
    cargo install --locked "$krate" --version "$version" --no-track --root "$(mktemp -d)" \
      >/dev/null 2>&1 || true
    src=$(ls -d "$HOME"/.cargo/registry/src/*/"$krate-$version" 2>/dev/null | head -n1 || true)
  fi
  if [ -z "$src" ]; then
    local dl; dl=$(mktemp -d)
    (cd "$dl" && cargo new --quiet probe && cd probe && cargo add --quiet "$krate@=$version" >/dev/null 2>&1 && cargo fetch --quiet) || true
    src=$(ls -d "$HOME"/.cargo/registry/src/*/"$krate-$version" 2>/dev/null | head -n1 || true)
  fi
  [ -n "$src" ] || { echo "could not fetch the source of $krate $version" >&2; exit 1; }
  local work; work=$(mktemp -d)
  cp -r "$src" "$work/$krate"
  (cd "$work/$krate" \
    && cargo update --quiet -p "$fix_pkg" --precise "$fix_version" \
    && cargo install --locked --path . ${features:+--features "$features"})
  rm -rf "$work"
}

# 1. Rust target for the browser bundle.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# 2. cargo-leptos, built without its downloader (no internet here).
if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
  log "building cargo-leptos $CARGO_LEPTOS_VERSION (≈ 14 min, once)"
  install_with_lock_fix cargo-leptos "$CARGO_LEPTOS_VERSION" cargo-util-schemas 0.14.1 no_downloads
fi

# 3. wasm-bindgen-cli matching the wasm-bindgen crate pinned in Cargo.toml.
if ! wasm-bindgen --version 2>/dev/null | grep -q "$WASM_BINDGEN_VERSION"; then
  log "building wasm-bindgen-cli $WASM_BINDGEN_VERSION (≈ 2 min, once)"
  install_with_lock_fix wasm-bindgen-cli "$WASM_BINDGEN_VERSION" webpki-roots 1.0.10
fi

# 4. Chromium from Debian (Playwright's own browser download cannot work here).
if ! command -v chromium >/dev/null 2>&1; then
  log "installing Debian's Chromium"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi

# 4b. PostgreSQL's server binaries (Debian's postgresql): the tests start a
#     throw-away cluster of their own (scripts/with-postgres.sh), never the
#     system's service.
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  log "installing Debian's PostgreSQL"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
fi

# 5. npm tools: sass, wasm-opt (binaryen 132; Debian's 108 breaks hydration), Playwright.
if [ ! -x "$ROOT/end2end/node_modules/.bin/wasm-opt" ] \
   || [ "$ROOT/end2end/package-lock.json" -nt "$ROOT/end2end/node_modules/.package-lock.json" ]; then
  log "installing npm packages in end2end/"
  (cd "$ROOT/end2end" && npm ci --no-audit --no-fund --loglevel=error)
fi

# 6. aiosmtpd (PyPI) in its own virtual environment: the SMTP server the
#    email delivery test sends to.
PY_ENV="$HOME/.cache/classkeys/py"
AIOSMTPD_VERSION=1.4.6
if ! "$PY_ENV/bin/python" -c "import aiosmtpd, sys; sys.exit(aiosmtpd.__version__ != '$AIOSMTPD_VERSION')" 2>/dev/null; then
  log "installing aiosmtpd $AIOSMTPD_VERSION for the SMTP test"
  python3 -m venv "$PY_ENV"
  "$PY_ENV/bin/pip" install --quiet --disable-pip-version-check "aiosmtpd==$AIOSMTPD_VERSION"
fi

# 7. Keep the shared target folder from filling the disk: past 40 GB it is
#    cleared and rebuilt (≈ 10 minutes) rather than letting a build fail.
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
if [ -d "$TARGET" ]; then
  size_gb=$(( $(du -sk "$TARGET" | cut -f1) / 1024 / 1024 ))
  if [ "$size_gb" -gt 40 ]; then
    log "the target folder holds ${size_gb} GB: clearing it"
    rm -rf "$TARGET/debug" "$TARGET/release" "$TARGET/front" "$TARGET/wasm32-unknown-unknown"
  fi
fi

log "tools ready"
