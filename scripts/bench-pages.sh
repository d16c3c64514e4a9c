#!/usr/bin/env bash
# Page benchmark on the national data set (docs/performance.md).
#
#   scripts/bench-pages.sh sqlite   [DIR]   # data in DIR/navet.db (default ./bench-data)
#   scripts/bench-pages.sh postgres [DB]    # database DB on 127.0.0.1:5432 (default navet_national)
#
# Builds the release binary, generates the data set once (kept for the next
# run), starts `navet serve`, measures its cold start, runs `navet bench
# pages` (one user, then 50 users at once) and stops the server.
# Environment: PORT (18190), N (visits per page, 20), USERS (50), SECONDS_UNDER_LOAD (30).
set -euo pipefail
engine=${1:?usage: bench-pages.sh sqlite|postgres [DIR|DB]}
port=${PORT:-18190}
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${NAVET_BIN:-$root/target/release/navet}
if [ -z "${NAVET_BIN:-}" ]; then
  (cd "$root" && cargo build --release -p navet)
fi
case "$engine" in
  sqlite)
    dir=${2:-$root/bench-data}
    mkdir -p "$dir"
    url="sqlite://$dir/navet.db"
    fresh=$([ -f "$dir/navet.db" ] && echo no || echo yes)
    ;;
  postgres)
    db=${2:-navet_national}
    url="postgres://postgres@127.0.0.1:5432/$db"
    if psql -h 127.0.0.1 -U postgres -lqt | cut -d'|' -f1 | grep -qw "$db"; then
      fresh=no
    else
      createdb -h 127.0.0.1 -U postgres "$db"
      fresh=yes
    fi
    ;;
  *) echo "engine: sqlite or postgres" >&2; exit 2 ;;
esac
if [ "$fresh" = yes ]; then
  /usr/bin/time -v "$bin" bench data --database-url "$url" 2>&1 | tee "bench-data-$engine.log"
fi
start=$(date +%s.%N)
"$bin" serve --port "$port" --database-url "$url" >"bench-serve-$engine.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null; do sleep 0.01; done
echo "cold start (serve → first /healthz): $(echo "$(date +%s.%N) - $start" | bc) s"
"$bin" bench pages --url "http://127.0.0.1:$port" --database-url "$url" \
  -n "${N:-20}" -c "${USERS:-50}" --seconds "${SECONDS_UNDER_LOAD:-30}" --server-pid "$pid"
