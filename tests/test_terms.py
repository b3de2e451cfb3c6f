"""One rendering per term, site-wide: the content files, the database and the interface
catalogue use none of the renderings the glossary rules out."""

import re
from pathlib import Path

import polib
import pytest
import yaml
from modeltranslation.translator import translator

from releasenotes import terms
from releasenotes.dataset import CONTENT_DIR
from releasenotes.models import GlossaryTerm

REPO = Path(__file__).resolve().parents[1]
CATALOGUE = REPO / "locale" / "ko" / "LC_MESSAGES" / "django.po"


def glossary_rules():
    return terms.rules_from(yaml.safe_load((CONTENT_DIR / "glossary.yaml").read_text(encoding="utf-8")))


def report(violations):
    return "\n".join(str(v) for v in violations)


def test_it_has_rules_for_the_terms_reviewers_ask_about():
    avoided = {rule.avoid: rule.use for rule in glossary_rules()}
    assert avoided["구성 요소"] == "컴포넌트"
    assert avoided["객체"] == "오브젝트"
    assert avoided["하위 리소스"] == "서브리소스"
    assert avoided["서버 사이드 어플라이"] == "서버-사이드 어플라이"
    assert avoided["파드디스럽션버짓"] == "PodDisruptionBudget"
    assert avoided["임시 방편"] == "임시방편"


def test_it_finds_an_avoided_rendering_and_ignores_search_aliases():
    rules = glossary_rules()
    document = {"summary_ko": "노드 구성 요소가 바뀐다.", "aliases": ["구성 요소"], "title_en": "components"}
    found = [v for where, text in terms.korean_strings(document) for v in terms.find(text, rules, where)]
    assert [(v.where, v.rule.use) for v in found] == [("summary_ko", "컴포넌트")]


def test_it_walks_content_files_of_any_shape(tmp_path):
    (tmp_path / "release_notes_ko").mkdir()
    (tmp_path / "release_notes_ko" / "1.23.yaml").write_text(
        "- pr: 1\n  text_ko: 파드 객체를 고친다.\n", encoding="utf-8"
    )
    violations = terms.check_content(tmp_path, glossary_rules())
    assert [v.where for v in violations] == ["release_notes_ko/1.23.yaml:[0].text_ko"]


def test_it_finds_no_avoided_rendering_in_any_content_file():
    violations = terms.check_content(CONTENT_DIR, glossary_rules())
    assert not violations, report(violations)


def test_it_finds_no_avoided_rendering_in_the_korean_catalogue():
    rules = glossary_rules()
    violations = []
    for entry in polib.pofile(str(CATALOGUE)):
        texts = [entry.msgstr, *entry.msgstr_plural.values()]
        for text in texts:
            violations.extend(terms.find(text, rules, f"msgid {entry.msgid!r}"))
    assert not violations, report(violations)


@pytest.mark.django_db
def test_it_finds_no_avoided_rendering_in_any_korean_field_of_the_database():
    rules = terms.rules_from(GlossaryTerm.objects.values("english", "korean", "avoid"))
    assert rules, "the glossary in the database has no avoid lists"
    violations = []
    for model in translator.get_registered_models():
        fields = [f"{name}_ko" for name in translator.get_options_for_model(model).get_field_names()]
        if model is GlossaryTerm:
            fields.append("korean")
        for obj in model.objects.all():
            for field in fields:
                violations.extend(terms.find(getattr(obj, field) or "", rules, f"{model.__name__} {obj.pk} {field}"))
    assert not violations, report(violations)


# British spellings that kubernetes.io writes the US way (behavior, customize, …).
BRITISH = re.compile(
    r"\b\w*(?:behaviour|honour|colour|favour|labour|organis|categoris|customis|recognis|prioritis|"
    r"authoris|initialis|serialis|optimis|utilis|summaris|licence|catalogue)\w*",
    re.IGNORECASE,
)


def english_strings(data, key=""):
    if isinstance(data, dict):
        for name, value in data.items():
            yield from english_strings(value, str(name))
    elif isinstance(data, list):
        for value in data:
            yield from english_strings(value, key)
    elif isinstance(data, str) and not terms.HANGUL.search(data) and key not in ("aliases", "avoid"):
        yield data


# Upstream text quoted as published (kep.yaml titles) is not ours to respell.
QUOTED_UPSTREAM = {"kep_titles_ko.yaml"}


def test_it_finds_no_british_spelling_in_english_content():
    found = []
    for path in sorted(CONTENT_DIR.rglob("*.yaml")):
        if path.name in QUOTED_UPSTREAM:
            continue
        for document in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            found += [
                f"{path.name}: {m.group(0)}" for text in english_strings(document) for m in BRITISH.finditer(text)
            ]
    assert not found, found


# A sentence of the interface that ends in the plain style (…한다. …하라.) instead of the
# polite one (…합니다. …하세요.).
PLAIN_ENDING = re.compile(r"(?<!니)다(?=[.)]|$)|(?:하|보)라(?=[.)]|$)")


def test_it_speaks_to_the_reader_politely_in_every_catalogue_sentence():
    plain = [
        entry.msgid
        for entry in polib.pofile(str(CATALOGUE))
        for text in [entry.msgstr, *entry.msgstr_plural.values()]
        if PLAIN_ENDING.search(text)
    ]
    assert not plain, plain


# “파드 시큐리티 어드미션(Pod Security Admission)”: the English goes in parentheses once a
# page, at first use, then the Korean alone (localization guide, 한영 병기).
GLOSSED = re.compile(r"([\w가-힣·-]+)\(([A-Za-z][^()가-힣\n]*)\)")


def test_it_glosses_a_term_in_english_once_per_enhancement_page():
    repeated = []
    for path in sorted(CONTENT_DIR.glob("enhancements_*.yaml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")):
            seen = set()
            for match in GLOSSED.finditer(item["title_ko"] + "\n" + item["summary_ko"]):
                if match.group(2) in seen:
                    repeated.append(f"KEP-{item['kep']}: {match.group(0)}")
                seen.add(match.group(2))
    assert not repeated, repeated


# kubernetes.io pages that have a Korean translation: Korean text links those.
KOREAN_PAGES = ("/docs/tasks/administer-cluster/migrating-from-dockershim/",)


def test_korean_text_links_the_korean_kubernetes_io_page_where_one_exists():
    english_links = []
    for path in sorted(CONTENT_DIR.rglob("*.yaml")):
        for document in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            for where, text in terms.korean_strings(document):
                english_links += [
                    f"{path.name}:{where}" for page in KOREAN_PAGES if f"https://kubernetes.io{page}" in text
                ]
    assert not english_links, english_links


def test_the_server_error_page_speaks_to_the_reader_politely():
    page = (REPO / "templates" / "500.html").read_text(encoding="utf-8")
    korean = re.search(r'<p lang="ko">(.*?)</p>', page).group(1)
    assert not PLAIN_ENDING.search(korean), korean
