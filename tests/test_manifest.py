"""Incremental builds never leave a wrong or stale output: the manifest
describes the outputs (options, every file read, each output's hash), is
merged under a lock, and a manifest it cannot read means a full build."""

import fcntl
import hashlib
import json
import multiprocessing
import os
import time

import pikepdf
import pytest
from PIL import Image

from briefgen.build.batch import build_all
from briefgen.build.document import Options
from briefgen.build.manifest import LOCK, MANIFEST, Manifest, entry_key
from conftest import MINIMAL_BRIEF, run_cli, write_brief
from test_batch import table
from test_themes import font_families

CEDARBAY = "cedarbay"   # by name: the tests run it from the repository root (in_root)
FIGURE_SVG = """<svg xmlns="http://www.w3.org/2000/svg" width="100" height="50" viewBox="0 0 100 50">
  <image href="dot.png" x="0" y="0" width="100" height="50"/>
</svg>
"""


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def statuses(result):
    return set(table(result).values())


@pytest.fixture
def brief(tmp_path):
    return write_brief(tmp_path)


def build(brief, *args, variant="summary"):
    return run_cli("build", brief, "--variant", variant, "--out", brief.parent / "out", "--jobs", "1", *args)


def test_switching_the_theme_back_rebuilds_the_theme_asked_for(brief, in_root):
    pdf = brief.parent / "out" / "brief-summary.pdf"
    assert statuses(build(brief, "--theme", CEDARBAY)) == {"built"}
    cedarbay = sha256(pdf)
    assert statuses(build(brief)) == {"built"}
    assert font_families(pdf) <= {"Source"}
    assert statuses(build(brief, "--theme", CEDARBAY)) == {"built"}  # was "up to date" over the default's PDF
    assert "Caladea" in font_families(pdf) and sha256(pdf) == cedarbay
    assert statuses(build(brief, "--theme", CEDARBAY)) == {"up to date"}


def test_switching_the_pdf_standard_back_rebuilds_the_standard_asked_for(brief):
    pdf = brief.parent / "out" / "brief-summary.pdf"

    def pdfaid():
        with pikepdf.open(pdf) as document:
            metadata = document.open_metadata()
            return metadata.get("pdfaid:part"), metadata.get("pdfaid:conformance")

    assert statuses(build(brief)) == {"built"}
    plain = sha256(pdf)
    assert statuses(build(brief, "--pdf-standard", "a-3b")) == {"built"}
    assert pdfaid() == ("3", "B")
    assert statuses(build(brief)) == {"built"}
    assert pdfaid() == (None, None) and sha256(pdf) == plain
    assert statuses(build(brief, "--pdf-standard", "a-3b")) == {"built"}
    assert pdfaid() == ("3", "B")


def test_html_after_a_plain_build_writes_the_html(brief):
    html = brief.parent / "out" / "brief-summary.html"
    build(brief)
    assert statuses(build(brief, "--html")) == {"built"} and html.is_file()
    html.unlink()
    assert statuses(build(brief, "--html")) == {"built"} and html.is_file()  # an output of its own
    assert statuses(build(brief, "--html")) == {"up to date"}


@pytest.mark.parametrize("option", ["allow_overflow", "allow_missing_glyphs"])
def test_options_that_change_what_is_written_are_part_of_the_key(brief, option):
    options = Options(("summary",), out_dir=brief.parent / "out")
    assert entry_key(brief, options) != entry_key(brief, Options(("summary",), out_dir=options.out_dir,
                                                                  **{option: True}))


@pytest.mark.parametrize("damage", ["empty", "garbage", "other bytes of the same size"])
def test_a_damaged_pdf_is_rebuilt(brief, damage):
    pdf = brief.parent / "out" / "brief-summary.pdf"
    build(brief)
    good = pdf.read_bytes()
    pdf.write_bytes({"empty": b"", "garbage": b"not a pdf",
                     "other bytes of the same size": bytes(len(good))}[damage])
    assert statuses(build(brief)) == {"built"}
    assert pdf.read_bytes() == good


def test_an_image_changed_inside_a_figure_svg_is_noticed(tmp_path):
    Image.new("RGB", (20, 10), "#1f3a5f").save(tmp_path / "dot.png")
    (tmp_path / "chart.svg").write_text(FIGURE_SVG, encoding="utf-8")
    brief = write_brief(tmp_path, MINIMAL_BRIEF + """  - title: Figure
    content:
      - figure: {image: chart.svg, caption: A chart., alt: A dark blue rectangle.}
""")
    assert statuses(build(brief, variant="full")) == {"built"}
    [entry] = Manifest(tmp_path / "out").entries.values()
    assert str((tmp_path / "dot.png").resolve()) in entry["inputs"]  # served by the fetcher, recorded
    assert statuses(build(brief, variant="full")) == {"up to date"}
    Image.new("RGB", (20, 10), "#b8322a").save(tmp_path / "dot.png")
    assert statuses(build(brief, variant="full")) == {"built"}


def test_briefs_with_the_same_name_in_different_folders_are_refused(tmp_path):
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
    first, second = write_brief(tmp_path / "a"), write_brief(tmp_path / "b")
    out = tmp_path / "out"
    result = run_cli("build", first, second, "--out", out, "--jobs", "1")
    assert result.exit_code == 1
    assert table(result) == {("brief", "-"): "failed"}
    assert result.stderr.splitlines() == [
        f"{first}:1: its outputs ({out}/brief-*) would overwrite those of {second}, "
        "a brief with the same file name; rename one, or build them with different --out",
        f"{second}:1: its outputs ({out}/brief-*) would overwrite those of {first}, "
        "a brief with the same file name; rename one, or build them with different --out"]
    assert not list(out.glob("*.pdf"))
    twice = run_cli("build", first, first, "--out", out, "--jobs", "1", "-v", "summary")  # one brief named twice
    assert twice.exit_code == 0 and table(twice) == {("brief", "summary"): "built"}


def _build_one(brief, out):
    build_all([brief], Options(("summary",), out_dir=out), 1, False)


def test_two_builds_at_once_into_one_folder_keep_both_entries(tmp_path):
    out = tmp_path / "out"
    briefs = [write_brief(tmp_path, name=f"{name}.yaml") for name in ("one", "two")]
    keys = [entry_key(brief, Options(("summary",), out_dir=out)) for brief in briefs]
    fork = multiprocessing.get_context("fork")
    for round_number in range(10):
        for brief in briefs:  # new content each round: a lost entry cannot pass for a current one
            brief.write_text(MINIMAL_BRIEF.replace("Some text.", f"Round {round_number}."), encoding="utf-8")
        builds = [fork.Process(target=_build_one, args=(brief, out)) for brief in briefs]
        for process in builds:
            process.start()
        for process in builds:
            process.join(timeout=60)
            assert process.exitcode == 0
        manifest = Manifest(out)
        assert [manifest.current(key) is not None for key in keys] == [True, True], f"round {round_number}"


def test_a_build_waits_for_the_lock_before_it_writes_the_manifest(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    brief = write_brief(tmp_path)
    key = entry_key(brief, Options(("summary",), out_dir=out))
    process = multiprocessing.get_context("fork").Process(target=_build_one, args=(brief, out))
    process.start()   # first: a child forked while the lock is held would share it
    with open(out / LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)   # another build is merging its entries; the child is still laying out
        deadline = time.monotonic() + 60
        while not (out / "brief-summary.pdf").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)
        assert process.is_alive() and not (out / MANIFEST).exists()   # built, and waiting
    process.join(timeout=60)   # the lock is released when the file closes
    assert process.exitcode == 0 and Manifest(out).current(key) is not None


CORRUPT = {
    "not json": "{not json",
    "a list": "[]",
    "entries a list": '{"entries": []}',
    "deeply nested": "[" * 100_000 + "]" * 100_000,
    "deeply nested entry": '{"entries": {"k": ' + "[" * 100_000 + "]" * 100_000 + "}}",
}


def _wrong(entry, change):
    """The valid entry of the first build, with one field of the wrong type."""
    output = entry["outputs"][0]
    if change == "inputs a list":
        entry["inputs"] = list(entry["inputs"])
    elif change == "pages text":
        output["pages"] = "one"
    elif change == "files a list":
        output["files"] = list(output["files"])
    elif change == "size negative":
        output["files"][output["file"]][0] = -1
    elif change == "file outside the folder":
        output["file"] = "../brief-summary.pdf"
    elif change == "tool a number":
        entry["tool"] = 1
    elif change == "outputs empty":
        entry["outputs"] = []
    elif change == "fingerprint short":
        first = next(iter(entry["inputs"]))
        entry["inputs"][first] = entry["inputs"][first][:2]
    return entry


@pytest.mark.parametrize("corruption", [*CORRUPT, "inputs a list", "pages text", "files a list", "size negative",
                                        "file outside the folder", "tool a number", "outputs empty",
                                        "fingerprint short"])
def test_an_unreadable_manifest_means_a_full_build_never_a_crash(brief, corruption):
    manifest = brief.parent / "out" / MANIFEST
    build(brief)
    if corruption in CORRUPT:
        manifest.write_text(CORRUPT[corruption], encoding="utf-8")
    else:
        data = json.loads(manifest.read_text(encoding="utf-8"))
        data["entries"] = {key: _wrong(entry, corruption) for key, entry in data["entries"].items()}
        manifest.write_text(json.dumps(data), encoding="utf-8")
    result = build(brief)
    assert result.exit_code == 0, result.output
    assert statuses(result) == {"built"}
    assert statuses(build(brief)) == {"up to date"}  # and the manifest written is a good one


@pytest.mark.parametrize("umask", [0o022, 0o027])
def test_outputs_get_the_permissions_the_umask_gives(brief, umask):
    previous = os.umask(umask)
    try:
        assert build(brief, "--html").exit_code == 0
    finally:
        os.umask(previous)
    out = brief.parent / "out"
    modes = {path.name: oct(path.stat().st_mode & 0o777) for path in out.iterdir()}
    expected = oct(0o666 & ~umask)
    assert modes == {"brief-summary.pdf": expected, "brief-summary.html": expected,
                     MANIFEST: expected, LOCK: expected}



def test_an_input_gone_before_it_is_recorded_records_nothing(brief):
    manifest = Manifest(brief.parent / "out")
    pdf = brief.parent / "made.pdf"
    pdf.write_bytes(b"%PDF")
    manifest.record("key", [brief, brief.parent / "gone.png"], [], [("summary", 1, [pdf])])
    assert manifest.entries == {} and manifest.updates == {}
    manifest.record("key", [brief], [], [("summary", 1, [pdf])])
    assert list(manifest.updates) == ["key"]
