"""--pdf-standard: one standard or several together, each read back from the
file's XMP metadata, checked by pdfua and our checker; combinations that
cannot hold are refused in one line."""

import re

import pikepdf
import pytest

from conftest import MINIMAL_BRIEF, run_cli, write_brief
from pdfcheck import structure_problems
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
                      "combine ua-1 with a-2* or a-3*, ua-2 with a-4"),
    (("ua-2", "a-2a"), "--pdf-standard ua-2 (PDF 2.0) and a-2a (PDF 1.7): the two need different PDF versions; "
                       "combine ua-1 with a-2* or a-3*, ua-2 with a-4"),
    (("a-2a", "a-3a"), "--pdf-standard a-2a and a-3a: a PDF claims one PDF/A part at most"),
    (("ua-1", "ua-2"), "--pdf-standard ua-1 and ua-2: a PDF claims one PDF/UA part at most"),
])
def test_combinations_that_cannot_hold_are_refused_in_one_line(tmp_path, standards, message):
    result, pdf = build_with(tmp_path, *standards)
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [f"Error: {message}"]
    assert not pdf.exists()
