"""Web fonts of a brand file (`source: google`, `source: bunny`).

Builds stay offline: `brief fonts fetch THEME` downloads the files once into
the theme's fonts/ folder and records them, with their SHA-256, in
fonts/web-fonts.json; a build reads that record and the files, never the
network, and stops in one line naming the command when a font is not fetched.

Whole font files, one per weight and style: WeasyPrint mis-sets text drawn
from a family split into unicode-range subsets (as browsers are served), so
the fetch asks with a user agent that the services answer with whole TrueType
files, and merges the subsets (fontTools) when a service only has those.
"""

import hashlib
import io
import json
import os
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import quote, urljoin, urlsplit

import tinycss2

from ..util.files import MB, FileRefused, read_bytes
from ..util.atomic import atomic_file

SOURCES = ("google", "bunny")
API = {"google": "https://fonts.googleapis.com", "bunny": "https://fonts.bunny.net"}
# Another address for a service's API: for tests (a local server) and for mirrors.
API_ENV = {"google": "BRIEF_GOOGLE_FONTS_URL", "bunny": "BRIEF_BUNNY_FONTS_URL"}
RECORD = "web-fonts.json"
# Not a browser's: both services answer it with whole TrueType files, not
# WOFF2 subsets split by unicode-range.
USER_AGENT = "briefgen-fonts-fetch/1.0"
MAX_CSS_BYTES = 1 * MB
MAX_FONT_BYTES = 30 * MB
TIMEOUT_S = 30
ALL_WEIGHTS = tuple(range(100, 1000, 100))   # brand.yml: no `weight` means 100 to 900
ALL_STYLES = ("normal", "italic")            # ... and no `style` both styles
FORMAT_PREFERENCE = ("truetype", "opentype", "woff", "woff2")


class FetchError(Exception):
    """One line: what could not be fetched and why."""


@dataclass(frozen=True)
class WebFont:
    family: str
    source: str       # google or bunny
    faces: tuple      # (weight, style) pairs the brand asks for

    @property
    def key(self):
        return {"family": self.family, "source": self.source, "requested": [list(face) for face in self.faces]}


def fetch_command(theme_argument):
    return f"brief fonts fetch {theme_argument}"


def theme_argument(styles_folder):
    """How `brief fonts fetch` names the theme of a styles folder: a named
    theme's styles/<name>/ by its name, a theme folder's styles/ by the folder."""
    return styles_folder.name if styles_folder.parent.name == "styles" else str(styles_folder.parent)


# --- the record, read by every build ---------------------------------------------

def read_record(fonts_folder):
    """The record's entries; [] when there is none (or it is not one we wrote)."""
    try:
        data = json.loads(read_bytes(fonts_folder / RECORD, fonts_folder, MB, "the theme's fonts folder"))
    except (FileRefused, ValueError):
        return []
    return data.get("fonts", []) if isinstance(data, dict) else []


def recorded_faces(font, fonts_folder, record):
    """(weight, style, file) of a web font as fetched, checked against the
    record's hashes; a str (why not) when it is not fetched or has changed."""
    entry = next((item for item in record if {k: item.get(k) for k in font.key} == font.key), None)
    if entry is None:
        return "not fetched yet"
    faces = []
    for face in entry.get("files", []):
        file = fonts_folder / str(face.get("path"))
        try:
            data = read_bytes(file, fonts_folder, MAX_FONT_BYTES, "the theme's fonts folder")
        except FileRefused:
            return f"fonts/{face.get('path')} is missing"
        if hashlib.sha256(data).hexdigest() != face.get("sha256"):
            return f"fonts/{face.get('path')} is not the file fetched (its SHA-256 differs from the record's)"
        faces.append((face["weight"], face["style"], file))
    return faces


# --- the fetch (`brief fonts fetch`), the only code here that reaches the network --

def fetch_fonts(fonts, fonts_folder, echo=print):
    """Download every face of the web fonts into fonts_folder and record them.
    The record is written last, once every file is in place."""
    fonts_folder.mkdir(parents=True, exist_ok=True)
    kept = [item for item in read_record(fonts_folder)
            if (item.get("family"), item.get("source")) not in {(font.family, font.source) for font in fonts}]
    for font in fonts:
        files, missing = [], []
        for weight, style in font.faces:
            data = _face(font, weight, style)
            if data is None:
                missing.append([weight, style])
                continue
            name = f"{_slug(font.family)}-{weight}-{style}.ttf"
            with atomic_file(fonts_folder / name, "wb") as handle:
                handle.write(data)
            files.append({"weight": weight, "style": style, "path": name, "sha256": hashlib.sha256(data).hexdigest()})
            echo(f"{font.family} {weight} {style}: {fonts_folder / name}")
        if not files:
            raise FetchError(f"font '{font.family}' (source: {font.source}): the service has none of the "
                             f"weights and styles asked for ({_faces_text(font.faces)})")
        if missing:
            echo(f"{font.family}: not offered by {font.source}: {_faces_text(missing)}")
        kept.append({**font.key, "files": files, "missing": missing})
    with atomic_file(fonts_folder / RECORD, "w") as handle:
        json.dump({"fonts": kept}, handle, indent=2, ensure_ascii=False)
        handle.write("\n")
    return fonts_folder / RECORD


def _faces_text(faces):
    return ", ".join(f"{weight} {style}" for weight, style in faces)


def _slug(family):
    return re.sub(r"[^a-z0-9]+", "-", family.lower()).strip("-")


def api_url(font, weight, style):
    """The stylesheet address of one face: Google's CSS2 API; Bunny's CSS API."""
    base = os.environ.get(API_ENV[font.source]) or API[font.source]
    if font.source == "google":
        query = f"family={quote(font.family)}:ital,wght@{int(style == 'italic')},{weight}"
        return f"{base.rstrip('/')}/css2?{query}"
    return f"{base.rstrip('/')}/css?family={_slug(font.family)}:{weight}{'i' if style == 'italic' else ''}"


def _face(font, weight, style):
    """One face as TrueType bytes; None when the service does not offer it."""
    url = api_url(font, weight, style)
    css = _download(url, MAX_CSS_BYTES, missing_ok=True)
    if css is None:
        return None
    rules = [rule for rule in font_face_rules(css.decode("utf-8", "replace"), url)
             if rule["weight"] == str(weight) and rule["style"] == style]
    if not rules:
        return None
    parts = [_download(rule["url"], MAX_FONT_BYTES) for rule in rules]
    return _whole_font(parts, f"{font.family} {weight} {style}")


def font_face_rules(css, base_url):
    """Of a stylesheet, each @font-face's weight, style and best source address
    (a whole TrueType file first), resolved against the stylesheet's address."""
    found = []
    for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
        if rule.type != "at-rule" or rule.lower_at_keyword != "font-face" or rule.content is None:
            continue
        declarations = {item.lower_name: item.value for item in tinycss2.parse_blocks_contents(rule.content)
                        if item.type == "declaration"}
        sources = _sources(declarations.get("src") or [])
        if not sources:
            continue
        url = min(sources, key=lambda source: FORMAT_PREFERENCE.index(source[1])
                  if source[1] in FORMAT_PREFERENCE else len(FORMAT_PREFERENCE))[0]
        found.append({"weight": _text(declarations.get("font-weight")) or "400",
                      "style": _text(declarations.get("font-style")) or "normal",
                      "url": urljoin(base_url, url)})
    return found


def _text(tokens):
    return tinycss2.serialize(tokens or []).strip().strip("'\"").lower() if tokens else None


def _sources(tokens):
    """(url, format) of each entry of a src descriptor."""
    sources, url, kind = [], None, None
    for token in tokens + [tinycss2.ast.LiteralToken(0, 0, ",")]:
        if token.type == "url":
            url = token.value
        elif token.type == "function" and token.lower_name == "url":
            url = next((arg.value for arg in token.arguments if arg.type == "string"), None)
        elif token.type == "function" and token.lower_name == "format":
            kind = next((arg.value.lower() for arg in token.arguments if arg.type == "string"), None)
        elif token.type == "literal" and token.value == ",":
            if url:
                sources.append((url, kind))
            url, kind = None, None
    return sources


def _whole_font(parts, name):
    """TrueType (or OpenType) bytes of a face: a whole file as it came, converted
    from WOFF/WOFF2; subsets split by unicode-range merged into one font."""
    from fontTools.merge import Merger      # fontTools: WeasyPrint's own dependency
    from fontTools.ttLib import TTLibError
    try:
        plain = [_unwrapped(data) for data in parts]
        if len(plain) == 1:
            return plain[0]
        merged, buffer = Merger().merge([io.BytesIO(data) for data in plain]), io.BytesIO()
        merged.save(buffer)
        return buffer.getvalue()
    except (TTLibError, AssertionError, KeyError, ValueError, NotImplementedError) as error:
        raise FetchError(f"{name}: the service sent no usable font file ({error})") from None


def _unwrapped(data):
    """A font file's bytes as TrueType/OpenType, out of a WOFF or WOFF2 wrapper."""
    from fontTools.ttLib import TTFont
    font = TTFont(io.BytesIO(data))
    if font.flavor is None:
        return data
    font.flavor, buffer = None, io.BytesIO()
    font.save(buffer)
    return buffer.getvalue()


def _download(url, limit, missing_ok=False):
    """The bytes at an http(s) address, at most limit of them; None for a 400
    or 404 when missing_ok (a face the service does not offer)."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise FetchError(f"{url}: not an http or https address")
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            data = response.read(limit + 1)
    except urllib.error.HTTPError as error:
        if missing_ok and error.code in (400, 404):
            return None
        raise FetchError(f"{url}: HTTP {error.code} {error.reason}") from None
    except (urllib.error.URLError, OSError) as error:
        raise FetchError(f"{url}: {getattr(error, 'reason', error)}") from None
    if len(data) > limit:
        raise FetchError(f"{url}: over {limit // MB} MB, more than a font needs")
    return data
