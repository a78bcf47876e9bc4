"""Phase 3a (theme): the theme's brand file, `styles/<theme>/_brand.yml`.

It follows the shape of Quarto's _brand.yml for the keys Quarto has (meta, logo,
color, typography), so an organisation can reuse the file it keeps for Quarto.
What Quarto has no key for sits under `defaults: policy-brief:` (Quarto's place
for tool-specific settings): paper size, contact and disclaimer text. Colours
and fonts reach the CSS as custom properties named by role.
"""

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import yaml

from .files import MB, FileRefused, read_text, regular_file

BRAND_FILE = "_brand.yml"
TOOL_KEY = "policy-brief"
COLOR_ROLES = {                      # Quarto colour -> CSS custom property
    "foreground": "--color-text",
    "background": "--color-background",
    "primary": "--color-accent",
    "secondary": "--color-highlight",
    "tertiary": "--color-muted",
    "light": "--color-surface",
    "warning": "--color-warning",
}
PAPER = {"a4": ("A4", "297mm"), "letter": ("letter", "11in")}
IMAGE_TYPES = (".svg", ".png", ".jpg", ".jpeg")
FONT_TYPES = (".ttf", ".otf", ".woff", ".woff2")
HEX_COLOR = re.compile(r"#(?:[0-9a-fA-F]{3}){1,2}")
MAX_SETTINGS_BYTES = 1 * MB   # a brand file is a page of settings


class BrandError(Exception):
    pass


@dataclass(frozen=True)
class Brand:
    name: str = None
    link: str = None
    logo: Path = None
    contact: str = None
    disclaimer: str = None
    css: str = ""            # @font-face rules, role tokens and page size

    def brief_defaults(self):
        """Brief fields the brand supplies when a brief leaves them out."""
        fields = {"organisation": self.name, "contact": self.contact, "disclaimer": self.disclaimer}
        return {key: value for key, value in fields.items() if value}

    @property
    def stylesheet_url(self):
        return "data:text/css;charset=utf-8," + quote(self.css) if self.css else None


def load_brand(styles_dir):
    """The brand of a theme's styles folder; an empty Brand when it has no brand file."""
    file = Path(styles_dir) / BRAND_FILE
    if not file.is_file():
        return Brand()
    try:
        text = read_text(file, file.parent, MAX_SETTINGS_BYTES, where="the theme's styles folder")
        settings = yaml.safe_load(text) or {}
        return _Reader(file, settings).brand()
    except FileRefused as error:
        raise BrandError(str(error)) from None
    except yaml.YAMLError as error:
        raise BrandError(f"{file}: not valid YAML: {error}") from None
    except (AttributeError, TypeError, ValueError) as error:
        raise BrandError(f"{file}: {error}") from None


class _Reader:
    def __init__(self, file, settings):
        self.file, self.folder = file, file.parent
        self.settings = settings if isinstance(settings, dict) else {}
        self.tool = (self.settings.get("defaults") or {}).get(TOOL_KEY) or {}

    def brand(self):
        meta = self.settings.get("meta") or {}
        name = meta.get("name")
        link = meta.get("link")
        return Brand(
            name=name.get("full") or name.get("short") if isinstance(name, dict) else name,
            link=link.get("home") if isinstance(link, dict) else link,
            logo=self.logo(),
            contact=self.tool.get("contact"),
            disclaimer=self.tool.get("disclaimer"),
            css="\n".join(self.font_faces() + [self.tokens()] + self.page()),
        )

    def logo(self):
        logo = self.settings.get("logo")
        if not logo:
            return None
        if isinstance(logo, dict):
            images = logo.get("images") or {}
            chosen = logo.get("large") or logo.get("medium") or logo.get("small")
            chosen = images.get(chosen, chosen)
            logo = chosen.get("path") if isinstance(chosen, dict) else chosen
        return self.existing(logo, "logo", IMAGE_TYPES)

    def existing(self, relative, what, suffixes):
        path = (self.folder / str(relative)).resolve()
        if not path.is_relative_to(self.folder.resolve()):
            raise ValueError(f"{what} '{relative}' is outside the theme's styles folder")
        if path.suffix.lower() not in suffixes:
            raise ValueError(f"{what} '{relative}' is not one of {', '.join(suffixes)}")
        try:
            regular_file(path, self.folder, "the theme's styles folder", name=str(relative))
        except FileRefused as error:
            raise ValueError(f"{what} file not found: {path}" if error.kind == "missing" else f"{what}: {error}") from None
        return path

    def font_faces(self):
        faces = []
        for font in (self.settings.get("typography") or {}).get("fonts") or []:
            family = font.get("family")
            if font.get("source", "file") != "file":
                raise ValueError(f"font '{family}': only 'source: file' is read; "
                                 "fonts must come with the theme")
            for entry in font.get("files") or []:
                entry = entry if isinstance(entry, dict) else {"path": entry}
                path = self.existing(entry.get("path"), f"font '{family}'", FONT_TYPES)
                faces.append(f'@font-face {{ font-family: "{family}"; src: url("{path.as_uri()}"); '
                             f'font-weight: {entry.get("weight", 400)}; font-style: {entry.get("style", "normal")}; }}')
        return faces

    def tokens(self):
        tokens = {}
        color = self.settings.get("color") or {}
        palette = color.get("palette") or {}
        for role, prop in COLOR_ROLES.items():
            if role in color:
                tokens[prop] = self.color(palette.get(color[role], color[role]), role)
        typography = self.settings.get("typography") or {}
        base, headings = _as_family(typography.get("base")), _as_family(typography.get("headings"))
        if base.get("family"):
            tokens["--font-body"] = f'"{base["family"]}", serif'
        if headings.get("family"):
            tokens["--font-heading"] = f'"{headings["family"]}", sans-serif'
        if base.get("size"):
            tokens["--size-body"] = str(base["size"])
        if base.get("line-height"):
            tokens["--leading"] = str(base["line-height"])
        paper = self.paper()
        if paper:
            tokens["--page-height"] = paper[1]
        body = "; ".join(f"{prop}: {value}" for prop, value in tokens.items())
        return f":root {{ {body}; }}" if tokens else ""

    def color(self, value, role):
        if not isinstance(value, str) or not HEX_COLOR.fullmatch(value):
            raise ValueError(f"color.{role}: {value!r} is not a #hex colour or a palette name")
        return value

    def paper(self):
        paper = self.tool.get("paper")
        if paper is None:
            return None
        if str(paper).lower() not in PAPER:
            raise ValueError(f"defaults.{TOOL_KEY}.paper: {paper!r} is not A4 or letter")
        return PAPER[str(paper).lower()]

    def page(self):
        paper = self.paper()
        return [f"@page {{ size: {paper[0]}; }}"] if paper else []


def _as_family(value):
    """Quarto allows `base: Family` or `base: {family: ..., size: ...}`."""
    return {"family": value} if isinstance(value, str) else (value or {})
