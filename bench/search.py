"""How search latency grows with the data: `.venv/bin/python bench/search.py [--sizes 1000,10000,100000]`.

Builds N synthetic enhancements (English and Korean titles, summaries, feature gates and
aliases from a fixed-seed vocabulary, plus the real glossary) in a scratch SQLite
database, then times a fixed mix of queries through the search engine (what one results
page costs: parse, rank, count, one page) and through a plain `icontains` scan over title
and summary in both languages (one page and a count), in the same run. Sizes are built
one on top of the other. Prints figures; asserts nothing.
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
REPEATS = 15
CHUNK = 5000

ONSETS = ["b", "c", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "st", "tr", "pl", "qu"]
VOWELS = ["a", "e", "i", "o", "u", "ai", "ou"]
HANGUL = [chr(0xAC00 + i) for i in range(0, 11172, 37)]  # an even spread of syllables


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


def setup_django(directory):
    os.environ["DATABASE_URL"] = f"sqlite:///{directory / 'bench.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("loaddata", str(REPO / "fixtures" / "07_glossary.json"), verbosity=0)


def grow_to(n, corpus, existing):
    """Add enhancements (and their index entries, in bulk: no signal per row) up to n."""
    from releasenotes import search
    from releasenotes.models import Enhancement, SearchEntry, Sig

    sig, _ = Sig.objects.get_or_create(slug="sig-bench", defaults={"name": "SIG Bench"})
    for start in range(existing, n, CHUNK):
        rows = [Enhancement(owning_sig=sig, **corpus.fields(100_000 + i)) for i in range(start, min(start + CHUNK, n))]
        created = Enhancement.objects.bulk_create(rows)
        SearchEntry.objects.bulk_create([search.entry_for_enhancement(e) for e in created])


def queries(corpus, n):
    """The fixed mix, chosen from what the data holds at this size."""
    from releasenotes.models import Enhancement

    middle = Enhancement.objects.get(kep_number=100_000 + n // 2)
    third = Enhancement.objects.get(kep_number=100_000 + n // 3)
    korean_two = next(w for w in corpus.korean[200:] if len(w) == 2)
    return {
        "exact gate": middle.feature_gates[0],
        "title prefix": third.title_en.split()[0],
        "Korean 2-char": korean_two,
        "body word": corpus.english[300],
        "miss": "zzqxv 없는말",
    }


def engine(raw):
    from releasenotes import search

    return search.page(search.parse(raw), 1, 20).count


def icontains(raw):
    from django.db.models import Q

    from releasenotes.models import Enhancement

    fields = ["title_en", "title_ko", "summary_en", "summary_ko"]
    found = Enhancement.objects.filter(
        Q(**{f"{fields[0]}__icontains": raw})
        | Q(**{f"{fields[1]}__icontains": raw})
        | Q(**{f"{fields[2]}__icontains": raw})
        | Q(**{f"{fields[3]}__icontains": raw})
    )
    list(found[:20])
    return found.count()


def timings(run, mix):
    samples, hits = [], {}
    for name, raw in mix.items():
        hits[name] = run(raw)  # also warms the caches
        for _ in range(REPEATS):
            started = time.perf_counter()
            run(raw)
            samples.append((time.perf_counter() - started) * 1000)
    return samples, hits


def p95(samples):
    return statistics.quantiles(samples, n=20)[-1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="comma-separated record counts")
    sizes = sorted(int(s) for s in parser.parse_args().sizes.split(","))
    with tempfile.TemporaryDirectory(prefix="search-bench-") as directory:
        setup_django(Path(directory))
        corpus = Corpus()
        print(f"{'N':>7}  {'median ms':>9}  {'p95 ms':>7}  {'icontains median ms':>19}  {'icontains / engine':>18}")
        existing = 0
        for n in sizes:
            grow_to(n, corpus, existing)
            existing = n
            mix = queries(corpus, n)
            fast, hits = timings(engine, mix)
            slow, _ = timings(icontains, mix)
            ratio = statistics.median(slow) / statistics.median(fast)
            print(
                f"{n:>7}  {statistics.median(fast):>9.2f}  {p95(fast):>7.2f}  {statistics.median(slow):>19.2f}  "
                f"{ratio:>17.1f}×   hits: " + ", ".join(f"{name} {count}" for name, count in hits.items())
            )


if __name__ == "__main__":
    main()
