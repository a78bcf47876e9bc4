"""Visual regression: every page of every variant of the sample in both
built-in themes, and of the features brief (status, appendices, cover picture,
wide table) in both themes and on A5 paper, rendered at a low resolution and
compared with the reference images committed in tests/visual/. A change to a
template or a stylesheet that moves a layout fails here, and the review sees
the pages that changed.

After a change that is meant to change the look, update the references and
commit them with the change:

    BRIEF_UPDATE_VISUALS=1 .venv/bin/python -m pytest tests/test_visual.py

A failing comparison writes the new page and a difference image beside the
test's output (the paths are in the message)."""

import os
import shutil

import pypdfium2
import pytest
from PIL import Image, ImageChops

from conftest import ROOT, SAMPLE, build_brief

REFERENCES = ROOT / "tests" / "visual"
FEATURES = ROOT / "tests" / "features" / "features.yaml"
DPI = 30                 # small images, quick to render and compare, yet a moved line shows
CHANGED = 48             # a pixel counts as changed when a channel differs by more than this (0-255)
TOLERANCE = 0.002        # the share of a page's pixels that may change (anti-aliasing, nothing more)
UPDATE = os.environ.get("BRIEF_UPDATE_VISUALS") == "1"

CASES = {   # name: (brief, theme)
    "sample-default": (SAMPLE, "default"),
    "sample-cedarbay": (SAMPLE, "cedarbay"),
    "features-default": (FEATURES, "default"),
    "features-cedarbay": (FEATURES, "cedarbay"),
    "features-a5": (FEATURES, str(ROOT / "tests" / "themes" / "a5")),
}


def page_images(pdf):
    document = pypdfium2.PdfDocument(str(pdf))
    try:
        return [document[index].render(scale=DPI / 72).to_pil().convert("RGB") for index in range(len(document))]
    finally:
        document.close()


def changed_share(reference, page):
    """The share of pixels that differ by more than CHANGED in any channel."""
    if reference.size != page.size:
        return 1.0
    difference = ImageChops.difference(reference, page).convert("L").point(lambda value: 255 if value > CHANGED else 0)
    return difference.histogram()[255] / (page.width * page.height)


@pytest.mark.parametrize("case", CASES)
def test_pages_look_as_the_references(case, tmp_path):
    brief, theme = CASES[case]
    outputs = build_brief(brief, theme=theme, out_dir=tmp_path)
    folder = REFERENCES / case
    if UPDATE:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    changed = []
    for output in outputs:
        pages = page_images(output.path)
        expected = sorted(folder.glob(f"{output.variant}-*.png"))
        if UPDATE:
            for number, page in enumerate(pages, 1):
                # 64 colours: a third of the bytes, and far inside the tolerance
                page.quantize(64, method=Image.Quantize.MEDIANCUT).save(
                    folder / f"{output.variant}-{number:02}.png", optimize=True)
            continue
        assert len(expected) == len(pages), (f"{case} {output.variant}: {len(pages)} pages, the references have "
                                             f"{len(expected)}; if that is meant, update them (tests/test_visual.py)")
        for reference_file, page in zip(expected, pages):
            with Image.open(reference_file) as reference:
                share = changed_share(reference.convert("RGB"), page)
                if share > TOLERANCE:
                    new = tmp_path / f"new-{reference_file.name}"
                    page.save(new)
                    ImageChops.difference(reference.convert("RGB"), page).save(tmp_path / f"diff-{reference_file.name}")
                    changed.append(f"{reference_file.relative_to(ROOT)}: {share:.1%} of the page changed (now: {new})")
    assert not changed, "pages look different; if that is meant, update the references " \
                        "(BRIEF_UPDATE_VISUALS=1, see tests/test_visual.py):\n" + "\n".join(changed)
