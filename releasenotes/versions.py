"""Kubernetes minor versions ("1.22", "v1.22", "v1.22.0") as comparable tuples.

Plain Python, no Django: the checker, the fixtures builder and the views all use it.
"""

import re

_VERSION = re.compile(r"^\s*v?(\d{1,2})\.(\d{1,3})(?:\.\d+)?\s*$")


class VersionError(ValueError):
    pass


def parse_minor(text: str) -> tuple[int, int]:
    """Return (major, minor) for "1.22", "v1.22" or "v1.22.0"; raise VersionError otherwise."""
    match = _VERSION.match(str(text))
    if not match:
        raise VersionError(f"not a Kubernetes version: {text!r}")
    return int(match.group(1)), int(match.group(2))


def normalise(text: str) -> str:
    """ "v1.22.0" -> "1.22"."""
    major, minor = parse_minor(text)
    return f"{major}.{minor}"


def try_normalise(text) -> str | None:
    try:
        return normalise(text)
    except VersionError:
        return None


# The releases whose enhancements, feature gates and notes the site covers from upstream
# data. Timelines may reach further back (a KEP that went alpha in 1.14), never further on.
FIRST_COVERED, LAST_COVERED = (1, 19), (1, 34)


def covered_releases() -> list[str]:
    return [f"1.{minor}" for minor in range(FIRST_COVERED[1], LAST_COVERED[1] + 1)]


def is_after_covered(version: str) -> bool:
    return parse_minor(version) > LAST_COVERED
