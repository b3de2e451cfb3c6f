import shutil
import subprocess
import sys

import polib
import pytest
from django.utils import translation

from .conftest import REPO

PO = REPO / "locale" / "ko" / "LC_MESSAGES" / "django.po"


def test_the_korean_catalogue_is_complete():
    po = polib.pofile(str(PO))
    assert po.percent_translated() == 100
    assert not po.fuzzy_entries()


def test_the_catalogue_holds_every_string_the_sources_mark(tmp_path):
    """`make messages` extracts from Python, Django templates and the Jinja2 partials
    (their `{{ _("…") }}` form); a string marked but missing from the .po shows in English."""
    for name in ("manage.py", "config", "releasenotes", "templates", "locale"):
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, tmp_path / name)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "ko", "--keep-pot", "--no-location", "-v", "0"],
        cwd=tmp_path,
        check=True,
    )
    marked = {(e.msgctxt, e.msgid) for e in polib.pofile(str(tmp_path / "locale" / "django.pot"))}
    held = {(e.msgctxt, e.msgid) for e in polib.pofile(str(PO)) if e.translated() and not e.obsolete}
    assert marked - held == set()
    assert ("", "(remove this filter)") in {(c or "", i) for c, i in marked}  # read from a Jinja2 partial


def test_the_catalogue_holds_every_plural_the_jinja2_templates_ask_for():
    """makemessages reads only `_("…")` from a template: a plural a Jinja2 template asks
    for through ngettext must be marked elsewhere (a Django template or Python) as well."""
    import re

    asked = set()
    for template in (REPO / "releasenotes" / "jinja2").rglob("*.html"):
        asked |= set(re.findall(r'ngettext\(\s*"([^"]+)",\s*"([^"]+)"', template.read_text()))
    assert asked  # the pattern still finds them
    held = {(e.msgid, e.msgid_plural) for e in polib.pofile(str(PO)) if e.msgid_plural and e.translated()}
    assert asked - held == set()


def test_the_compiled_catalogue_matches_the_source():
    """A stale django.mo would show English (or old Korean) where the .po says otherwise."""
    po = polib.pofile(str(PO))
    with translation.override("ko"):
        for entry in po.translated_entries():
            if entry.msgid_plural or entry.msgctxt:
                continue
            assert translation.gettext(entry.msgid) == entry.msgstr, entry.msgid


@pytest.mark.parametrize(
    ("english", "korean"),
    [("Stable", "스테이블"), ("Deprecated", "사용 중단"), ("Enhancements", "개선 사항"), ("Search", "검색")],
)
def test_known_strings_are_translated(english, korean):
    with translation.override("ko"):
        assert translation.gettext(english) == korean


@pytest.mark.django_db
def test_str_and_urls_carry_hangul():
    from releasenotes.models import Enhancement, GlossaryTerm

    swap = Enhancement.objects.get(kep_number=2400)
    with translation.override("ko"):
        assert "스왑" in str(swap)
        assert swap.get_absolute_url() == "/ko/enhancements/2400/"
    with translation.override("en"):
        assert swap.get_absolute_url() == "/en/enhancements/2400/"
    term = GlossaryTerm.objects.get(slug="swap")
    assert str(term) == "swap — 스왑"
