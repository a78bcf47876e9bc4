"""The README's screenshots of the web edition, at a phone's width and a
desktop's, taken by Debian's chromium through Playwright:

    .venv/bin/python tests/web_previews.py

builds the sample's PDFs and web edition into out/ and writes
docs/images/web-phone.png and web-desktop.png (and the Cedar Bay and
Arabic pages at a phone's width), in 64 colours to keep them small."""

import sys
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conftest import ROOT, run_cli  # noqa: E402
from webcheck import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

PREVIEWS = ROOT / "docs" / "images"
SHOTS = [   # file name, brief, theme, (width, height), where to scroll to
    ("web-phone.png", "north-korea-trafficking.yaml", None, (375, 760), None),
    ("web-desktop.png", "north-korea-trafficking.yaml", None, (1280, 800), None),
    ("web-desktop-section.png", "north-korea-trafficking.yaml", None, (1280, 800), "#tbl-forms"),
    ("web-cedarbay-phone.png", "north-korea-trafficking.yaml", "cedarbay", (375, 760), None),
    ("web-arabic-phone.png", "north-korea-trafficking.ar.yaml", None, (375, 760), None),
]


def main():
    out = ROOT / "out"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        for name, brief, theme, (width, height), anchor in SHOTS:
            folder = out / theme if theme else out
            for output_format in ("pdf", "web"):
                result = run_cli("build", ROOT / "briefs" / brief, "--format", output_format, "--out", folder,
                                 *(("--theme", theme) if theme else ()))
                if result.exit_code:
                    sys.exit(result.output)
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto((folder / Path(brief).stem / "index.html").as_uri() + (anchor or ""))
            page.evaluate("document.fonts.ready")
            page.screenshot(path=PREVIEWS / name)
            page.close()
            Image.open(PREVIEWS / name).convert("RGB").quantize(64).save(PREVIEWS / name, optimize=True)
            print(f"{PREVIEWS / name}: {(PREVIEWS / name).stat().st_size // 1000} KB")
        browser.close()


if __name__ == "__main__":
    main()
