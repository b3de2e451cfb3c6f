"""Editing that loses nothing: history, stale saves, safe Markdown, translation status."""

import json
import re

import pytest
from django import forms
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.db import IntegrityError
from django.db.models import Q

from releasenotes.models import (
    ApiRemoval,
    Enhancement,
    FaqEntry,
    FeatureGate,
    GlossaryTerm,
    Release,
    ReleaseNote,
    StageEntry,
    Theme,
)

pytestmark = pytest.mark.django_db
CHANGE_555 = "/admin/releasenotes/enhancement/555/change/"


def _value(field, bound):
    value = bound.value()
    if value is None:
        return None
    if isinstance(field, forms.BooleanField):
        return "on" if value else None
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return str(value)


def _fill(data, form):
    for name, field in form.fields.items():
        value = _value(field, form[name])
        if value is not None:
            data[form.add_prefix(name)] = value


def form_data(response):
    """The POST an editor's browser would send for an unchanged admin change form."""
    data = {}
    _fill(data, response.context["adminform"].form)
    for inline in response.context.get("inline_admin_formsets", []):
        formset = inline.formset
        _fill(data, formset.management_form)
        for form in formset.forms:
            _fill(data, form)
    return data


@pytest.fixture
def editor(db):
    user = User.objects.create_user("jiwoo", password="correct horse battery", is_staff=True)
    user.groups.add(Group.objects.get(name="editors"))
    return user


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def test_the_change_form_shows_english_and_korean_side_by_side(editor_client):
    html = editor_client.get(CHANGE_555).content.decode()
    assert 'name="title_en"' in html and 'name="title_ko"' in html
    assert html.index('name="summary_en"') < html.index('name="summary_ko"')


def test_a_save_is_recorded_with_who_and_what_changed(editor_client, editor):
    data = form_data(editor_client.get(CHANGE_555))
    data["summary_ko"] = "새 요약이다. 두 번째 문장이다."
    response = editor_client.post(CHANGE_555, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    record = Enhancement.objects.get(kep_number=555).history.first()
    assert record.history_user == editor
    assert [c.field for c in record.diff_against(record.prev_record).changes] == ["summary_ko"]
    # The history page compares each version with the one before: old text → new text.
    history = editor_client.get("/admin/releasenotes/enhancement/555/history/").content.decode()
    assert "새 요약이다. 두 번째 문장이다." in history and "&rarr;" in history


def test_a_change_can_be_reverted_from_the_admin(editor_client):
    original = Enhancement.objects.get(kep_number=555).title_en
    data = form_data(editor_client.get(CHANGE_555))
    data["title_en"] = "Vandalised"
    editor_client.post(CHANGE_555, data)
    before = Enhancement.objects.get(kep_number=555).history.filter(title_en=original).first()
    revert_url = f"/admin/releasenotes/enhancement/555/history/{before.history_id}/"
    data = form_data(editor_client.get(revert_url))
    response = editor_client.post(revert_url, data)
    assert response.status_code == 302
    assert Enhancement.objects.get(kep_number=555).title_en == original


def test_a_stale_save_is_refused_and_says_what_changed(client, editor):
    other = User.objects.create_user("minji", password="x", is_staff=True)
    other.groups.add(Group.objects.get(name="editors"))
    first, second = client, type(client)()
    first.force_login(editor)
    second.force_login(other)
    data_first = form_data(first.get(CHANGE_555))
    data_second = form_data(second.get(CHANGE_555))

    data_first["summary_en"] = "First editor's summary. It is saved."
    assert first.post(CHANGE_555, data_first).status_code == 302

    data_second["title_en"] = "Second editor's title"
    response = second.post(CHANGE_555, data_second)
    assert response.status_code == 200
    html = response.content.decode()
    # Names the field the other editor changed, as the form labels it, and no other.
    assert "jiwoo" in html and "Changed meanwhile: Summary (English)." in html
    enhancement = Enhancement.objects.get(kep_number=555)
    assert enhancement.summary_en == "First editor's summary. It is saved."
    assert enhancement.title_en != "Second editor's title"


XSS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<a href="jAvAsCrIpT:alert(1)">x</a>',
    "<svg/onload=alert(1)>",
    '<iframe src="https://evil.example"></iframe>',
    "<details open ontoggle=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "[ok](https://evil.example/)",
]


@pytest.mark.parametrize("vector", XSS)
def test_markdown_saved_through_the_admin_cannot_run_script(admin_client, client, vector):
    data = form_data(admin_client.get(CHANGE_555))
    data["summary_en"] = f"Summary. {vector}"
    data["summary_ko"] = f"요약이다. {vector}"
    assert admin_client.post(CHANGE_555, data).status_code == 302
    for lang in ("en", "ko"):
        html = client.get(f"/{lang}/enhancements/555/").content.decode()
        summary = html[html.index('class="prose summary"') : html.index('class="facts"')].lower()
        for bad in (
            "<script",
            "onerror",
            "onload",
            "ontoggle",
            "javascript:",
            "data:text",
            "<iframe",
            "<svg",
            "<style",
        ):
            assert bad not in summary, (lang, bad)
        if "evil.example/" in vector:
            assert 'rel="noopener nofollow"' in summary


def test_the_preview_renders_sanitised_markdown(editor_client):
    response = editor_client.post("/admin/releasenotes/snippet/preview/", {"text": "**bold** <script>x</script>"})
    assert response.json()["html"] == "<p><strong>bold</strong> </p>"


def test_the_preview_is_for_staff_only(client):
    response = client.post("/admin/releasenotes/snippet/preview/", {"text": "x"})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_every_page_sends_a_csp_without_inline_script(client):
    for url in ["/ko/", "/en/enhancements/", "/ko/dockershim/", "/en/check/", "/admin/login/"]:
        response = client.get(url)
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["X-Frame-Options"] == "DENY"
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", response.content.decode()), url


def test_changing_the_english_marks_the_korean_outdated(editor_client, client):
    data = form_data(editor_client.get(CHANGE_555))
    data["summary_en"] = "Server-side Apply is now GA. A new sentence editors added."
    editor_client.post(CHANGE_555, data)
    enhancement = Enhancement.objects.get(kep_number=555)
    assert enhancement.translation_status() == {"title": "current", "summary": "outdated"}
    queue = editor_client.get("/admin/translations/?status=outdated").content.decode()
    assert "KEP-555" in queue
    html = client.get("/ko/enhancements/555/").content.decode()
    assert 'class="outdated-notice"' in html and "영어 원문" in html
    assert 'class="outdated-notice"' not in client.get("/en/enhancements/555/").content.decode()


def test_updating_the_korean_makes_it_current_again(editor_client):
    data = form_data(editor_client.get(CHANGE_555))
    data["summary_en"] = "Changed English. Second sentence."
    editor_client.post(CHANGE_555, data)
    data = form_data(editor_client.get(CHANGE_555))
    data["summary_ko"] = "바뀐 영어에 맞춘 한국어다. 두 번째 문장이다."
    editor_client.post(CHANGE_555, data)
    assert Enhancement.objects.get(kep_number=555).translation_status()["summary"] == "current"


def test_the_queue_counts_missing_translations(editor_client):
    FaqEntry.objects.filter(slug="docker-in-docker-builds").update(answer_ko="")
    html = editor_client.get("/admin/translations/?status=missing").content.decode()
    assert "docker" in html.lower()
    assert '?model=faqentry&amp;status=missing">1<' in html


def test_the_shipped_content_has_no_outdated_or_missing_korean():
    shipped = (Enhancement.objects.for_release("1.22"), Theme, FaqEntry, ApiRemoval, Release.objects.documented())
    for model in shipped:
        queryset = model.objects.all() if hasattr(model, "objects") else model
        for obj in queryset:
            assert "outdated" not in obj.translation_status().values(), obj
            assert "missing" not in obj.translation_status().values(), obj
    # Other KEPs have a Korean title where content/kep_titles_ko.yaml gives one, never outdated.
    for obj in Enhancement.objects.exclude(title_ko=""):
        assert "outdated" not in obj.translation_status().values(), obj


def test_editors_may_edit_content_but_not_delete_it(editor):
    assert editor.has_perm("releasenotes.change_enhancement")
    assert editor.has_perm("releasenotes.view_historicalenhancement")
    assert not editor.has_perm("releasenotes.delete_enhancement")
    assert not editor.has_perm("releasenotes.change_release")
    assert not editor.has_perm("auth.change_user")


def test_the_admin_is_for_staff_only(client):
    user = User.objects.create_user("reader", password="pw-reader-123")
    client.force_login(user)
    response = client.get("/admin/releasenotes/enhancement/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    response = client.get("/admin/translations/")
    assert response.status_code == 302


def test_password_guessing_locks_the_login(client, editor, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/admin/login/", {"username": "jiwoo", "password": "wrong"})
    response = client.post("/admin/login/", {"username": "jiwoo", "password": "correct horse battery"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def snapshot():
    """All content, with relations by natural key, so new primary keys don't count as changes."""
    from django.core import serializers

    models = [Release, Enhancement, StageEntry, Theme, ApiRemoval, FaqEntry, GlossaryTerm, ReleaseNote, FeatureGate]
    return {
        m.__name__: sorted(
            json.dumps(row, sort_keys=True)
            for row in json.loads(
                serializers.serialize(
                    "json", m.objects.all(), use_natural_foreign_keys=True, use_natural_primary_keys=True
                )
            )
        )
        for m in models
    }


@pytest.fixture
def fewer_release_notes():
    """Only the release notes of 1.22 and every note with a Korean text (about 500 of the
    4,700): each kind of note is still there, and the round trip takes a minute instead of
    several (loading a note indexes it for search). The others go as if they had never
    been synced: no history of a deletion, no search entry, no labels left behind.

    The note with the highest id and the one with the latest history record stay: loaddata
    sets PostgreSQL's id sequences to the highest id it loaded, and a sequence keeps its
    value when the test's transaction is rolled back."""
    from releasenotes.search.models import SearchEntry
    from releasenotes.search.registry import registry

    last = {ReleaseNote.objects.latest("pk").pk, ReleaseNote.history.latest("history_id").id}
    untranslated = Q(text_ko=None) | Q(text_ko="")
    others = ReleaseNote.objects.exclude(release__version="1.22").filter(untranslated).exclude(pk__in=last)
    ids = others.values("pk")
    for queryset in (
        ReleaseNote.labels.through.objects.filter(releasenote__in=ids),
        ReleaseNote.history.model.objects.filter(id__in=ids),
        SearchEntry.objects.filter(kind=registry.for_model(ReleaseNote).kind, object_id__in=ids),
        others,
    ):
        queryset._raw_delete(queryset.db)  # one DELETE, without a signal per row
    assert ReleaseNote.objects.count() < 600 and ReleaseNote.objects.filter(text_ko__gt="").exists()


def test_export_and_import_round_trip_without_loss(tmp_path, fewer_release_notes):
    before = snapshot()
    dump = tmp_path / "content.json"
    call_command("export_content", output=str(dump))
    for model in (ReleaseNote, StageEntry, Theme, ApiRemoval, FaqEntry, GlossaryTerm, Enhancement):
        model.objects.all().delete()
    Release.objects.all().delete()
    assert Enhancement.objects.count() == 0
    call_command("loaddata", str(dump), verbosity=0)
    assert snapshot() == before


def test_a_broken_import_changes_nothing(tmp_path, fewer_release_notes):
    before = snapshot()
    from django.core import serializers

    # A valid change first, then a row whose SIG doesn't exist: the first must not stay.
    rows = json.loads(serializers.serialize("json", Enhancement.objects.filter(kep_number__in=[555, 2400])))
    rows[0]["fields"]["title_en"] = "Overwritten"
    rows[1]["fields"]["owning_sig"] = ["sig-does-not-exist"]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(rows))
    # loaddata defers the unknown natural key and the row then fails its NOT NULL.
    with pytest.raises(IntegrityError, match="owning_sig"):
        call_command("loaddata", str(bad), verbosity=0)
    assert snapshot() == before


def history_snapshot():
    rows = []
    for model in (Release, Enhancement, StageEntry, Theme, ApiRemoval, FaqEntry, GlossaryTerm):
        for record in model.history.model.objects.order_by("history_id"):
            fields = {f.attname: getattr(record, f.attname) for f in record._meta.concrete_fields}
            fields["history_user"] = record.history_user.username if record.history_user else None
            fields.pop("history_user_id")
            rows.append(json.dumps(fields, sort_keys=True, default=str))
    return rows


def test_export_and_restore_into_an_empty_database_keep_content_and_history(
    editor_client, editor, tmp_path, fewer_release_notes
):
    data = form_data(editor_client.get(CHANGE_555))
    data["summary_ko"] = "내보내기 전에 고친 요약이다. 두 번째 문장이다."
    assert editor_client.post(CHANGE_555, data).status_code == 302
    before, history_before = snapshot(), history_snapshot()
    dump = tmp_path / "content.json"
    call_command("export_content", output=str(dump))

    everything = (StageEntry, Theme, ApiRemoval, FaqEntry, GlossaryTerm, ReleaseNote, Enhancement, Release)
    FeatureGate.objects.all().delete()
    for model in everything:
        model.objects.all().delete()
    for model in everything:  # after the deletes, which history records too
        model.history.model.objects.all().delete()
    editor.delete()
    assert Enhancement.history.count() == 0

    call_command("loaddata", str(dump), verbosity=0)
    assert snapshot() == before
    after = history_snapshot()
    assert after == history_before
    restored = Enhancement.objects.get(kep_number=555)
    latest = restored.history.first()
    assert latest.history_user.username == "jiwoo"
    assert latest.instance.pk == restored.pk  # history still points at its record
    assert not User.objects.get(username="jiwoo").check_password("")


def test_saving_only_the_korean_in_a_korean_admin_records_only_the_korean(editor_client):
    editor_client.cookies["django_language"] = "ko"
    data = form_data(editor_client.get(CHANGE_555, headers={"accept-language": "ko"}))
    data["summary_ko"] = "한국어 요약만 고쳤다. 두 번째 문장이다."
    response = editor_client.post(CHANGE_555, data, headers={"accept-language": "ko"})
    assert response.status_code == 302
    record = Enhancement.objects.get(kep_number=555).history.first()
    assert [c.field for c in record.diff_against(record.prev_record).changes] == ["summary_ko"]


def test_the_history_page_names_changed_fields_by_their_labels(editor_client):
    data = form_data(editor_client.get(CHANGE_555))
    data["summary_ko"] = "라벨을 확인하는 요약이다. 두 번째 문장이다."
    editor_client.post(CHANGE_555, data)
    html = editor_client.get("/admin/releasenotes/enhancement/555/history/").content.decode()
    assert "<strong>Summary [ko]:</strong>" in html
    assert "summary_ko:" not in html


def test_a_save_stores_the_rendered_markdown_and_pages_never_render_it(editor_client, client, monkeypatch):
    data = form_data(editor_client.get(CHANGE_555))
    data["summary_ko"] = "**굵게** 쓴 요약이다. 두 번째 문장이다."
    assert editor_client.post(CHANGE_555, data).status_code == 302
    stored = Enhancement.objects.get(kep_number=555).rendered_html["summary_ko"]
    assert stored == "<p><strong>굵게</strong> 쓴 요약이다. 두 번째 문장이다.</p>"

    def refuse(*args, **kwargs):
        raise AssertionError("Markdown rendered during a page request")

    monkeypatch.setattr("releasenotes.markup.markdown.markdown", refuse)
    assert stored in client.get("/ko/enhancements/555/").content.decode()


def test_an_overlong_markdown_field_gets_a_clear_error(editor_client):
    from releasenotes.markup import MAX_LENGTH

    data = form_data(editor_client.get(CHANGE_555))
    data["summary_en"] = "x" * (MAX_LENGTH + 1)
    response = editor_client.post(CHANGE_555, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert f"at most {MAX_LENGTH} characters" in str(errors["summary_en"])
    assert Enhancement.objects.get(kep_number=555).summary_en != "x" * (MAX_LENGTH + 1)


PREVIEW = "/admin/releasenotes/enhancement/preview/"


def test_the_preview_renders_for_an_editor(editor_client):
    response = editor_client.post(PREVIEW, {"text": "**bold**"})
    assert response.json() == {"html": "<p><strong>bold</strong></p>"}


def test_the_preview_needs_change_permission_on_its_model(client):
    staff = User.objects.create_user("viewer", password="x", is_staff=True)
    client.force_login(staff)
    assert client.post(PREVIEW, {"text": "**bold**"}).status_code == 403


def test_the_preview_has_the_fields_length_limit(editor_client):
    from releasenotes.markup import MAX_LENGTH

    response = editor_client.post(PREVIEW, {"text": "[" * 20_000})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "too_long"
    assert str(MAX_LENGTH) in response.json()["error"]["message"]


def test_the_translation_queue_needs_a_content_permission(client, editor):
    staff = User.objects.create_user("viewer", password="x", is_staff=True)
    client.force_login(staff)
    assert client.get("/admin/translations/").status_code == 403
    client.force_login(editor)
    assert client.get("/admin/translations/").status_code == 200


def _login(client, password, address, forwarded_for):
    return client.post(
        "/admin/login/",
        {"username": "jiwoo", "password": password},
        REMOTE_ADDR=address,
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


BEHIND_NGINX = {
    "AXES_IPWARE_META_PRECEDENCE_ORDER": ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"),
    "AXES_IPWARE_PROXY_ORDER": "right-most",
    "AXES_IPWARE_PROXY_COUNT": 0,
}


def test_behind_a_trusted_proxy_failures_from_one_client_do_not_lock_out_another(client, editor, settings):
    for name, value in BEHIND_NGINX.items():
        setattr(settings, name, value)
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        _login(client, "wrong", "127.0.0.1", "203.0.113.7")
    assert _login(client, "wrong", "127.0.0.1", "203.0.113.7").status_code == 429
    response = _login(type(client)(), "correct horse battery", "127.0.0.1", "198.51.100.20")
    assert response.status_code == 302


def test_without_a_proxy_a_forged_forwarded_for_changes_nothing(client, editor, settings):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "wrong", "198.51.100.9", f"203.0.113.{attempt}")
    # The same address, whatever the header claimed: locked.
    assert _login(client, "correct horse battery", "198.51.100.9", "192.0.2.1").status_code == 429


def test_it_edits_feature_gates_and_aliases_one_a_line(editor_client):
    response = editor_client.get("/admin/releasenotes/enhancement/2400/change/")
    html = response.content.decode()
    assert re.search(r'<textarea name="feature_gates"[^>]*>\s*NodeSwap\s*</textarea>', html)
    data = form_data(response)
    data["feature_gates"] = "NodeSwap\n\n  NodeSwapExtra  \n"
    data["aliases"] = "swap\n스왑"
    assert editor_client.post("/admin/releasenotes/enhancement/2400/change/", data).status_code == 302
    enhancement = Enhancement.objects.get(kep_number=2400)
    assert enhancement.feature_gates == ["NodeSwap", "NodeSwapExtra"]
    assert enhancement.aliases == ["swap", "스왑"]


def test_an_unchanged_list_field_is_not_recorded_as_a_change(editor_client):
    data = form_data(editor_client.get(CHANGE_555))
    data["title_en"] = "Server-side Apply (edited)"
    editor_client.post(CHANGE_555, data)
    record = Enhancement.objects.get(kep_number=555).history.first()
    changed = {c.field for c in record.diff_against(record.prev_record).changes}
    assert "title_en" in changed and not changed & {"feature_gates", "aliases"}


def test_the_stale_save_note_and_the_queue_name_fields_by_their_labels(client, editor):
    other = User.objects.create_user("minji", password="x", is_staff=True)
    other.groups.add(Group.objects.get(name="editors"))
    first, second = client, type(client)()
    first.force_login(editor)
    second.force_login(other)
    data_first, data_second = form_data(first.get(CHANGE_555)), form_data(second.get(CHANGE_555))
    data_first["summary_ko"] = "먼저 저장한 요약이다. 두 번째 문장이다."
    first.post(CHANGE_555, data_first)
    html = second.post(CHANGE_555, data_second, headers={"accept-language": "ko"}).content.decode()
    assert "Changed meanwhile: Summary (Korean)" in html or "바뀐 필드: 요약 (한국어)" in html
    FaqEntry.objects.filter(slug="docker-in-docker-builds").update(answer_ko="")
    queue = first.get("/admin/translations/?status=missing", headers={"accept-language": "en"}).content.decode()
    assert "Answer (Korean)" in queue and "<td>answer</td>" not in queue


def test_the_history_and_revert_screens_speak_korean(editor_client):
    data = form_data(editor_client.get(CHANGE_555))
    data["summary_ko"] = "고친 요약이다. 두 번째 문장이다."
    editor_client.post(CHANGE_555, data)
    korean = {"accept-language": "ko-KR,ko"}
    history = editor_client.get("/admin/releasenotes/enhancement/555/history/", headers=korean).content.decode()
    assert "변경한 사람" in history and "변경 내용" in history
    assert "Changed by" not in history
    record = Enhancement.objects.get(kep_number=555).history.last()
    revert = editor_client.get(
        f"/admin/releasenotes/enhancement/555/history/{record.history_id}/", headers=korean
    ).content.decode()
    assert "되돌리기" in revert and "Revert" not in revert
