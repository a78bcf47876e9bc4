"""Web fonts (`source: google`, `source: bunny`): `brief fonts fetch` downloads
them from a fake font API on 127.0.0.1 into the theme's fonts/ folder, and
builds use them offline. The fake API answers as the real ones do: Google's
CSS2 API with whole TrueType files for a client that is not a browser, Bunny's
CSS API with WOFF2 subsets split by unicode-range, and 400 for a face the
family does not have. The faces it serves are real fonts (the cedarbay
theme's Lato and Caladea) under the brand's family names."""

import hashlib
import io
import json
import re
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit

import pytest
from fontTools import subset
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from conftest import MINIMAL_BRIEF, ROOT, run_cli, write_brief

FONTS = ROOT / "styles" / "cedarbay" / "fonts"
POSIT = Path(__file__).parent / "brands" / "posit"
FEATURES = ROOT / "tests" / "features" / "features.yaml"
SERVED = {  # family -> (weight, style) -> the real file served for it
    "Open Sans": {(400, "normal"): "Lato-Regular.ttf", (400, "italic"): "Lato-Italic.ttf",
                  (700, "normal"): "Lato-Bold.ttf", (900, "normal"): "Lato-Black.ttf"},
    "Source Code Pro": {(400, "normal"): "Caladea-Regular.ttf", (700, "normal"): "Caladea-Bold.ttf"},
}
SUBSETS = {"latin": "U+0000-00FF", "latin-ext": "U+0100-024F,U+2000-206F,U+20AC"}
BROWSER = ("Mozilla", "Chrome", "Safari")


def face_of(family, weight, italic):
    return SERVED.get(family, {}).get((int(weight), "italic" if italic else "normal"))


def served_font(family, file):
    """The real font renamed to the family it is served as (as the service's
    own files name their family); its PostScript name stays, for the PDF."""
    font = TTFont(FONTS / file, recalcTimestamp=False)   # the same bytes on every request
    for record in font["name"].names:
        if record.nameID in (1, 16):
            record.string = family
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue()


def woff2_subset(data, unicodes):
    font = TTFont(io.BytesIO(data))
    options = subset.Options()
    options.flavor, options.layout_features, options.name_IDs = "woff2", ["*"], ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=subset.parse_unicodes(unicodes))
    subsetter.subset(font)
    font.flavor = "woff2"
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue()


class FontAPI(BaseHTTPRequestHandler):
    requests = []

    def do_GET(self):
        FontAPI.requests.append((self.path, self.headers.get("User-Agent", "")))
        url = urlsplit(self.path)
        if url.path.startswith("/files/"):
            family, name, *part = unquote(url.path).removeprefix("/files/").split("/")
            data = served_font(family, name) if not part else woff2_subset(served_font(family, name), SUBSETS[part[0]])
            return self.send(200, data, "font/ttf" if not part else "font/woff2")
        query = parse_qs(url.query).get("family", [""])[0]
        if url.path == "/css2":      # Google: Open Sans:ital,wght@1,700
            family, _, axes = query.partition(":ital,wght@")
            italic, _, weight = axes.partition(",")
            file, italic = face_of(family, weight, italic == "1"), italic == "1"
        elif url.path == "/css":     # Bunny: open-sans:700i
            slug, _, face = query.partition(":")
            family = next((name for name in SERVED if name.lower().replace(" ", "-") == slug), "")
            italic, weight = face.endswith("i"), face.rstrip("i")
            file = face_of(family, weight, italic)
        else:
            return self.send(404, b"not found", "text/plain")
        if file is None:
            return self.send(400, b"The requested font families are not available.", "text/plain")
        browser = any(word in self.headers.get("User-Agent", "") for word in BROWSER)
        split = url.path == "/css" or browser
        rules = [(f"/files/{quote(family)}/{file}/{part}", "woff2", ranges) for part, ranges in SUBSETS.items()] \
            if split else [(f"/files/{quote(family)}/{file}", "truetype", None)]
        css = "".join(f"/* {part} */\n@font-face {{\n  font-family: '{family}';\n  font-style: "
                      f"{'italic' if italic else 'normal'};\n  font-weight: {weight};\n  font-display: swap;\n"
                      f"  src: url(http://127.0.0.1:{self.server.server_port}{path}) format('{kind}');\n"
                      + (f"  unicode-range: {ranges};\n" if ranges else "") + "}\n"
                      for path, kind, ranges in rules for part in [path.rsplit("/", 1)[-1]])
        self.send(200, css.encode(), "text/css")

    def send(self, status, data, kind):
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def font_api(monkeypatch):
    """The fake API's address, set for both services; its request log."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), FontAPI)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FontAPI.requests = []
    address = f"http://127.0.0.1:{server.server_port}"
    monkeypatch.setenv("BRIEF_GOOGLE_FONTS_URL", address)
    monkeypatch.setenv("BRIEF_BUNNY_FONTS_URL", address)
    yield FontAPI.requests
    server.shutdown()
    server.server_close()


def embedded_fonts(pdf):
    """PostScript names inside the embedded font programs: which file drew the text
    (the PDF's /BaseFont is made from the family's name, the same for any file)."""
    names = set()
    for page in PdfReader(pdf).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = (font.get("/FontDescriptor") or font["/DescendantFonts"][0].get_object()["/FontDescriptor"])
            program = descriptor.get_object()["/FontFile2"].get_object().get_data()
            names.add(TTFont(io.BytesIO(program))["name"].getDebugName(6))
    return names


GOOGLE_BRAND = """\
typography:
  fonts:
    - family: Open Sans
      source: google
      weight: [regular, bold]
  base: Open Sans
  headings: Open Sans
"""


def google_theme(folder):
    (folder / "theme" / "styles").mkdir(parents=True)
    (folder / "theme" / "styles" / "_brand.yml").write_text(GOOGLE_BRAND, encoding="utf-8")
    return folder / "theme"


def test_a_google_font_is_fetched_whole_and_builds_offline(tmp_path, font_api, monkeypatch):
    theme = google_theme(tmp_path)
    result = run_cli("fonts", "fetch", theme)
    assert result.exit_code == 0, result.output
    fonts = theme / "styles" / "fonts"
    record = json.loads((fonts / "web-fonts.json").read_text(encoding="utf-8"))["fonts"]
    assert [(face["weight"], face["style"]) for face in record[0]["files"]] == [(400, "normal"), (400, "italic"),
                                                                             (700, "normal")]
    assert record[0]["missing"] == [[700, "italic"]]   # the family has no bold italic: skipped, and said
    assert "Open Sans: not offered by google: 700 italic" in result.output
    for face in record[0]["files"]:   # the whole file, as the service sent it, and its hash
        data = (fonts / face["path"]).read_bytes()
        assert data == served_font("Open Sans", SERVED["Open Sans"][(face["weight"], face["style"])])
        assert face["sha256"] == hashlib.sha256(data).hexdigest()
    assert all(path.startswith("/css2?family=Open%20Sans:ital,wght@") and not any(b in agent for b in BROWSER)
               for path, agent in font_api if not path.startswith("/files/"))

    font_api.clear()
    monkeypatch.setenv("BRIEF_GOOGLE_FONTS_URL", "http://127.0.0.1:9")   # nothing listens there
    brief = write_brief(tmp_path, MINIMAL_BRIEF)
    for out in (tmp_path / "out", tmp_path / "again"):
        built = run_cli("build", brief, "--theme", theme, "-v", "full", "--format", "pdf", "--format", "web",
                        "--out", out)
        assert built.exit_code == 0, built.output
        assert embedded_fonts(out / "brief-full.pdf") == {"Lato-Regular", "Lato-Bold"}
    assert font_api == []   # builds never reach the network
    # The web edition's fonts are the theme's: the fetched files, not the default theme's.
    assets = sorted(file.name.split(".")[0] for file in (tmp_path / "out" / "brief" / "assets").glob("*.ttf"))
    assert assets == ["open-sans-400-italic", "open-sans-400-normal", "open-sans-700-normal"]


def test_a_build_with_a_web_font_not_fetched_stops_in_one_line_naming_the_command(tmp_path):
    theme = google_theme(tmp_path)
    brief = write_brief(tmp_path, MINIMAL_BRIEF)
    result = run_cli("build", brief, "--theme", theme, "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        f"{theme / 'styles' / '_brand.yml'}:3: typography.fonts[0]: font 'Open Sans' (source: google): "
        f"not fetched yet: run 'brief fonts fetch {theme}' (builds never reach the network)"]
    assert not (tmp_path / "out").exists()


def test_a_fetched_file_that_changed_is_refused_by_its_hash(tmp_path, font_api):
    theme = google_theme(tmp_path)
    assert run_cli("fonts", "fetch", theme).exit_code == 0
    shutil.copy(FONTS / "Caladea-Regular.ttf", theme / "styles" / "fonts" / "open-sans-400-normal.ttf")
    result = run_cli("build", write_brief(tmp_path, MINIMAL_BRIEF), "--theme", theme, "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        f"{theme / 'styles' / '_brand.yml'}:3: typography.fonts[0]: font 'Open Sans' (source: google): "
        "fonts/open-sans-400-normal.ttf is not the file fetched (its SHA-256 differs from the record's): "
        f"run 'brief fonts fetch {theme}' (builds never reach the network)"]


def test_the_real_brand_file_builds_as_published_with_its_bunny_fonts_fetched(tmp_path, font_api):
    theme = tmp_path / "posit"
    shutil.copytree(POSIT, theme)
    result = run_cli("fonts", "fetch", theme)
    assert result.exit_code == 0, result.output
    assert {path.split("/")[-1] for path, _ in font_api if path.startswith("/files/")} == {"latin", "latin-ext"}
    merged = TTFont(theme / "styles" / "fonts" / "open-sans-400-normal.ttf")   # one font of both subsets
    assert {ord("é"), ord("—"), ord("€")} <= set(merged.getBestCmap())
    built = run_cli("build", FEATURES, "--theme", theme, "-v", "full", "--out", tmp_path / "out")
    assert built.exit_code == 0, built.output
    pdf = tmp_path / "out" / "features-full.pdf"
    assert "Lato-Regular" in embedded_fonts(pdf)   # the merged subsets draw the text, and it reads back whole
    assert "Background" in PdfReader(pdf).pages[1].extract_text()


@pytest.mark.parametrize("entry, message", [
    ("    - family: Open Sans\n      source: adobe\n",
     "4: typography.fonts[0].source: font 'Open Sans': 'adobe' is not a font source; "
     "expected file, system, google or bunny"),
    ("    - family: Open Sans\n      source: google\n      weight: heavyish\n",
     "5: typography.fonts[0].weight: 'heavyish' is not a font weight (100 to 900, or a name such as light, bold)"),
    ("    - family: Open Sans\n      source: google\n      weight: 700..300\n",
     "5: typography.fonts[0].weight: '700..300' is not a weight range such as '300..700'"),
    ("    - family: Open Sans\n      source: bunny\n      style: slanted\n",
     "5: typography.fonts[0].style: 'slanted' is not one of normal, italic"),
])
def test_a_wrong_web_font_value_is_one_line_naming_the_key(tmp_path, entry, message):
    theme = tmp_path / "theme"
    (theme / "styles").mkdir(parents=True)
    brand = theme / "styles" / "_brand.yml"
    brand.write_text("typography:\n  fonts:\n" + entry, encoding="utf-8")
    brief = write_brief(tmp_path, MINIMAL_BRIEF)
    for command in (("fonts", "fetch", theme), ("build", brief, "--theme", theme, "--out", tmp_path / "out")):
        result = run_cli(*command)
        assert result.exit_code == 1 and result.stderr.strip().splitlines() == [f"{brand}:{message}"], command


def test_an_unreachable_service_is_one_line(tmp_path, monkeypatch):
    monkeypatch.setenv("BRIEF_GOOGLE_FONTS_URL", "http://127.0.0.1:9")
    result = run_cli("fonts", "fetch", google_theme(tmp_path))
    assert result.exit_code == 1
    [line] = result.output.strip().splitlines()
    assert re.fullmatch(r"Error: http://127\.0\.0\.1:9/css2\?family=Open%20Sans:ital,wght@0,400: .*refused.*", line)


def test_a_family_named_but_not_declared_is_a_google_font_as_brand_yml_says(tmp_path, font_api):
    theme = tmp_path / "theme"
    (theme / "styles").mkdir(parents=True)
    (theme / "styles" / "_brand.yml").write_text("typography:\n  base: Open Sans\n", encoding="utf-8")
    brief = write_brief(tmp_path, MINIMAL_BRIEF)
    refused = run_cli("build", brief, "--theme", theme, "--out", tmp_path / "out")
    assert refused.exit_code == 1 and "comes from Google Fonts (brand.yml's default)" in refused.stderr
    fetched = run_cli("fonts", "fetch", theme)
    assert fetched.exit_code == 0, fetched.output
    assert "Open Sans: not offered by google: 100 normal, 100 italic, 200 normal" in fetched.output   # 100 to 900
    built = run_cli("build", brief, "--theme", theme, "-v", "full", "--out", tmp_path / "out")
    assert built.exit_code == 0, built.output
    assert "Lato-Regular" in embedded_fonts(tmp_path / "out" / "brief-full.pdf")
