#!/usr/bin/env bash
# Builds the release app and times the login cards page of a 700-learner
# class with QR badges, in Chromium at 4x CPU throttle (issue #14).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/env.sh"
cd "$ROOT"
bash "$ROOT/scripts/build.sh"
export LEPTOS_SITE_ROOT="${LEPTOS_SITE_ROOT:-$ROOT/target/site}"
node bench/cards-page.mjs
