"""--pdf-standard: one standard or several together, each read back from the
file's XMP metadata, checked by pdfua and our checker; combinations that
cannot hold are refused in one line."""

import re
import subprocess
from pathlib import Path

import pikepdf
import pytest

from conftest import MINIMAL_BRIEF, SAMPLE, run_cli, write_brief
from briefgen.render.pdf_check import structure_problems
from test_pdfua import TABLE, pdfua_findings


def build_with(tmp_path, *standards):
    brief = write_brief(tmp_path, MINIMAL_BRIEF + TABLE)
    arguments = [argument for standard in standards for argument in ("--pdf-standard", standard)]
    result = run_cli("build", brief, "-v", "full", "--out", tmp_path / "out", *arguments)
    return result, tmp_path / "out" / "brief-full.pdf"


def claims(pdf):
    with pikepdf.open(pdf) as document:
        metadata = document.open_metadata()
        return ({key: metadata.get(key) for key in ("pdfuaid:part", "pdfuaid:rev", "pdfaid:part",
                                                    "pdfaid:conformance", "pdfaid:rev") if metadata.get(key)},
                str(document.pdf_version))


@pytest.mark.parametrize("standards, expected", [
    (("ua-1", "a-2a"), ({"pdfuaid:part": "1", "pdfaid:part": "2", "pdfaid:conformance": "A"}, "1.7")),
    (("a-3a", "ua-1"), ({"pdfuaid:part": "1", "pdfaid:part": "3", "pdfaid:conformance": "A"}, "1.7")),
    (("ua-2",), ({"pdfuaid:part": "2", "pdfuaid:rev": "2024"}, "2.0")),
    (("a-4",), ({"pdfaid:part": "4", "pdfaid:rev": "2020"}, "2.0")),
    (("ua-2", "a-4"), ({"pdfuaid:part": "2", "pdfuaid:rev": "2024", "pdfaid:part": "4", "pdfaid:rev": "2020"}, "2.0")),
])
def test_standards_alone_and_combined_are_claimed_in_the_metadata(tmp_path, standards, expected):
    result, pdf = build_with(tmp_path, *standards)
    assert result.exit_code == 0, result.output
    assert claims(pdf) == expected
    accessible = any(standard.startswith("ua") for standard in standards)
    assert structure_problems(pdf, pdf_ua=accessible) == []
    findings = pdfua_findings(pdf)
    if accessible:
        assert findings == ""
    else:  # tagged, but claiming no PDF/UA part: that and only that
        assert re.findall(r"\[(?:ERROR|WARN |INFO )\] (\S+)", findings) == ["UA-28-004"]


@pytest.mark.parametrize("standards, message", [
    (("ua-1", "a-4"), "--pdf-standard ua-1 (PDF 1.7) and a-4 (PDF 2.0): the two need different PDF versions; "
                      "combine ua-1 with a-2* or a-3*, ua-2 with a-4; x-4 stands alone"),
    (("ua-2", "a-2a"), "--pdf-standard ua-2 (PDF 2.0) and a-2a (PDF 1.7): the two need different PDF versions; "
                       "combine ua-1 with a-2* or a-3*, ua-2 with a-4; x-4 stands alone"),
    (("a-2a", "a-3a"), "--pdf-standard a-2a and a-3a: a PDF claims one PDF/A part at most"),
    (("ua-1", "ua-2"), "--pdf-standard ua-1 and ua-2: a PDF claims one PDF/UA part at most"),
])
def test_combinations_that_cannot_hold_are_refused_in_one_line(tmp_path, standards, message):
    result, pdf = build_with(tmp_path, *standards)
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [f"Error: {message}"]
    assert not pdf.exists()


# --- PDF/X-4: for print, in the print shop's CMYK ---------------------------

PICTURES = """  - title: Pictures
    content:
      - figure: {image: photo.png, caption: A photograph., alt: A red to blue gradient standing for a photograph.}
      - figure: {image: box.svg, caption: A drawing., alt: A green box with a dark blue outline.}
"""
BOX_SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="120" height="60">'
           '<rect width="120" height="60" fill="#00a651" stroke="#1f3a5f" stroke-width="6"/></svg>')
SWOP = "Artifex CMYK SWOP Profile"
COLOUR_OPERATORS = {"rg", "RG", "k", "K", "g", "G", "sc", "scn", "SC", "SCN"}


def build_for_print(tmp_path, *arguments, css=None):
    from PIL import Image
    brief = write_brief(tmp_path, MINIMAL_BRIEF + TABLE + PICTURES)
    gradient = Image.linear_gradient("L").resize((64, 64))
    Image.merge("RGB", (gradient, Image.new("L", (64, 64), 90), gradient.rotate(180))).save(tmp_path / "photo.png")
    (tmp_path / "box.svg").write_text(BOX_SVG)
    if css:
        (tmp_path / "theme" / "styles").mkdir(parents=True)
        (tmp_path / "theme" / "styles" / "brief.css").write_text(css)
        arguments += ("--theme", tmp_path / "theme")
    result = run_cli("build", brief, "-v", "full", "--out", tmp_path / "out", "--pdf-standard", "x-4", *arguments)
    return result, tmp_path / "out" / "brief-full.pdf"


def colours_painted(document):
    """(operator, colour space) of every colour a content stream sets, images' and shadings' spaces."""
    painted = set()
    streams = [page.obj for page in document.pages] + [
        obj for obj in document.objects if isinstance(obj, pikepdf.Stream)
        and (obj.get("/Subtype") == "/Form" or obj.get("/PatternType") == 1)]
    for stream in streams:
        space = {"cs": "/DeviceGray", "CS": "/DeviceGray"}
        for operands, operator in pikepdf.parse_content_stream(stream):
            name = str(operator)
            if name in ("cs", "CS"):
                space[name] = str(operands[0])
            elif name in COLOUR_OPERATORS:
                painted.add((name, space["cs" if name.islower() else "CS"] if "sc" in name.lower() else "", len(operands)))
    for obj in document.objects:
        if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
            if obj.get("/Subtype") == "/Image":
                painted.add(("image", str(obj.ColorSpace), 0))
            if "/ShadingType" in obj:
                outputs = {len(part.C0) for part in obj.Function.get("/Functions", [obj.Function])}
                painted.add(("shading", str(obj.ColorSpace), *outputs))
            if "/Group" in obj and "/CS" in obj.Group:
                painted.add(("group", str(obj.Group.CS), 0))
    return painted


def test_pdf_x4_has_the_output_intent_and_only_cmyk_colours(tmp_path):
    result, pdf = build_for_print(tmp_path)
    assert result.exit_code == 0, result.output
    profile = Path("/usr/share/color/icc/ghostscript/default_cmyk.icc").read_bytes()
    with pikepdf.open(pdf) as document:
        assert str(document.pdf_version) == "1.6"
        assert document.open_metadata().get("pdfxid:GTS_PDFXVersion") == "PDF/X-4"
        [intent] = document.Root.OutputIntents
        assert (intent.S, str(intent.OutputConditionIdentifier)) == ("/GTS_PDFX", SWOP)
        assert intent.DestOutputProfile.N == 4 and intent.DestOutputProfile.read_bytes() == profile
        assert all("/TrimBox" in page.obj for page in document.pages)
        assert "/StructTreeRoot" in document.Root and str(document.Root.Lang) == "en"
        painted = colours_painted(document)
    assert ("image", "/DeviceCMYK", 0) in painted            # the photograph, converted
    assert ("k", "", 4) in painted and ("K", "", 4) in painted   # text and the SVG's fill and stroke
    allowed_spaces = {"/DeviceCMYK", "/DeviceGray", "/Pattern", ""}
    assert {entry for entry in painted if entry[1] not in allowed_spaces or entry[0] in ("rg", "RG")} == set()
    assert {entry for entry in painted if entry[0] == "shading" and entry[2] != 4} == set()
    # Converting rewrote every content stream: the marked content and the tags are intact.
    assert structure_problems(pdf, pdf_ua=False) == []
    assert re.findall(r"\[(?:ERROR|WARN |INFO )\] (\S+)", pdfua_findings(pdf)) == ["UA-28-004"]  # claims no UA part


def test_pdf_x4_pages_look_as_the_screen_edition_does(tmp_path):
    """The conversion changes colours' numbers, not what is drawn: page 1 of
    the print and the screen edition differ only by small colour shifts."""
    from PIL import Image, ImageChops, ImageStat
    result, printed = build_for_print(tmp_path)
    screen = run_cli("build", tmp_path / "brief.yaml", "-v", "full", "--out", tmp_path / "screen")
    assert result.exit_code == screen.exit_code == 0
    pages = []
    for pdf in (printed, tmp_path / "screen" / "brief-full.pdf"):
        subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(pdf), str(pdf.with_suffix(""))], check=True)
        pages.append(Image.open(next(pdf.parent.glob("brief-full-*1.png"))).convert("RGB"))
    difference = ImageStat.Stat(ImageChops.difference(*pages)).mean
    assert max(difference) < 6, difference


def test_a_brand_colour_that_cmyk_cannot_print_is_reported_once_with_what_it_becomes(tmp_path):
    css = ":root { --color-accent: #0055ff; }\n"
    result, pdf = build_for_print(tmp_path, css=css)
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.output.splitlines() if "PDF/X-4" in line]
    assert len(warnings) == 1, result.output
    assert f"changes visibly in CMYK ({SWOP}): " in warnings[0]
    assert "#0055ff (--color-accent) prints as #4260ac (ΔE 10)" in warnings[0]
    assert "1 colour changes visibly" in warnings[0]


def test_the_sample_palette_prints_as_it_looks(tmp_path):
    result = run_cli("build", SAMPLE, "-v", "full", "--out", tmp_path, "--pdf-standard", "x-4")
    assert result.exit_code == 0, result.output
    assert "warning" not in result.output
    with pikepdf.open(tmp_path / "north-korea-trafficking-full.pdf") as document:
        painted = colours_painted(document)
    shadings = {entry for entry in painted if entry[0] == "shading"}
    # the cover's gradient, its stops converted (and its transparency, in grey)
    assert shadings == {("shading", "/DeviceCMYK", 4), ("shading", "/DeviceGray", 1)}
    assert {entry for entry in painted if entry[0] in ("rg", "RG")} == set()


def test_the_print_shops_profile_is_embedded_and_an_edited_profile_rebuilds(tmp_path):
    profile = tmp_path / "press.icc"
    data = bytearray(Path("/usr/share/color/icc/ghostscript/default_cmyk.icc").read_bytes())
    profile.write_bytes(data)
    result, pdf = build_for_print(tmp_path, "--cmyk-profile", profile)
    assert result.exit_code == 0, result.output
    again, _ = build_for_print(tmp_path, "--cmyk-profile", profile)
    assert "up to date" in again.output
    data[44] ^= 1        # the header's flags: still a valid profile, other bytes
    profile.write_bytes(data)
    edited, _ = build_for_print(tmp_path, "--cmyk-profile", profile)
    assert "1 built" in edited.output
    with pikepdf.open(pdf) as document:
        assert document.Root.OutputIntents[0].DestOutputProfile.read_bytes() == bytes(data)


@pytest.mark.parametrize("profile, message", [
    ("missing.icc", "missing.icc:1: cmyk-profile: PDF/X-4 needs a CMYK ICC profile: no such file"),
    ("rgb.icc", "rgb.icc:1: cmyk-profile: a RGB profile: PDF/X-4 for print needs a CMYK output profile"),
    ("brief.yaml", "brief.yaml:1: cmyk-profile: not an ICC profile"),
])
def test_a_profile_that_is_not_a_cmyk_profile_is_refused_in_one_line(tmp_path, monkeypatch, profile, message):
    from PIL import ImageCms
    monkeypatch.chdir(tmp_path)
    (tmp_path / "rgb.icc").write_bytes(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    result, pdf = build_for_print(tmp_path, "--cmyk-profile", profile)
    assert result.exit_code == 2
    [line] = result.output.strip().splitlines()
    assert line.startswith(f"Error: {message}")
    assert not pdf.exists()


def test_a_cmyk_profile_without_pdf_x_is_refused(tmp_path):
    brief = write_brief(tmp_path, MINIMAL_BRIEF)
    result = run_cli("build", brief, "--cmyk-profile", "/usr/share/color/icc/ghostscript/default_cmyk.icc",
                     "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert result.output.strip() == "Error: --cmyk-profile: only PDF/X-4 converts to CMYK; add --pdf-standard x-4"


@pytest.mark.parametrize("other", ["ua-1", "a-2b", "ua-2"])
def test_pdf_x4_stands_alone(tmp_path, other):
    result, pdf = build_with(tmp_path, "x-4", other)
    assert result.exit_code == 2
    [line] = result.output.strip().splitlines()
    assert "the two need different PDF versions" in line and line.endswith("x-4 stands alone")
