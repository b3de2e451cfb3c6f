"""Search latency over the real corpus and as the data grows:
`.venv/bin/python bench/search.py [--sizes 1000,10000,100000]`.

In a scratch SQLite database (or the PostgreSQL of DATABASE_URL with --postgres): loads
the shipped fixtures (and runs `sync_content` when the project has it: every release's
notes, every KEP), indexes them, and times a mix of realistic queries (abbreviations,
Korean renderings, typos, names, gates, short Korean words, misses) through the one
search entry point (parse, vocabulary, rank, count, one page of 20 presented), against a
plain `icontains` scan over the same titles and texts in both languages (one page and a
count), in the same run. Then adds N synthetic enhancements (English and Korean titles,
summaries, feature gates and aliases from a fixed-seed vocabulary, one release each),
sizes built one on top of the other, and times the same mix plus queries drawn from them.
Prints p50 and p95 per size, the ratio to the scan, the queries that take longest, and the
growth from the smallest size to the largest; asserts nothing.
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
REPEATS = 11
CHUNK = 5000

ONSETS = ["b", "c", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "st", "tr", "pl", "qu"]
VOWELS = ["a", "e", "i", "o", "u", "ai", "ou"]
HANGUL = [chr(0xAC00 + i) for i in range(0, 11172, 37)]  # an even spread of syllables

# What people type, over the real corpus.
REAL_MIX = [
    "PVC",
    "RBAC",
    "SSA",
    "netpol",
    "cgroup v2",
    "포드",
    "지원 중단",
    "서버측 적용",
    "스왑",
    "NodeSwap",
    "server-side apply",
    "KEP-2400",
    "#542",
    "memroy manager",
    "kubelte",
    "dokcershim",
    "ingress",
    "networking.k8s.io/v1beta1",
    "deprecated",
    "zzqxv 없는말",
]


def vocabulary(rng, size, make):
    words = set()
    while len(words) < size:
        words.add(make(rng))
    return sorted(words)


def english_word(rng):
    return "".join(rng.choice(ONSETS) + rng.choice(VOWELS) for _ in range(rng.randint(2, 3)))


def korean_word(rng):
    return "".join(rng.choice(HANGUL) for _ in range(rng.randint(2, 3)))


class Corpus:
    """Summaries draw words with Zipf-like frequencies, as real text does (a few common,
    most rare); titles and aliases draw evenly, since names are chosen to be distinctive."""

    def __init__(self, seed=22):
        self.rng = random.Random(seed)
        self.english = vocabulary(self.rng, 5000, english_word)
        self.korean = vocabulary(self.rng, 5000, korean_word)
        self.weights = [1 / (rank + 1) for rank in range(5000)]

    def text(self, words, k):
        return " ".join(self.rng.choices(words, weights=self.weights, k=k))

    def name(self, words, k):
        return " ".join(self.rng.choices(words, k=k))

    def fields(self, number):
        title = self.name(self.english, self.rng.randint(2, 4))
        gate = "".join(w.capitalize() for w in title.split()) + str(number)
        return {
            "kep_number": number,
            "tracking_issue": number,
            "slug": f"synthetic-{number}",
            "title_en": title.capitalize(),
            "title_ko": self.name(self.korean, self.rng.randint(2, 3)),
            "summary_en": self.text(self.english, 45).capitalize() + ".",
            "summary_ko": self.text(self.korean, 30) + ".",
            "feature_gates": [gate],
            "aliases": [self.name(self.english, 2), self.name(self.korean, 2)],
            "kep_url": f"https://example.org/keps/{number}",
        }


def setup_django(directory, postgres):
    if not postgres:
        os.environ["DATABASE_URL"] = f"sqlite:///{directory / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # Production settings: with debug on, Django records every SQL statement it runs.
    os.environ.setdefault("DJANGO_DEBUG", "false")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-" + "x" * 50)
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.core.management import call_command, get_commands

    call_command("migrate", verbosity=0)
    call_command("loaddata", *sorted(str(p) for p in (REPO / "fixtures").glob("*.json")), verbosity=0)
    if "sync_content" in get_commands():
        call_command("sync_content", verbosity=0)
    from releasenotes.search import rebuild

    return rebuild()


def grow_to(n, corpus, existing):
    """Add enhancements, one stage entry each, and their index entries and words in bulk
    (no signal per row) up to n, then compact the index as a rebuild does."""
    from django.db import connection

    from releasenotes.models import Enhancement, Release, Sig, StageEntry
    from releasenotes.search.index import compact, entry, vocabulary
    from releasenotes.search.models import SearchEntry, SearchWord
    from releasenotes.search.sources import enhancement

    sig, _ = Sig.objects.get_or_create(slug="sig-bench", defaults={"name": "SIG Bench"})
    releases = list(Release.objects.all())
    for start in range(existing, n, CHUNK):
        rows = [Enhancement(owning_sig=sig, **corpus.fields(100_000 + i)) for i in range(start, min(start + CHUNK, n))]
        created = Enhancement.objects.bulk_create(rows)
        StageEntry.objects.bulk_create(
            [StageEntry(enhancement=e, release=corpus.rng.choice(releases), stage="alpha") for e in created]
        )
        fresh = Enhancement.objects.filter(pk__in=[e.pk for e in created]).prefetch_related("stages__release")
        entries = [entry("enhancement", e, enhancement(e)) for e in fresh]
        SearchEntry.objects.bulk_create(entries, batch_size=1000)
        SearchWord.objects.bulk_create(vocabulary(entries, connection.vendor), batch_size=5000, ignore_conflicts=True)
    # The site's own bulk loads (sync_content, rebuild_search_index) end in `rebuild()`, which
    # ends so: merge what was written into the full-text indexes (SQLite).
    compact()


def synthetic_queries(corpus, n):
    """Queries drawn from what the synthetic data holds at this size."""
    from releasenotes.models import Enhancement

    middle = Enhancement.objects.get(kep_number=100_000 + n // 2)
    third = Enhancement.objects.get(kep_number=100_000 + n // 3)
    word = next(w for w in corpus.english[300:] if len(w) >= 6)
    return [
        middle.feature_gates[0],  # an exact gate
        third.title_en.split()[0],  # a title prefix
        next(w for w in corpus.korean[200:] if len(w) == 2),  # a two-syllable Korean word
        corpus.english[300],  # a body word
        word[:2] + word[3] + word[2] + word[4:],  # a body word with two letters swapped
        middle.title_en.lower(),  # a whole title
    ]


def engine(raw):
    from releasenotes.search import search

    found = search(raw)
    page = found.page(1, 20)
    found.present(page, "en")
    return page.count


def icontains(raw):
    from django.db.models import Q

    from releasenotes.search.models import SearchEntry

    fields = ["title_en", "title_ko", "body_en", "body_ko"]
    found = SearchEntry.objects.filter(
        Q(**{f"{fields[0]}__icontains": raw})
        | Q(**{f"{fields[1]}__icontains": raw})
        | Q(**{f"{fields[2]}__icontains": raw})
        | Q(**{f"{fields[3]}__icontains": raw})
    )
    list(found[:20])
    return found.count()


def timings(run, mix):
    """Wall-clock milliseconds per query and, for SQLite (which runs inside this process),
    the CPU milliseconds this process spent: on a shared machine the wall clock also
    counts the time spent waiting for a core."""
    samples, cpu = [], []
    for raw in mix:
        run(raw)  # warms the caches
        for _ in range(REPEATS):
            started, started_cpu = time.perf_counter(), time.process_time()
            run(raw)
            samples.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
    TIMINGS_CPU.append(cpu)
    return samples


TIMINGS_CPU: list[list[float]] = []  # the CPU samples of each `timings` call, in order


def p95(samples):
    return statistics.quantiles(samples, n=20)[-1]


def row(label, fast, slow, fast_cpu):
    return (
        f"{label:>22}  {statistics.median(fast):>7.2f}  {p95(fast):>7.2f}  "
        f"{statistics.median(fast_cpu):>7.2f}  {p95(fast_cpu):>7.2f}  "
        f"{statistics.median(slow):>11.2f}  {p95(slow):>10.2f}  "
        f"{statistics.median(slow) / statistics.median(fast):>8.1f}×"
    )


def slowest(mix, samples, cpu, n=4):
    """The queries that make the p95: each one's median wall and CPU milliseconds."""
    per_query = [
        (statistics.median(samples[i : i + REPEATS]), statistics.median(cpu[i : i + REPEATS]), raw)
        for raw, i in zip(mix, range(0, len(samples), REPEATS), strict=True)
    ]
    worst = sorted(per_query, reverse=True)[:n]
    return "slowest (median ms, cpu): " + ", ".join(f"{raw!r} {wall:.1f} ({c:.1f})" for wall, c, raw in worst)


def measure(label, mix):
    fast = timings(engine, mix)
    fast_cpu = TIMINGS_CPU[-1]
    slow = timings(icontains, mix)
    print(row(label, fast, slow, fast_cpu), flush=True)
    print(f"{'':>24}{slowest(mix, fast, fast_cpu)}", flush=True)
    return fast, fast_cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="comma-separated synthetic record counts")
    parser.add_argument("--postgres", action="store_true", help="use DATABASE_URL (PostgreSQL) instead of SQLite")
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    with tempfile.TemporaryDirectory(prefix="search-bench-") as directory:
        real = setup_django(Path(directory), args.postgres)
        from django.db import connection

        corpus = Corpus()
        print(f"database: {connection.vendor}; real corpus: {real} entries; {REPEATS} runs of each query")
        print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        print(
            f"{'':>22}  {'p50 ms':>7}  {'p95 ms':>7}  {'cpu p50':>7}  {'cpu p95':>7}  "
            f"{'scan p50 ms':>11}  {'scan p95 ms':>10}  {'scan/p50':>9}"
        )
        measure("real corpus", REAL_MIX)
        existing, results = 0, {}
        for n in sizes:
            grow_to(n, corpus, existing)
            existing = n
            results[n] = measure(f"+{n:,} synthetic", REAL_MIX + synthetic_queries(corpus, n))
        if len(sizes) > 1:
            small, large = sizes[0], sizes[-1]
            (wall_s, cpu_s), (wall_l, cpu_l) = results[small], results[large]
            print(
                f"growth {small:,} → {large:,} (data {large / small:.0f}×): "
                f"p50 {statistics.median(wall_l) / statistics.median(wall_s):.2f}×, "
                f"p95 {p95(wall_l) / p95(wall_s):.2f}×; "
                f"cpu p50 {statistics.median(cpu_l) / statistics.median(cpu_s):.2f}×, "
                f"cpu p95 {p95(cpu_l) / p95(cpu_s):.2f}×"
            )
        print(f"load average at end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
