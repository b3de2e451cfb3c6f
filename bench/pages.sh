#!/usr/bin/env bash
# Every kind of public page, rendered with no cache at all, beside the framework floor
# (/robots.txt) from the same gunicorn in the same run, measured in turns (side_by_side in
# bench/_server.sh). DESIGN's budget holds for every public page: a median ratio >= 0.25.
# bench/notes.sh and bench/keps.sh hold the two busiest pages to it with more rounds; this
# one surveys the rest, one URL of each route, and exits 1 when any page is below it.
#
#   bash bench/pages.sh                      # 1 round, 3 s per URL
#   ROUNDS=3 DURATION=5s bash bench/pages.sh
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS="${ROUNDS:-1}"
DURATION="${DURATION:-3s}"
BUDGET="${PAGES_BUDGET:-0.25}"
export ROUNDS DURATION

# shellcheck source=bench/_server.sh
. bench/_server.sh
need_wrk
use_no_cache
start_production_server

PAGES=(
  /ko/
  /ko/releases/
  /ko/releases/1.22/
  /ko/releases/1.19/
  /ko/releases/1.19/notes/
  "/ko/upgrade/?from=1.21&to=1.25"
  "/ko/enhancements/?release=1.27"
  /ko/enhancements/2400/
  /ko/feature-gates/
  /ko/feature-gates/NodeSwap/
  /ko/sigs/
  /ko/sigs/sig-node/
  /ko/deprecations/
  /ko/removed-apis/
  /ko/removed-apis/1.22/
  /ko/dockershim/
  /ko/check/
  /ko/glossary/
  "/ko/search/?q=swap"
)
for page in "${PAGES[@]}"; do
  curl -fsS -o /dev/null "$BASE$page" || { echo "$page does not answer 200" >&2; exit 1; }
done

echo
side_by_side "${PAGES[@]}"
echo
below=()
for page in "${PAGES[@]}"; do
  if awk -v r="${RATIOS[$page]}" -v b="$BUDGET" 'BEGIN { exit !(r < b) }'; then below+=("$page"); fi
done
echo "budget: every page's median >= $BUDGET of /robots.txt; ${#below[@]} of ${#PAGES[@]} below it"
for page in "${below[@]}"; do echo "  below: $page"; done
logged="$(server_errors)"
[ -z "$logged" ] || { echo "gunicorn logged errors:"; echo "$logged"; exit 1; }
[ "$ERRORS" = 0 ] || { echo "$ERRORS requests failed"; exit 1; }
[ "${#below[@]}" = 0 ]
