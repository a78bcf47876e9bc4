"""The translators' round trip (`brief translate export | import | status`):
exchange files read back with translate-toolkit, polib and gettext's msgfmt,
the French edition built from a translated XLIFF and read back from its PDF,
placeholders a translator broke, and units made stale by an edit of the English."""

import copy
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from lxml import etree
from pypdf import PdfReader

from conftest import ROOT, run_cli

BIN = Path(sys.executable).parent
XLIFF = "urn:oasis:names:tc:xliff:document:2.0"
NS = {"x": XLIFF}
SCHEMA = ROOT / "tests" / "xliff" / "xliff_core_2.0.xsd"   # OASIS's, see tests/xliff/README.md
BRIEF = Path("briefs/north-korea-trafficking.yaml")
KOREAN = Path("briefs/north-korea-trafficking.ko.yaml")
UNITS = 167   # the sample's translation units
FRENCH_TITLE = "Le troisième rang, à dessein : la désignation de la Corée du Nord pour la traite des êtres humains"


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A copy of the checkout's briefs/, as the working folder (messages name briefs/...)."""
    shutil.copytree(ROOT / "briefs", tmp_path / "briefs")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def units_of(xliff_file):
    return etree.parse(str(xliff_file)).getroot().iterfind(".//x:unit", NS)


def translated_copy(xliff_file, change=None):
    """Fill every unit's target with its source (markup and all), as a CAT tool's
    'copy source to target' does, then let change(unit id, target) edit some."""
    tree = etree.parse(str(xliff_file))
    for unit in tree.getroot().iterfind(".//x:unit", NS):
        segment = unit.find("x:segment", NS)
        for old in segment.findall("x:target", NS):
            segment.remove(old)
        target = copy.deepcopy(segment.find("x:source", NS))
        target.tag = f"{{{XLIFF}}}target"
        segment.append(target)
        segment.set("state", "translated")
        if change:
            change(unit.get("id"), target)
    tree.write(str(xliff_file), xml_declaration=True, encoding="UTF-8")


def line_of_unit(xliff_file, unit_id):
    lines = Path(xliff_file).read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if f'<unit id="{unit_id}"' in line)


def test_export_then_import_without_changes_gives_the_same_edition(project):
    before = KOREAN.read_bytes()
    for extension, form in (("xlf", []), ("po", ["--po"])):
        exported = run_cli("translate", "export", BRIEF, "--to", "ko", "--all", *form)
        assert exported.exit_code == 0, exported.output
        assert exported.stdout == f"wrote briefs/north-korea-trafficking.ko.{extension}: {UNITS} units\n"
        imported = run_cli("translate", "import", f"briefs/north-korea-trafficking.ko.{extension}")
        assert imported.exit_code == 0, imported.output
        assert imported.stdout == f"unchanged: {KOREAN} ({UNITS} translated units in the file)\n"
        assert KOREAN.read_bytes() == before
    # An edition without its records gets them back, byte for byte, its own text untouched.
    text = before.decode("utf-8")
    KOREAN.write_text(text[:text.index("\n# Written by `brief translate import`")] + "\n", encoding="utf-8")
    assert run_cli("translate", "import", "briefs/north-korea-trafficking.ko.xlf").exit_code == 0
    assert KOREAN.read_bytes() == before


def test_only_new_and_changed_units_are_offered(project):
    exported = run_cli("translate", "export", BRIEF, "--to", "ko")
    assert exported.stdout == "wrote briefs/north-korea-trafficking.ko.xlf: 0 units to translate\n"
    assert list(units_of("briefs/north-korea-trafficking.ko.xlf")) == []


def test_a_translated_xliff_builds_the_french_edition_with_french_labels(project):
    assert run_cli("translate", "export", BRIEF, "--to", "fr").exit_code == 0
    xliff = Path("briefs/north-korea-trafficking.fr.xlf")

    def french(unit_id, target):
        if unit_id == "title":
            target.text = FRENCH_TITLE

    translated_copy(xliff, french)
    imported = run_cli("translate", "import", xliff)
    assert imported.exit_code == 0, imported.output
    assert imported.stdout == f"wrote briefs/north-korea-trafficking.fr.yaml ({UNITS} translated units in the file)\n"
    status = run_cli("translate", "status", "briefs/north-korea-trafficking.fr.yaml")
    assert status.stdout == (f"briefs/north-korea-trafficking.fr.yaml: fr: {UNITS} units: {UNITS} (100%) translated, "
                             "0 (0%) stale, 0 (0%) missing\n")
    built = run_cli("build", "briefs/north-korea-trafficking.fr.yaml", "--variant", "summary", "--out", "out")
    assert built.exit_code == 0, built.output
    assert "warning" not in built.stderr
    text = " ".join(PdfReader("out/north-korea-trafficking.fr-summary.pdf").pages[0].extract_text().split())
    assert FRENCH_TITLE in text
    letters = text.replace(" ", "").lower()   # headings are set in spaced capitals
    assert "pointsclés" in letters and "keypoints" not in letters      # the labels of the French catalogue
    assert "Lire la note complète" in text and "Read the full brief" not in text
    checked = subprocess.run([str(BIN / "pdfua"), "check", "out/north-korea-trafficking.fr-summary.pdf"],
                             capture_output=True, text=True, timeout=120)   # the outside PDF/UA checker
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_a_broken_placeholder_is_refused_naming_the_unit(project):
    assert run_cli("translate", "export", BRIEF, "--to", "fr").exit_code == 0
    xliff = Path("briefs/north-korea-trafficking.fr.xlf")

    def break_some(unit_id, target):
        if unit_id == "summary.p1":            # the citation [@tip-report] left out
            citation = target.find("x:ph", NS)
            citation.getparent().remove(citation)
        if unit_id == "key_points.0":          # the bold **Tier 3** given twice
            target.append(copy.deepcopy(target.find("x:pc", NS)))

    translated_copy(xliff, break_some)
    result = run_cli("translate", "import", xliff)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{xliff}:{line_of_unit(xliff, 'summary.p1')}: summary.p1: placeholder 2 (a citation [@tip-report]) "
        "is missing from the translation",
        f"{xliff}:{line_of_unit(xliff, 'key_points.0')}: key_points.0: placeholder 1 (bold **…**) is there twice; "
        "keep it once",
    ]
    assert not Path("briefs/north-korea-trafficking.fr.yaml").exists()


def test_a_broken_placeholder_in_a_po_file_is_refused_naming_the_unit(project):
    assert run_cli("translate", "export", BRIEF, "--to", "fr", "--po").exit_code == 0
    po_file = Path("briefs/north-korea-trafficking.fr.po")
    po = polib.pofile(str(po_file))
    for entry in po:
        entry.msgstr = entry.msgid
    broken = po.find("key_points.0", by="msgctxt")
    broken.msgstr = broken.msgid.replace("</1>", "")
    po.save()
    line = polib.pofile(str(po_file)).find("key_points.0", by="msgctxt").linenum
    result = run_cli("translate", "import", po_file)
    assert result.exit_code == 1
    assert result.stderr == f"{po_file}:{line}: key_points.0: <1> is never closed (</1>)\n"
    assert not Path("briefs/north-korea-trafficking.fr.yaml").exists()


def test_editing_one_english_paragraph_makes_exactly_that_unit_stale(project):
    english = BRIEF.read_text(encoding="utf-8")
    edited = english.replace("The alignment has practical consequences.", "The alignment has real consequences.")
    # Re-wrapping a paragraph changes no word of it: its translation stays current.
    edited = edited.replace("The limits on recourse deserve emphasis. A worker",
                            "The limits on recourse deserve emphasis.\n        A worker")
    assert edited.count("real consequences") == 1 and edited != english
    BRIEF.write_text(edited, encoding="utf-8")
    status = run_cli("translate", "status", KOREAN)
    assert status.stdout.splitlines() == [
        f"{KOREAN}: ko: {UNITS} units: {UNITS - 1} (99%) translated, 1 (0%) stale, 0 (0%) missing",
        "  stale    sections.2.content.3  The alignment has real consequences. Host governments that …",
    ]
    checked = run_cli("check", KOREAN)
    assert checked.exit_code == 0
    line = next(number for number, text in enumerate(KOREAN.read_text(encoding="utf-8").splitlines(), 1)
                if text == "translation:")
    assert checked.stderr == (
        f"warning: {KOREAN}:{line}: translation: 99% translated ({UNITS - 1} of {UNITS} units; 1 stale (the "
        f"original changed since they were translated)); `brief translate status {KOREAN}` lists them\n")
    exported = run_cli("translate", "export", BRIEF, "--to", "ko")
    assert exported.stdout == "wrote briefs/north-korea-trafficking.ko.xlf: 1 unit to translate\n"
    [unit] = units_of("briefs/north-korea-trafficking.ko.xlf")
    assert unit.get("id") == "sections.2.content.3"
    segment = unit.find("x:segment", NS)
    assert segment.get("state") == "initial"    # the old translation, offered for revision, not taken as it is
    assert "".join(segment.find("x:target", NS).itertext()).startswith("이러한 일치는")


def test_the_xliff_is_valid_xliff_2_and_read_by_translate_toolkit(project):
    from translate.storage.xliff2 import Xliff2File
    assert run_cli("translate", "export", BRIEF, "--to", "fr").exit_code == 0
    xliff = Path("briefs/north-korea-trafficking.fr.xlf")
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    document = etree.parse(str(xliff))
    assert schema.validate(document), schema.error_log
    store = Xliff2File.parsefile(str(xliff))
    assert (store.getsourcelanguage(), store.gettargetlanguage()) == ("en-GB", "fr")
    units = {unit.getid(): unit for unit in store.units}
    assert len(units) == UNITS
    summary = units["summary.p1"]
    assert summary.source.startswith("Washington and several international monitoring bodies")
    assert "@tip-report" not in summary.source           # the citation is a placeholder, not text
    # The notes sit on the unit, where XLIFF 2 puts them (translate-toolkit 3.20's getnotes() reads
    # a segment's only, so the schema, not the toolkit, checks them).
    [note] = document.getroot().iterfind(".//x:unit[@id='variants.summary.summary']/x:notes/x:note", NS)
    assert note.text.startswith("variants.summary.summary; shown in the one-page summary (exactly 1 page); ")
    assert "characters in English" in note.text
    assert not any(unit_id.endswith((".id", ".url", ".email", ".csv")) for unit_id in units)   # not offered
    [citation] = document.getroot().iterfind(".//x:unit[@id='summary.p1']//x:source/x:ph", NS)
    data = document.getroot().find(f".//x:unit[@id='summary.p1']//x:data[@id='{citation.get('dataRef')}']", NS)
    assert (citation.get("canDelete"), data.text) == ("no", "[@tip-report]")


def test_the_po_file_is_read_by_polib_msgfmt_and_translate_toolkit(project, tmp_path):
    assert run_cli("translate", "export", BRIEF, "--to", "fr", "--po").exit_code == 0
    po_file = Path("briefs/north-korea-trafficking.fr.po")
    po = polib.pofile(str(po_file))
    assert len(po) == UNITS and po.metadata["Language"] == "fr"
    entry = po.find("summary.p1", by="msgctxt")
    assert "<1>Trafficking in Persons Report</1>" in entry.msgid and "<2/>" in entry.msgid
    assert "<2/> a citation [@tip-report]" in entry.comment
    if shutil.which("msgfmt"):
        checked = subprocess.run(["msgfmt", "-c", "-o", "/dev/null", str(po_file)], capture_output=True, text=True)
        assert checked.returncode == 0, checked.stderr
    # translate-toolkit's converters: PO -> XLIFF 1.2 -> PO gives back every unit's English
    # (without msgctxt, which po2xliff drops: the unit ids, and repeated texts, do not survive XLIFF 1.2).
    xliff12, back = tmp_path / "fr-1.2.xlf", tmp_path / "back.po"
    for tool, source, target in (("po2xliff", po_file, xliff12), ("xliff2po", xliff12, back)):
        done = subprocess.run([str(BIN / tool), str(source), str(target)], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    returned = polib.pofile(str(back))
    assert {entry.msgid for entry in returned if entry.msgid} == {entry.msgid for entry in po}   # repeats merged
    counted = subprocess.run([str(BIN / "pocount"), str(po_file)], capture_output=True, text=True)
    assert counted.returncode == 0 and f"Untranslated:  {UNITS}" in " ".join(counted.stdout.split("  ")), \
        counted.stdout


def test_the_shipped_editions_are_complete(project):
    status = run_cli("translate", "status", BRIEF, "--short")
    assert status.stdout.splitlines() == [
        f"briefs/north-korea-trafficking.{language}.yaml: {language}: {UNITS} units: {UNITS} (100%) translated, "
        "0 (0%) stale, 0 (0%) missing" for language in ("ar", "ko")]


def test_a_build_of_an_edition_whose_original_changed_says_so_once(project):
    first = run_cli("build", KOREAN, "--variant", "summary", "--out", "out")
    assert first.exit_code == 0 and "warning" not in first.stderr, first.output
    english = BRIEF.read_text(encoding="utf-8")
    BRIEF.write_text(english.replace("policy rests on indirect evidence", "policy relies on indirect evidence"),
                     encoding="utf-8")
    again = run_cli("build", KOREAN, "--variant", "summary", "--out", "out")   # the original is one of its inputs
    assert again.exit_code == 0, again.output
    assert "1 built, 0 up to date" in again.stdout
    [warning] = [line for line in again.stderr.splitlines() if line.startswith("warning:")]
    assert warning.endswith(f"translation: 99% translated ({UNITS - 1} of {UNITS} units; 1 stale (the original "
                            f"changed since they were translated)); `brief translate status {KOREAN}` lists them")


def test_every_text_of_the_sample_and_its_editions_parses_back_to_itself():
    """The placeholders' parser loses nothing: markdown -> codes -> markdown is the identity."""
    from briefgen.brief.markup import parse, to_markdown
    from briefgen.brief.units import pieces, source_units, value_at
    from briefgen.inputs.load import load_brief
    english = load_brief(ROOT / BRIEF).data
    for brief in (ROOT / BRIEF, ROOT / KOREAN, ROOT / "briefs" / "north-korea-trafficking.ar.yaml"):
        data = load_brief(brief).data
        for unit in source_units(english, ROOT / "briefs"):
            value = value_at(data, unit.path)
            for piece in pieces(value) if isinstance(value, str) else []:
                assert to_markdown(parse(piece.text)) == piece.text
