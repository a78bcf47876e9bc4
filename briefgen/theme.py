"""Phase 3a: find the theme: its template search path (theme first, then
default), its stylesheets (default first, then the theme's, so the theme's
rules win the cascade) and each variant's page budget."""

import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from jinja2 import ChoiceLoader, FileSystemLoader, PrefixLoader

from . import blocks
from .access import contrast_problems
from .brand import Brand, BrandError, load_brand
from .charts import ChartError, chart_theme

PROJECT = Path(__file__).resolve().parent.parent
TEMPLATES = PROJECT / "templates"
STYLES = PROJECT / "styles"
DEFAULT = "default"
FONT_TYPES = (".ttf", ".otf", ".woff", ".woff2")
TYPE_FLOOR_PT = 8.5     # no body text is ever set smaller to make a variant fit


class ThemeError(Exception):
    pass


@dataclass(frozen=True)
class FitStep:
    """One step of the fit search: spacing factor and body size (pt)."""
    spacing: float
    body_size: float

    def css(self, important=False):
        """The step's tokens; important: to win, from a user stylesheet (lower in
        the cascade than the document's own), over the design's tokens."""
        flag = " !important" if important else ""
        return f":root {{ --space: {self.spacing:g}{flag}; --size-body: {self.body_size:g}pt{flag}; }}"


@dataclass(frozen=True)
class VariantSpec:
    """A variant's budget, from `variants/<name>.yaml` beside its template."""
    name: str
    pages: int = None                  # at most this many pages; None: no limit
    citations: bool = True             # False: the variant prints no reference list
    body_size: float = 10.0            # the design's body size, pt
    fit: tuple = ()                    # FitSteps tried in order when over budget
    cut_hints: tuple = ("summary", "key_points", "recommendations", "sections")
    chart_size: tuple = (172.0, 70.0)  # the variant's chart slot, (width, height) in mm


@dataclass(frozen=True)
class Theme:
    name: str
    template_dirs: tuple   # search order: the theme's folder, then default's
    style_dirs: tuple      # cascade order: default's folder, then the theme's
    brand: Brand = Brand()

    @property
    def loader(self):
        """Template search path; `default/...` names reach the default theme, so
        an override can extend the very file it replaces and call super().
        Plugin block types' own templates come last: any theme may restyle them."""
        return ChoiceLoader([
            PrefixLoader({DEFAULT: FileSystemLoader(TEMPLATES / DEFAULT)}),
            FileSystemLoader([str(d) for d in self.template_dirs]),
            blocks.PluginTemplates(),
        ])

    @property
    def variants(self):
        """Variant names: the templates in the themes' `variants/` folders."""
        names = {file.stem for folder in self.template_dirs for file in (folder / "variants").glob("*.html")}
        return sorted(names, key=lambda name: (name != "full", name))

    @property
    def folders(self):
        """Every folder of the theme (and of default): what a render may read."""
        return self.template_dirs + self.style_dirs

    def variant_spec(self, variant):
        for folder in self.template_dirs:
            file = folder / "variants" / f"{variant}.yaml"
            if file.is_file():
                return _read_variant_spec(variant, file)
        return VariantSpec(variant)

    def stylesheets(self, variant):
        """Stylesheet URLs in cascade order: default's brief.css and <variant>.css,
        the brand's tokens, then the theme's brief.css and <variant>.css."""
        default, *theme = [[(folder / name).as_uri() for name in ("brief.css", f"{variant}.css")
                            if (folder / name).is_file()] for folder in self.style_dirs]
        brand = [self.brand.stylesheet_url] if self.brand.stylesheet_url else []
        return default + brand + [url for urls in theme for url in urls]

    def stylesheet_files(self, variant):
        """The theme's stylesheet files in cascade order (the brand's tokens are
        inline): what a writer that copies the theme's assets takes along."""
        return [folder / name for folder in self.style_dirs for name in ("brief.css", f"{variant}.css")
                if (folder / name).is_file()]

    def chart_theme(self):
        """The Vega-Lite config and font folders every chart of the theme gets."""
        return chart_theme(self, tuple(token_sources(self)))

    def font_files(self):
        return sorted(file for folder in self.style_dirs for file in folder.rglob("*")
                      if file.suffix.lower() in FONT_TYPES)


def _read_variant_spec(variant, file):
    try:
        settings = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        body_size = _points(settings.get("body_size", "10pt"))
        steps = tuple(FitStep(float(step.get("spacing", 1)), _points(step.get("body_size", body_size)))
                      for step in settings.get("fit", []))
        chart = settings.get("chart") or {}
        chart_size = tuple(_millimetres(chart.get(key, default)) for key, default in
                           zip(("width", "height"), VariantSpec.chart_size))
        spec = VariantSpec(variant, settings.get("pages"), bool(settings.get("citations", True)), body_size,
                           steps, tuple(settings.get("cut_hints", VariantSpec.cut_hints)), chart_size)
    except (yaml.YAMLError, AttributeError, TypeError, ValueError) as error:
        raise ThemeError(f"{file}: cannot read the variant's settings: {error}") from None
    if spec.pages is not None and (not isinstance(spec.pages, int) or spec.pages < 1):
        raise ThemeError(f"{file}: pages: expected a whole number of pages, at least 1")
    too_small = [step.body_size for step in steps if step.body_size < TYPE_FLOOR_PT]
    if too_small:
        raise ThemeError(f"{file}: fit: body_size {too_small[0]:g}pt is under the {TYPE_FLOOR_PT:g}pt floor")
    return spec


def _millimetres(value):
    """'70mm' or 70 -> 70.0"""
    return float(str(value).removesuffix("mm"))


def _points(value):
    """'9.5pt' or 9.5 -> 9.5"""
    return float(str(value).removesuffix("pt"))


def available_themes():
    return sorted({d.name for root in (TEMPLATES, STYLES) if root.is_dir() for d in root.iterdir() if d.is_dir()})


def resolve_theme(requested=None, base_dir=Path("."), confine=False):
    """A theme by name (templates/<name>, styles/<name>) or by folder path,
    relative to base_dir, holding templates/ and/or styles/. With confine, the
    folder must be inside base_dir."""
    requested = str(requested or DEFAULT)
    default = (TEMPLATES / DEFAULT, STYLES / DEFAULT)
    if re.fullmatch(r"[A-Za-z0-9_-]+", requested) and requested in available_themes():
        templates, styles = TEMPLATES / requested, STYLES / requested
    else:
        folder = (Path(base_dir) / requested).resolve()
        if confine and not folder.is_relative_to(Path(base_dir).resolve()):
            raise ThemeError(f"theme folder '{requested}' is outside the brief's folder; "
                             f"name a theme ({', '.join(available_themes())}) or a folder beside the brief")
        templates, styles = folder / "templates", folder / "styles"
        if not (templates.is_dir() or styles.is_dir()):
            raise ThemeError(f"unknown theme '{requested}': no theme has that name and {folder} "
                             f"holds no templates/ or styles/ folder; themes: {', '.join(available_themes())}")
    if templates == default[0]:
        return Theme(DEFAULT, (templates,), (styles,))
    try:
        brand = load_brand(styles)
    except BrandError as error:
        raise ThemeError(str(error)) from None
    theme = Theme(requested, (templates, default[0]), (default[1], styles), brand)
    low = contrast_problems(tuple(token_sources(theme)))
    if low:
        raise ThemeError(f"theme '{requested}': {low[0]}")
    try:
        theme.chart_theme()  # its palette passes the contrast check too
    except ChartError as error:
        raise ThemeError(str(error)) from None
    return theme


def token_sources(theme):
    """The CSS that sets the style tokens, in cascade order."""
    yield (STYLES / DEFAULT / "brief.css").read_text(encoding="utf-8")
    yield theme.brand.css
    own = theme.style_dirs[-1] / "brief.css"
    if own.is_file():
        yield own.read_text(encoding="utf-8")
