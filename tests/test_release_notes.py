"""The release-notes import: the real upstream files, and broken ones."""

import json
from pathlib import Path

import pytest

from releasenotes.models import ReleaseNote
from releasenotes.sync import release_notes as importer
from releasenotes.sync.report import SyncReport

pytestmark = pytest.mark.django_db


def published(path: Path) -> int:
    data = json.loads(path.read_text(encoding="utf-8"))
    return sum(1 for note in data.values() if not note.get("do_not_publish"))


def test_it_imports_every_published_note_of_every_release():
    files = importer.notes_files()
    assert sorted(files, key=lambda v: int(v.split(".")[1])) == [f"1.{n}" for n in range(19, 35)]
    for version, path in files.items():
        assert ReleaseNote.objects.filter(release__version=version).count() == published(path), version
    assert ReleaseNote.objects.filter(release__version="1.22").count() == 384
    assert ReleaseNote.objects.count() == 4706


def test_it_keeps_the_upstream_flags_and_labels():
    assert ReleaseNote.objects.action_required().count() == 130
    assert ReleaseNote.objects.filter(release__version="1.22").action_required().count() == 24
    note = ReleaseNote.objects.get(release__version="1.22", pr_number=100085)
    assert note.labels_of("kind") == ["cleanup"] and note.labels_of("sig") == ["sig-api-machinery"]
    assert "[#100085](https://github.com/kubernetes/kubernetes/pull/100085)" in note.text_en
    # The stored HTML keeps the PR and author links, sanitised.
    assert 'href="https://github.com/kubernetes/kubernetes/pull/100085"' in note.html_en
    assert 'href="https://github.com/markusthoemmes"' in note.html_en


def test_it_skips_notes_marked_do_not_publish():
    path = importer.notes_files()["1.27"]
    hidden = [int(n["pr_number"]) for n in json.loads(path.read_text()).values() if n.get("do_not_publish")]
    assert hidden
    assert not ReleaseNote.objects.filter(release__version="1.27", pr_number__in=hidden).exists()


def test_every_action_required_note_reads_in_korean():
    assert all(note.text_ko for note in ReleaseNote.objects.action_required())
    assert ReleaseNote.objects.exclude(text_ko="").exclude(text_ko=None).count() == 130


def test_it_finds_feature_gates_and_keps_the_text_names():
    with_gates = ReleaseNote.objects.exclude(feature_gates=[]).count()
    assert 600 <= with_gates <= 800  # "about 700 notes name one"
    gates = importer.declared_feature_gates()
    assert {"PodSecurity", "NodeSwap", "ServerSideApply"} <= gates
    assert all(g in gates for n in ReleaseNote.objects.exclude(feature_gates=[])[:200] for g in n.feature_gates)


@pytest.mark.parametrize(
    "text, keps",
    [
        ("see KEP-2400 and kep 1287", [1287, 2400]),
        ("https://github.com/kubernetes/enhancements/issues/3063", [3063]),
        ("https://github.com/kubernetes/enhancements/tree/master/keps/sig-node/2400-node-swap", [2400]),
        ("PR #12345 fixes it", []),
    ],
)
def test_it_reads_kep_numbers_from_text(text, keps):
    assert importer.mentioned_keps(text) == keps


@pytest.mark.parametrize("name", ["node", "sig-node", "SIG Node", "sig_node"])
def test_it_normalises_sig_names(name):
    assert importer.sig_slug(name) == "sig-node"


def test_it_reads_gates_from_kep_files_with_broken_dates(tmp_path):
    kep = tmp_path / "sig-node" / "1-thing"
    kep.mkdir(parents=True)
    (kep / "kep.yaml").write_text(
        "kep-number: 1\ntitle: x\ncreation-date: 2020-13-45\n"
        "feature-gates:\n  - name: MyGate\n    components: [kubelet]\n"
    )
    (tmp_path / "NNNN-kep-template").mkdir()
    (tmp_path / "NNNN-kep-template" / "kep.yaml").write_text("feature-gates:\n  - name: MyFeature\n")
    assert importer.declared_feature_gates(tmp_path) == {"MyGate"}


def _write(folder: Path, name: str, content) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return path


def _run(notes_dir, korean_dir, keps_dir) -> SyncReport:
    report = SyncReport()
    report.step("release notes")
    importer.import_release_notes(report, notes_dir=notes_dir, korean_dir=korean_dir, keps_dir=keps_dir)
    return report


GOOD = {"pr_number": 999001, "markdown": "Adds `MyGate`. ([#999001](https://github.com/k/k/pull/999001))",
        "kinds": ["feature"], "sigs": ["node"], "author": "someone"}  # fmt: skip


def test_a_file_with_bad_entries_imports_the_valid_ones_and_names_the_others(tmp_path):
    notes = {
        "999001": GOOD,
        "bad-pr": {**GOOD, "pr_number": "abc"},
        "999003": {**GOOD, "pr_number": 999003, "kinds": "feature"},
        "999004": {**GOOD, "pr_number": 999004, "markdown": ""},
        "999005": {**GOOD, "pr_number": 999005, "do_not_publish": True},
    }
    _write(tmp_path / "notes", "release-notes-1.22.0.json", notes)
    _write(
        tmp_path / "ko",
        "1.22.yaml",
        "- {pr: 999001, text_ko: 한국어 텍스트다.}\n- {pr: 42, text_ko: 없는 노트}\n- {pr: x}\n",
    )
    _write(tmp_path / "keps" / "sig-node" / "1-x", "kep.yaml", "kep-number: 1\nfeature-gates:\n  - name: MyGate\n")
    before = ReleaseNote.objects.count()
    report = _run(tmp_path / "notes", tmp_path / "ko", tmp_path / "keps")
    assert ReleaseNote.objects.count() == before + 1
    note = ReleaseNote.objects.get(pr_number=999001)
    assert note.feature_gates == ["MyGate"] and note.labels_of("sig") == ["sig-node"]
    assert note.text_ko == "한국어 텍스트다."
    problems = "\n".join(report.problems)
    assert "release-notes-1.22.0.json: bad-pr: pr_number is not a number" in problems
    assert "release-notes-1.22.0.json: 999003: kinds must be a list of strings" in problems
    assert "release-notes-1.22.0.json: 999004: markdown is empty" in problems
    assert "release_notes_ko/1.22.yaml: 42: no such note" in problems
    assert "release_notes_ko/1.22.yaml: x: pr must be a PR number" in problems
    assert "999005" not in problems


def test_a_broken_file_changes_nothing(tmp_path):
    _write(tmp_path / "notes", "release-notes-1.22.0.json", '{"1": {"pr_number": 1,')
    _write(tmp_path / "notes", "release-notes-1.23.0.json", {"999001": GOOD})
    _write(tmp_path / "ko", "1.23.yaml", "- pr: 999001\n  text_ko: [unclosed\n")
    korean_before = dict(ReleaseNote.objects.filter(release__version="1.22").values_list("pk", "text_ko"))
    report = _run(tmp_path / "notes", tmp_path / "ko", tmp_path / "keps")
    assert dict(ReleaseNote.objects.filter(release__version="1.22").values_list("pk", "text_ko")) == korean_before
    assert ReleaseNote.objects.filter(release__version="1.22").count() == 384
    assert not ReleaseNote.objects.get(pr_number=999001).text_ko
    problems = "\n".join(report.problems)
    assert "release-notes-1.22.0.json: not readable JSON" in problems
    assert "release_notes_ko/1.23.yaml: not readable YAML" in problems


def test_an_editors_korean_survives_the_import():
    note = ReleaseNote.objects.filter(release__version="1.22", action_required=False).first()
    note.text_ko = "편집자가 쓴 번역이다."
    note.save()
    report = SyncReport()
    report.step("release notes")
    importer.import_release_notes(report)
    note.refresh_from_db()
    assert note.text_ko == "편집자가 쓴 번역이다."
    assert report.changed == 0


def test_an_untranslated_note_is_in_the_translation_queue():
    note = ReleaseNote.objects.filter(text_ko=None).first()
    assert note.translation_status() == {"text": "missing"}


def _label_ids_by_hand() -> dict[int, str]:
    links = ReleaseNote.labels.through.objects.order_by("releasenote_id", "notelabel__facet", "notelabel__slug")
    carried = {}
    for note_id, label_id in links.values_list("releasenote_id", "notelabel_id"):
        carried.setdefault(note_id, []).append(str(label_id))
    return {pk: ",".join(carried.get(pk, [])) for pk in ReleaseNote.objects.values_list("pk", flat=True)}


def _label_ids_stored() -> dict[int, str]:
    return dict(ReleaseNote.objects.values_list("pk", "label_ids"))


def test_every_note_stores_the_ids_of_the_labels_it_carries():
    stored = _label_ids_stored()
    assert stored == _label_ids_by_hand()
    assert sum(1 for ids in stored.values() if ids) > 4000


def test_a_notes_label_ids_follow_every_change_of_its_labels(client):
    from releasenotes.models import NoteLabel

    note = ReleaseNote.objects.filter(release__version="1.22", labels__facet="area").order_by("pk").first()
    carried = list(note.labels.all())
    other = NoteLabel.objects.filter(facet="area").exclude(notes=note).order_by("pk").first()

    def rename(slug):
        other.slug = slug
        other.save()

    changes = [
        lambda: note.labels.add(other),
        lambda: note.labels.remove(other),
        lambda: other.notes.add(note),
        lambda: other.notes.remove(note),
        lambda: note.labels.set([other, *carried]),
        lambda: other.notes.clear(),
        lambda: note.labels.clear(),
        lambda: note.labels.set([other, *carried]),
        lambda: rename("0-first"),  # sorts before the note's other areas
        lambda: rename("zz-last"),  # and after them
        lambda: other.delete(),
    ]
    seen = []
    for change in changes:
        change()
        assert _label_ids_stored() == _label_ids_by_hand()
        seen.append(ReleaseNote.objects.get(pk=note.pk).label_ids)
        if other.pk:  # the notes browser lists the note under the label exactly when it carries it
            url = f"/en/releases/1.22/notes/?area={other.slug}&pr={note.pr_number}"
            assert client.get(url).context["page"].paginator.count == note.labels.filter(pk=other.pk).count()
    assert seen[8] != seen[9]  # the renaming moved the label among the note's others
    # A copy read before a change made from the label's side still holds the old ids:
    # saving it writes them with the row, then the labels decide.
    assert note.label_ids != seen[-1]
    note.save()
    assert _label_ids_stored() == _label_ids_by_hand() and note.label_ids == seen[-1]


def test_the_import_mends_label_ids_written_past_the_signals(tmp_path):
    """Links written in bulk (as the import writes a new note's) send no signal: the
    import's last step writes the label ids they leave stale."""
    from releasenotes.models import NoteLabel

    note = ReleaseNote.objects.filter(release__version="1.23").order_by("pk").first()
    label = NoteLabel.objects.exclude(notes=note).order_by("pk").first()
    ReleaseNote.labels.through.objects.bulk_create([ReleaseNote.labels.through(releasenote=note, notelabel=label)])
    assert _label_ids_stored() != _label_ids_by_hand()
    _write(tmp_path / "notes", "release-notes-1.22.0.json", {"999001": GOOD})
    _run(tmp_path / "notes", tmp_path / "ko", tmp_path / "keps")
    assert _label_ids_stored() == _label_ids_by_hand()
