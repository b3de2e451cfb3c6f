"""sync_content: idempotent, and it never overwrites what an editor changed."""

import json

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command

from releasenotes.models import Enhancement, SyncConflict, SyncedField
from releasenotes.sync import run_sync
from releasenotes.sync.ledger import upsert, value_hash
from releasenotes.sync.report import SyncReport
from releasenotes.sync.shipped import sync_shipped_content

from .test_admin import CHANGE_555, editor, editor_client, form_data  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


def test_it_changes_nothing_the_second_time_and_says_so(capsys):
    call_command("sync_content")
    out = capsys.readouterr().out
    assert "total: nothing to change" in out, out
    assert "shipped content: 0 created, 0 updated" in out


def test_it_keeps_an_admin_edit_and_history_shows_no_revert(editor_client):  # noqa: F811
    data = form_data(editor_client.get(CHANGE_555))
    data["summary_en"] = "An editor's better summary."
    assert editor_client.post(CHANGE_555, data).status_code == 302
    history_before = Enhancement.objects.get(kep_number=555).history.count()

    for _ in range(2):
        report = SyncReport()
        sync_shipped_content(report, dry_run=False)
        assert report.steps[0].kept >= 1 and report.steps[0].changed == 0

    enhancement = Enhancement.objects.get(kep_number=555)
    assert enhancement.summary_en == "An editor's better summary."
    history = enhancement.history.all()
    assert history.count() == history_before
    assert history.first().summary_en == "An editor's better summary."
    assert not SyncConflict.objects.exists()  # upstream did not change that field


def test_it_queues_a_conflict_once_when_upstream_changes_an_edited_field():
    enhancement = Enhancement.objects.get(kep_number=555)
    Enhancement.objects.filter(pk=555).update(title_en="Edited in a shell")  # not through the admin
    for _ in range(2):
        report = SyncReport()
        report.step("test")
        upsert(Enhancement, {"pk": 555}, {"title_en": "Upstream's new title"}, report, source="test")
    assert Enhancement.objects.get(pk=555).title_en == "Edited in a shell"
    conflict = SyncConflict.objects.get()
    assert json.loads(conflict.editor_value) == "Edited in a shell"
    assert json.loads(conflict.upstream_value) == "Upstream's new title"
    assert enhancement.title_en != conflict.editor_value


def test_it_writes_upstream_changes_to_fields_nobody_edited():
    report = SyncReport()
    report.step("test")
    upsert(Enhancement, {"pk": 555}, {"aliases": ["a new alias"]}, report, source="test")
    assert Enhancement.objects.get(pk=555).aliases == ["a new alias"]
    ct = ContentType.objects.get_for_model(Enhancement)
    assert SyncedField.objects.get(content_type=ct, object_pk="555", field="aliases").value_hash == value_hash(
        ["a new alias"]
    )
    assert report.steps[0].updated == 1


def test_it_keeps_many_to_many_edits():
    enhancement = Enhancement.objects.filter(participating_sigs__isnull=False).first()
    sigs = sorted(enhancement.participating_sigs.values_list("pk", flat=True))
    enhancement.participating_sigs.clear()
    report = SyncReport()
    report.step("test")
    upsert(Enhancement, {"pk": enhancement.pk}, {"participating_sigs": sigs}, report, source="test")
    assert list(enhancement.participating_sigs.all()) == []
    assert report.steps[0].kept == 1 and report.steps[0].updated == 0


def test_a_dry_run_changes_nothing():
    Enhancement.objects.filter(pk=555).delete()
    report = run_sync(dry_run=True)
    assert report.steps[0].created >= 1
    assert not Enhancement.objects.filter(pk=555).exists()


def test_a_dry_run_prints_what_would_change(capsys):
    Enhancement.objects.filter(pk=555).update(aliases=["stale"])
    ct = ContentType.objects.get_for_model(Enhancement)
    SyncedField.objects.filter(content_type=ct, object_pk="555", field="aliases").update(
        value_hash=value_hash(["stale"])
    )
    call_command("sync_content", dry_run=True)
    out = capsys.readouterr().out
    assert "would have updated enhancement KEP-555" in out and ": aliases" in out
    assert "total: would change 1 rows" in out
    assert Enhancement.objects.get(pk=555).aliases == ["stale"]
