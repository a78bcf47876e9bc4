import atexit
import os
import re
import shutil
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

# The tests' own cache of what runs reuse (briefgen/util/cache.py), empty at the start
# of every test run, and never the user's; child processes inherit it.
os.environ["BRIEF_CACHE_DIR"] = tempfile.mkdtemp(prefix="brief-test-cache-")
atexit.register(shutil.rmtree, os.environ["BRIEF_CACHE_DIR"], True)
# What the builds of this process and its children leave in the temporary folder
# (WeasyPrint's copies of @font-face fonts: util/scratch.py) goes with the run.
tempfile.tempdir = os.environ["TMPDIR"] = tempfile.mkdtemp(prefix="brief-test-tmp-")
atexit.register(shutil.rmtree, tempfile.tempdir, True)

import generate  # noqa: E402
from briefgen.build import document as build  # noqa: E402
from briefgen.build.document import check_brief, output_path  # noqa: E402,F401 (for the tests)
from briefgen.inputs.load import load_brief  # noqa: E402,F401
from briefgen.problems import BriefError  # noqa: E402,F401
from briefgen.brief.validate import validate_brief  # noqa: E402,F401

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "briefs" / "north-korea-trafficking.yaml"

# A section with one figure, to add to MINIMAL_BRIEF: FIGURE.format(image=...)
FIGURE = """  - title: Figures
    content:
      - figure:
          image: {image}
          caption: A picture.
          alt: Something to see.
"""

MINIMAL_BRIEF = """\
title: A minimal brief
date: 2025-11-15
summary: The summary.
key_points: [The only point.]
sections:
  - title: Background
    content: [Some text.]
"""


@pytest.fixture(scope="session")
def sample_full(tmp_path_factory):
    """The sample brief's full PDF, built once for the session."""
    out = tmp_path_factory.mktemp("sample")
    [output] = build_brief(SAMPLE, ["full"], out_dir=out, keep_html=True)
    return output


@pytest.fixture(scope="session")
def sample_reader(sample_full):
    return PdfReader(sample_full.path)


@pytest.fixture
def in_root(monkeypatch):
    """Run from the repository root, so messages name files as tests/... ."""
    monkeypatch.chdir(ROOT)
    return ROOT


def build_brief(brief, variants=(), **options):
    """Build a brief's variants in this process, as a worker does."""
    return build.build_brief(brief, build.Options(tuple(variants), **options))


def run_cli(*args):
    return CliRunner().invoke(generate.cli, [str(a) for a in args], prog_name="brief")


def page_texts(reader):
    return [page.extract_text() for page in reader.pages]


def flat(text):
    """Words only, lower case, with hyphenation at line ends undone: for
    finding a phrase of the brief in text extracted from the PDF."""
    text = re.sub(r"(\w)[-\u2010]\n(\w)", r"\1\2", text)
    return re.sub(r"[\W_]+", " ", text).lower().strip()


def destination_pages(reader):
    """Named destination (an HTML id) -> 1-based page number."""
    return {name: reader.get_destination_page_number(dest) + 1
            for name, dest in reader.named_destinations.items()}


def internal_links(reader):
    """(page number, target id) of every internal link, in page order."""
    links = []
    for number, page in enumerate(reader.pages, 1):
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            target = annotation.get("/Dest") or (annotation.get("/A") or {}).get("/D")
            if target is not None and not isinstance(target, list):
                links.append((number, str(target)))
    return links


def write_brief(folder, text=MINIMAL_BRIEF, name="brief.yaml"):
    path = Path(folder) / name
    path.write_text(text, encoding="utf-8")
    return path
