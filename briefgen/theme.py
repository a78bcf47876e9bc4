"""Phase 3a: find the theme: its template search path (theme first, then
default) and its stylesheets (default first, then the theme's, so the theme's
rules win the cascade)."""

import re
from dataclasses import dataclass
from pathlib import Path

from jinja2 import ChoiceLoader, FileSystemLoader, PrefixLoader

PROJECT = Path(__file__).resolve().parent.parent
TEMPLATES = PROJECT / "templates"
STYLES = PROJECT / "styles"
DEFAULT = "default"
FONT_TYPES = (".ttf", ".otf", ".woff", ".woff2")


class ThemeError(Exception):
    pass


@dataclass(frozen=True)
class Theme:
    name: str
    template_dirs: tuple   # search order: the theme's folder, then default's
    style_dirs: tuple      # cascade order: default's folder, then the theme's

    @property
    def loader(self):
        """Template search path; `default/...` names reach the default theme, so
        an override can extend the very file it replaces and call super()."""
        return ChoiceLoader([
            PrefixLoader({DEFAULT: FileSystemLoader(TEMPLATES / DEFAULT)}),
            FileSystemLoader([str(d) for d in self.template_dirs]),
        ])

    @property
    def variants(self):
        """Variant names: the templates in the themes' `variants/` folders."""
        names = {file.stem for folder in self.template_dirs for file in (folder / "variants").glob("*.html")}
        return sorted(names, key=lambda name: (name != "full", name))

    def stylesheets(self, variant):
        """CSS files in cascade order: each folder's brief.css, then its <variant>.css."""
        return [folder / name for folder in self.style_dirs
                for name in ("brief.css", f"{variant}.css") if (folder / name).is_file()]

    def font_files(self):
        return sorted(file for folder in self.style_dirs for file in folder.rglob("*")
                      if file.suffix.lower() in FONT_TYPES)


def available_themes():
    return sorted({d.name for root in (TEMPLATES, STYLES) if root.is_dir() for d in root.iterdir() if d.is_dir()})


def resolve_theme(requested=None, base_dir=Path(".")):
    """A theme by name (templates/<name>, styles/<name>) or by folder path,
    relative to base_dir, holding templates/ and/or styles/."""
    requested = str(requested or DEFAULT)
    default = (TEMPLATES / DEFAULT, STYLES / DEFAULT)
    if re.fullmatch(r"[A-Za-z0-9_-]+", requested) and requested in available_themes():
        templates, styles = TEMPLATES / requested, STYLES / requested
    else:
        folder = (Path(base_dir) / requested).resolve()
        templates, styles = folder / "templates", folder / "styles"
        if not (templates.is_dir() or styles.is_dir()):
            raise ThemeError(f"unknown theme '{requested}': no theme has that name and {folder} "
                             f"holds no templates/ or styles/ folder; themes: {', '.join(available_themes())}")
    if templates == default[0]:
        return Theme(DEFAULT, (templates,), (styles,))
    return Theme(requested, (templates, default[0]), (default[1], styles))
