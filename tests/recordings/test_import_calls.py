import csv
import shutil
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from recordings.models import Call
from tests.factories import AgentFactory, ClientFactory

pytestmark = pytest.mark.django_db

COLUMNS = ["file", "client", "agent", "external_id", "started_at", "answered", "wait_seconds", "queue", "csat", "ces", "resolved"]


@pytest.fixture
def import_dir(tmp_path, samples_dir, wav_file):
    ClientFactory(slug="acme")
    AgentFactory(external_id="AGT-1042")
    folder = tmp_path / "incoming"
    folder.mkdir()
    shutil.copy(samples_dir / "card_payment.flac", folder / "card.flac")
    shutil.copy(wav_file(), folder / "short.wav")
    (folder / "notes.wav").write_text("meeting notes, not audio")
    return folder


def write_manifest(folder, rows):
    path = folder.parent / "calls.csv"
    with open(path, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "") for c in COLUMNS})
    return path


def run_import(folder, manifest, *, expect_rejections: bool = False):
    out = StringIO()
    try:
        call_command("import_calls", str(folder), manifest=str(manifest), no_progress=True, stdout=out, stderr=StringIO())
    except CommandError as exc:
        if "line(s) rejected" not in str(exc):
            raise  # the manifest itself is unusable: for the tests that expect that
        assert expect_rejections, f"{exc}\n{out.getvalue()}"
        assert exc.returncode == 1
    else:
        assert not expect_rejections, "exited 0 although lines were rejected"
    return out.getvalue()


GOOD = {"client": "acme", "agent": "AGT-1042", "started_at": "2026-11-02T09:30:00+00:00"}


def test_it_imports_and_reports_each_file(import_dir):
    manifest = write_manifest(import_dir, [
        {**GOOD, "file": "card.flac", "external_id": "C-1", "queue": "payments", "csat": "4", "ces": "6", "resolved": "yes"},
        {**GOOD, "file": "short.wav", "external_id": "C-2"},
        {**GOOD, "file": "notes.wav", "external_id": "C-3"},
        {**GOOD, "file": "missing.wav", "external_id": "C-4"},
        {**GOOD, "file": "short.wav", "external_id": "C-5", "agent": "AGT-404"},
        {**GOOD, "file": "short.wav", "external_id": "C-6", "started_at": "02/11/2026"},
        {**GOOD, "file": "../../etc/passwd", "external_id": "C-7"},
        {**GOOD, "file": "short.wav", "external_id": "", "csat": "5"},
        {**GOOD, "file": "short.wav", "external_id": "C-9", "csat": "great"},
    ])

    output = run_import(import_dir, manifest, expect_rejections=True)

    assert output.splitlines()[0] == "Imported 2, updated 0, duplicates 0, rejected 7."
    assert "line 4: notes.wav: the file is not decodable audio" in output
    assert "line 5: missing.wav: file not found" in output
    assert "line 6: short.wav: unknown agent 'AGT-404'" in output
    assert "line 7: short.wav: started_at '02/11/2026' is not an ISO 8601 date and time" in output
    assert "line 8: ../../etc/passwd: the file lies outside the import folder" in output
    assert "line 9: short.wav: missing external_id" in output
    assert "line 10: short.wav: csat must be a whole number, not 'great'" in output
    call = Call.objects.get(external_id="C-1")
    assert (call.queue, call.csat, call.ces, call.resolved) == ("payments", 4, 6, True)
    assert Call.objects.count() == 2


def test_it_is_safe_to_run_again(import_dir):
    manifest = write_manifest(import_dir, [
        {**GOOD, "file": "card.flac", "external_id": "C-1"},
        {**GOOD, "file": "short.wav", "external_id": "C-2"},
    ])
    run_import(import_dir, manifest)

    output = run_import(import_dir, manifest)

    assert output.splitlines()[0] == "Imported 0, updated 0, duplicates 2, rejected 0."
    assert Call.objects.count() == 2


def test_it_refuses_a_manifest_without_the_required_columns(import_dir):
    manifest = import_dir.parent / "bad.csv"
    manifest.write_text("file,client\ncard.flac,acme\n")

    with pytest.raises(CommandError, match="lacks the column\\(s\\): external_id, started_at"):
        run_import(import_dir, manifest)


def test_it_refuses_a_missing_manifest(import_dir):
    with pytest.raises(CommandError, match="not found"):
        run_import(import_dir, import_dir / "nope.csv")


def test_it_refuses_a_binary_manifest(import_dir):
    manifest = import_dir.parent / "binary.csv"
    manifest.write_bytes(b"\xff\xfe\x00\x00garbage\x80\x81")

    with pytest.raises(CommandError, match="not a readable UTF-8 CSV"):
        run_import(import_dir, manifest)


def test_it_reports_every_problem_of_a_line_at_once(import_dir):
    manifest = write_manifest(import_dir, [
        {**GOOD, "file": "missing.wav", "external_id": "C-1", "agent": "AGT-404", "csat": "great", "started_at": "soon"},
    ])
    output = run_import(import_dir, manifest, expect_rejections=True)
    line = next(line for line in output.splitlines() if "line 2" in line)
    for problem in ("file not found", "unknown agent 'AGT-404'", "started_at 'soon'", "csat must be a whole number"):
        assert problem in line
    assert Call.objects.count() == 0


def test_it_finds_a_relative_manifest_in_the_import_folder(import_dir, monkeypatch, tmp_path):
    inside = import_dir / "calls.csv"
    write_manifest(import_dir, [{**GOOD, "file": "short.wav", "external_id": "C-1"}]).rename(inside)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)

    output = run_import(import_dir, "calls.csv")

    assert output.splitlines()[0] == "Imported 1, updated 0, duplicates 0, rejected 0."


def test_it_rejects_a_nul_character_with_a_summary_instead_of_a_traceback(import_dir):
    manifest = write_manifest(import_dir, [
        {**GOOD, "file": "short.wav", "external_id": "C-\x00-1"},
        {**GOOD, "file": "card.flac", "external_id": "C-2"},
    ])
    output = run_import(import_dir, manifest, expect_rejections=True)
    assert "external_id contain(s) a NUL character" in output
    assert list(Call.objects.values_list("external_id", flat=True)) == ["C-2"]


def test_it_imports_call_records_without_a_file_and_attaches_a_later_recording(import_dir):
    manifest = write_manifest(import_dir, [
        {**GOOD, "agent": "", "external_id": "A-1", "answered": "no", "wait_seconds": "40"},
        {**GOOD, "external_id": "C-1", "answered": "yes", "wait_seconds": "8", "csat": "4"},
        {**GOOD, "agent": "", "external_id": "A-2", "answered": "no"},
        {**GOOD, "external_id": "A-3", "answered": "no", "wait_seconds": "5"},
        {**GOOD, "agent": "", "external_id": "C-2"},
        {**GOOD, "file": "short.wav", "external_id": "A-4", "answered": "no", "wait_seconds": "5"},
        {**GOOD, "external_id": "C-3", "answered": "maybe"},
    ])

    output = run_import(import_dir, manifest, expect_rejections=True)

    assert output.splitlines()[0] == "Imported 2, updated 0, duplicates 0, rejected 5."
    assert "line 4: A-2 (no file): wait_seconds: An abandoned call needs wait_seconds" in output
    assert "line 5: A-3 (no file): agent: An abandoned call has no agent" in output
    assert "line 6: C-2 (no file): agent: An answered call needs the agent who answered it." in output
    assert "line 7: short.wav: an abandoned call has no recording: leave its file empty" in output
    assert "line 8: C-3 (no file): answered must be true or false, not 'maybe'" in output
    assert dict(Call.objects.values_list("external_id", "status")) == {"A-1": "abandoned", "C-1": "no_recording"}

    later = write_manifest(import_dir, [
        {**GOOD, "file": "card.flac", "external_id": "C-1"},
        {**GOOD, "agent": "", "external_id": "A-1", "answered": "no", "wait_seconds": "41"},
    ])
    output = run_import(import_dir, later)

    assert output.splitlines()[0] == "Imported 1, updated 1, duplicates 0, rejected 0."
    assert "imported   line 2: card.flac (attached to its call record)" in output
    call = Call.objects.get(external_id="C-1")
    assert (call.status, call.csat, call.wait_seconds, call.recording.original_filename) == ("received", 4, 8, "card.flac")
    assert Call.objects.get(external_id="A-1").wait_seconds == 41
