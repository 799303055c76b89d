# Sourced by the other scripts: one target folder outside the clone (so a
# fresh clone reuses earlier builds) and the npm build tools on PATH.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/classkeys/target}"
export PATH="$ROOT/end2end/node_modules/.bin:$HOME/.cargo/bin:$PATH"
# The built site and the binary, as `cargo leptos build --release` leaves them
# (a bench may compare another binary: CLASSKEYS_BIN=… bash bench/…).
export CLASSKEYS_BIN="${CLASSKEYS_BIN:-$CARGO_TARGET_DIR/release/classkeys}"
# The Python with aiosmtpd (the SMTP delivery test's server), from setup.sh.
export CLASSKEYS_PYTHON="${CLASSKEYS_PYTHON:-$HOME/.cache/classkeys/py/bin/python}"
