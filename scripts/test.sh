#!/usr/bin/env bash
# Runs every Navet test: unit tests, store and API tests on SQLite and on
# PostgreSQL (each test creates and drops its own database on
# 127.0.0.1:5432), and the browser tests (Debian chromium + playwright-core
# + axe-core). Installs what is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
apt_install() {
  echo "== installing: $*"
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# System packages the tests need.
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
command -v node >/dev/null 2>&1 || need+=(nodejs)
command -v npm >/dev/null 2>&1 || need+=(npm)
command -v pg_isready >/dev/null 2>&1 || need+=(postgresql-client)
# pg_dump and pg_restore for the backup tests.
command -v pg_dump >/dev/null 2>&1 || need+=(postgresql-client)
if [ ${#need[@]} -gt 0 ]; then apt_install "${need[@]}"; fi

# PostgreSQL on 127.0.0.1:5432 (trust auth for user postgres).
export NAVET_TEST_PG_URL="${NAVET_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
if ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    apt_install postgresql
    ver=$(ls /etc/postgresql | head -1)
    $SUDO sed -i 's/^\(host\s\+all\s\+all\s\+127.0.0.1\/32\s\+\)\S\+/\1trust/' "/etc/postgresql/$ver/main/pg_hba.conf"
  fi
  ver=$(ls /etc/postgresql | head -1)
  $SUDO pg_ctlcluster --skip-systemctl-redirect "$ver" main start || true
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi
pg_isready -h 127.0.0.1 -p 5432

# Build products live outside the checkout and are kept between runs, so a
# fresh clone compiles only Navet's own crates (the third-party ones take
# about ten minutes on two cores). Set CARGO_TARGET_DIR to choose another.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/navet/target}"
mkdir -p "$CARGO_TARGET_DIR"

# Each phase's time, printed as it starts and at the end, so a slow run
# shows where its time went.
started=$SECONDS
phase() {
  echo "== $1 (at $((SECONDS - started)) s)"
}
trap 'echo "== finished after $((SECONDS - started)) s"' EXIT

phase "Rust: unit, store and API tests (SQLite and PostgreSQL)"
# Most tests wait on the database, not the processor: eight at a time
# halves the run on two cores. Tests that load the processor and assert a
# time limit take a lock so that they run one at a time (web tests'
# `common::cpu_heavy`).
export RUST_TEST_THREADS="${RUST_TEST_THREADS:-8}"
cargo test --workspace --locked

phase "Browser tests"
# They drive the `navet` binary that `cargo test` has just built for the
# command-line tests: the same code as `cargo build` makes, plus the
# store's fault-injection points, which nothing in the binary arms. A
# separate `cargo build` would compile the store, web and binary crates a
# second time without them (3–4 minutes on two cores).
export NAVET_BIN="${NAVET_BIN:-$CARGO_TARGET_DIR/debug/navet}"
[ -x "$NAVET_BIN" ] || cargo build -p navet --locked
# Screenshots of failing pages only (NAVET_E2E_SCREENSHOTS=all keeps one of
# every page checked, in e2e/screenshots/, at about twice the time).
export NAVET_E2E_SCREENSHOTS="${NAVET_E2E_SCREENSHOTS:-failures}"
(cd e2e && npm ci --no-audit --no-fund --loglevel=error && npm test)
