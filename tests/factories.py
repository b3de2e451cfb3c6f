"""Plain helpers for test data that is not in the 1.22 dataset."""

from itertools import count

from releasenotes.models import Enhancement, Release, Sig, StageEntry

_numbers = count(90000)


def make_release(version="1.99", documented=True, **fields):
    release, _ = Release.objects.update_or_create(version=version, defaults={"documented": documented, **fields})
    return release


def make_sig(slug="sig-test", name="SIG Test"):
    sig, _ = Sig.objects.get_or_create(slug=slug, defaults={"name": name})
    return sig


def make_enhancement(stages=(), sig=None, **fields):
    number = fields.pop("kep_number", next(_numbers))
    defaults = {
        "tracking_issue": number,
        "slug": f"test-{number}",
        "title_en": f"Test enhancement {number}",
        "summary_en": "A test.",
        "kep_url": f"https://example.org/kep/{number}",
        "owning_sig": sig or make_sig(),
    }
    defaults.update(fields)
    enhancement = Enhancement.objects.create(kep_number=number, **defaults)
    for version, stage, *rest in stages:
        StageEntry.objects.create(
            enhancement=enhancement,
            release=make_release(version),
            stage=stage,
            major_theme=bool(rest and rest[0]),
        )
    return enhancement
