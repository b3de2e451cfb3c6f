#!/usr/bin/env bash
# Lighthouse on the main pages in both languages, against gunicorn with production
# settings on 127.0.0.1, in the system Chromium.
#
#   bash bench/lighthouse.sh
#   LIGHTHOUSE_PRESET=desktop bash bench/lighthouse.sh   # default: Lighthouse's mobile run
#   LIGHTHOUSE_THEME=dark bash bench/lighthouse.sh       # the dark theme (prefers-color-scheme)
#
# Prints the four category scores per page, and for every category under its goal the
# audits that cost points. Goal: accessibility, best practices and SEO at 100,
# performance at 95 or more; the script exits 1 when a page misses it. The JSON reports
# are kept in bench/out/lighthouse/ (ignored by git).
#
# Lighthouse comes from npm (pinned: 12.3 and later want a newer Node than Debian's 20)
# and is installed once into a cache folder outside the repository.
set -euo pipefail
cd "$(dirname "$0")/.."

LIGHTHOUSE_VERSION="${LIGHTHOUSE_VERSION:-12.2.3}"
LIGHTHOUSE_HOME="${LIGHTHOUSE_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/k8s-releasenotes-bench/lighthouse-$LIGHTHOUSE_VERSION}"
export CHROME_PATH="${CHROME_PATH:-/usr/bin/chromium}"
# The machine has no network: these keep Chromium from reaching for Google's services.
CHROME_FLAGS="--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-sync --no-first-run"
[ "${LIGHTHOUSE_THEME:-light}" = dark ] && CHROME_FLAGS="$CHROME_FLAGS --force-dark-mode"
PRESET="${LIGHTHOUSE_PRESET:-}"
OUT="bench/out/lighthouse"
PAGES=(
  ""
  "enhancements/"
  "enhancements/?stage=beta&sig=sig-node"
  "enhancements/2400/"
  "sigs/sig-node/"
  "removed-apis/1.22/"
  "upgrade/?from=1.21&to=1.25"
  "dockershim/"
  "check/"
  "search/?q=swap"
  "glossary/"
)

[ -x "$CHROME_PATH" ] || { echo "no Chromium at $CHROME_PATH (make browser-deps installs it)" >&2; exit 2; }
command -v npm >/dev/null || { echo "npm is missing: apt-get install nodejs npm" >&2; exit 2; }
LIGHTHOUSE="$LIGHTHOUSE_HOME/node_modules/.bin/lighthouse"
if [ ! -x "$LIGHTHOUSE" ]; then
  echo "Installing lighthouse@$LIGHTHOUSE_VERSION into $LIGHTHOUSE_HOME ..." >&2
  mkdir -p "$LIGHTHOUSE_HOME"
  npm install --prefix "$LIGHTHOUSE_HOME" --no-audit --no-fund --loglevel=error -E "lighthouse@$LIGHTHOUSE_VERSION" >&2
fi

# shellcheck source=bench/_server.sh
. bench/_server.sh
start_production_server
rm -rf "$OUT"
mkdir -p "$OUT"

failed=0
for language in ko en; do
  for page in "${PAGES[@]}"; do
    url="$BASE/$language/$page"
    status="$(curl -s -o /dev/null -w '%{http_code}' "$url")"
    if [ "$status" != 200 ]; then
      echo "note: /$language/$page answered $status; not audited" >&2
      [ "$status" = 404 ] || failed=1
      continue
    fi
    name="$(printf '%s-%s' "$language" "$page" | tr -c 'a-zA-Z0-9.-' '_' | sed 's/_*$//')"
    args=(--quiet --output=json --output-path="$OUT/$name.json" --chrome-flags="$CHROME_FLAGS"
          --only-categories=performance,accessibility,best-practices,seo)
    [ -n "$PRESET" ] && args+=(--preset="$PRESET")
    # Lighthouse sometimes loses the page-load trace (NO_NAVSTART and the like) on a
    # busy 2-core machine; such a run says nothing about the page, so it gets two retries.
    for try in 1 2 3; do
      if "$LIGHTHOUSE" "$url" "${args[@]}" 2>"$OUT/$name.log" \
        && ! grep -q '"runtimeError"' "$OUT/$name.json"; then
        break
      fi
      if [ "$try" = 3 ]; then
        echo "lighthouse failed on $url three times:" >&2
        tail -5 "$OUT/$name.log" >&2
        failed=1
      else
        echo "lighthouse run $try on $url failed; again" >&2
      fi
    done
  done
done

# One row per page, then what cost points where a category is under its goal.
"$PY" - "$OUT" <<'PYTHON' || failed=1
import json
import sys
from pathlib import Path
from urllib.parse import urlsplit

GOALS = {"performance": 95, "accessibility": 100, "best-practices": 100, "seo": 100}
reports = sorted(Path(sys.argv[1]).glob("*.json"))
print(f"\n{'page':44} {'perf':>5} {'a11y':>5} {'b.p.':>5} {'seo':>5}")
misses = []
for path in reports:
    report = json.loads(path.read_text())
    url = urlsplit(report["finalDisplayedUrl"])
    page = url.path + (f"?{url.query}" if url.query else "")
    scores = {}
    for cid, goal in GOALS.items():
        category = report["categories"][cid]
        score = None if category["score"] is None else round(category["score"] * 100)
        scores[cid] = score
        if score is None or score < goal:
            lost = [
                f"{report['audits'][ref['id']]['id']} ({report['audits'][ref['id']]['score']}): "
                f"{report['audits'][ref['id']].get('displayValue') or report['audits'][ref['id']]['title']}"
                for ref in category["auditRefs"]
                if ref["weight"] > 0 and (report["audits"][ref["id"]]["score"] or 0) < 1
                and report["audits"][ref["id"]]["scoreDisplayMode"] not in ("notApplicable", "manual", "informative")
            ]
            misses.append((page, cid, score, lost))
    mark = lambda cid: "-" if scores[cid] is None else str(scores[cid])  # noqa: E731
    print(f"{page:44} {mark('performance'):>5} {mark('accessibility'):>5} {mark('best-practices'):>5} {mark('seo'):>5}")
print("\ngoal: performance >= 95; accessibility, best practices and SEO at 100")
for page, cid, score, lost in misses:
    print(f"under goal: {page} {cid} {score}")
    for line in lost:
        print(f"    {line}")
if not reports:
    print("no report was written")
sys.exit(1 if misses or not reports else 0)
PYTHON

logged="$(server_errors)"
if [ -n "$logged" ]; then
  echo "gunicorn logged errors:"
  echo "$logged"
  failed=1
fi
exit "$failed"
