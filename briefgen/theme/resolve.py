"""Phase 3a: find the theme: its template search path (theme first, then
default), its stylesheets (default first, then the theme's, so the theme's
rules win the cascade) and each variant's page budget.

A theme name is looked up in the project folder first, then among the built-in
themes (see project.py); a theme found in both is the project's folders in front
of the built-in ones, so a project can override a single file of any theme."""

import re
from dataclasses import dataclass, replace
from pathlib import Path

from jinja2 import ChoiceLoader, PrefixLoader

from .. import blocks
from ..util import project
from ..content.access import COLOUR_PAIRS, MINIMUM_CONTRAST, contrast_failures, passing_shade, root_properties
from .brand import BRAND_FILE, COLOR_ROLES, Brand, BrandError, load_brand
from ..util.files import MB, FileRefused, read_text, regular_file
from ..inputs.load import load_yaml_file
from ..problems import BriefError, Problem, ThemeError, shown  # noqa: F401 (ThemeError: theme.resolve.ThemeError, as before)
from .sandbox import ConfinedLoader
from .spec import FitStep, VariantSpec
from ..content.charts import ChartError, chart_theme

DEFAULT = "default"
THEME_NAME = re.compile(r"[A-Za-z0-9_-]+")
FONT_TYPES = (".ttf", ".otf", ".ttc", ".woff", ".woff2")
TYPE_FLOOR_PT = 8.5     # no body text is ever set smaller to make a variant fit
MAX_SETTINGS_BYTES = 1 * MB


@dataclass(frozen=True)
class Theme:
    name: str
    template_dirs: tuple   # search order: the theme's folders, then default's; the built-in default last
    style_dirs: tuple      # cascade order: the built-in default first, then the theme's
    brand: Brand = Brand()
    missing_overrides: tuple = ()   # project folders that would join the theme if created

    @property
    def loader(self):
        """Template search path; `default/...` names reach the built-in default
        theme, so an override can extend the very file it replaces and call super().
        Plugin block types' own templates come last: any theme may restyle them."""
        return ChoiceLoader([
            PrefixLoader({DEFAULT: ConfinedLoader(self.template_dirs[-1])}),
            ConfinedLoader([str(d) for d in self.template_dirs]),
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
        """The variant's settings (its YAML file), read once per Theme (see read_once)."""
        specs = self._once("_variant_specs", dict)
        if variant not in specs:
            specs[variant] = self._variant_spec_from_files(variant)
        return specs[variant]

    def _variant_spec_from_files(self, variant):
        for folder in self.template_dirs:
            file = folder / "variants" / f"{variant}.yaml"
            if file.is_file():
                return _read_variant_spec(variant, file)
        return VariantSpec(variant)

    def stylesheets(self, variant, *more):
        """Stylesheet URLs in cascade order: default's brief.css and <variant>.css,
        the brand's tokens, then the theme's brief.css and <variant>.css (and
        after each <variant>.css, the more names' stylesheets)."""
        names = ("brief.css", f"{variant}.css", *(f"{name}.css" for name in more))
        default, *theme = [[(folder / name).as_uri() for name in names
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

    def band_logo(self):
        """The logo for the cover's band, whose colour is the accent: the brand's
        dark variant on a dark band."""
        tokens = {}
        for css in token_sources(self):
            tokens.update(root_properties(css))
        return self.brand.logo_on(tokens.get("--color-accent"))

    def font_files(self):
        """The theme's own font files and the system fonts its brand names,
        listed once per Theme (see read_once)."""
        return list(self._once("_font_files", lambda: tuple(sorted(
            [file for folder in self.style_dirs for file in folder.rglob("*")
             if file.suffix.lower() in FONT_TYPES and _readable(file, folder)] + list(self.brand.font_files)))))

    def read_once(self, variants):
        """Lists the font files and reads the variants' settings now. A Theme
        serves one build, which takes the theme's files as they were when it
        began (rows.theme_state), so what it read is kept on it; and the copies
        of it that travel with a series' rows to the workers carry it along
        (each row read them again: 2 ms a page)."""
        self.font_files()
        for variant in variants:
            self.variant_spec(variant)

    def _once(self, name, make):
        """A value kept on this (frozen) Theme, named apart from its methods;
        copies made by pickling keep it, dataclasses.replace() does not."""
        if name not in self.__dict__:
            object.__setattr__(self, name, make())
        return self.__dict__[name]


VARIANT_KEYS = ("pages", "citations", "body_size", "fit", "cut_hints", "chart", "balance")


def _read_variant_spec(variant, file):
    """A variant file, read like a brief: file:line: key: message for each problem."""
    try:
        loaded = load_yaml_file(file, shown(file), single_link=True)
    except BriefError as error:
        raise ThemeError(problems=error.problems) from None

    def fail(path, message):
        raise ThemeError(problems=loaded.problems or [loaded.problem(path, message)])

    settings = loaded.data
    for key in settings:
        if key not in VARIANT_KEYS:
            fail((key,), f"unknown setting; expected one of: {', '.join(VARIANT_KEYS)}")
    pages = settings.get("pages")
    if pages is not None and (not isinstance(pages, int) or isinstance(pages, bool) or pages < 1):
        fail(("pages",), "expected a whole number of pages, at least 1")
    for key in ("citations", "balance"):
        if not isinstance(settings.get(key, key == "citations"), bool):
            fail((key,), "expected true or false")
    body_size = _points(settings.get("body_size", "10pt"), ("body_size",), fail)
    fit = settings.get("fit", [])
    if not isinstance(fit, list) or not all(isinstance(step, dict) for step in fit):
        fail(("fit",), "expected a list of steps such as {spacing: 0.75, body_size: 9pt}")
    steps = []
    for index, step in enumerate(fit):
        spacing = step.get("spacing", 1)
        if not isinstance(spacing, (int, float)) or isinstance(spacing, bool):
            fail(("fit", index, "spacing"), "expected a number such as 0.75")
        size = _points(step.get("body_size", body_size), ("fit", index, "body_size"), fail)
        if size < TYPE_FLOOR_PT:
            fail(("fit", index, "body_size"), f"{size:g}pt is under the {TYPE_FLOOR_PT:g}pt floor")
        steps.append(FitStep(float(spacing), size))
    hints = settings.get("cut_hints", VariantSpec.cut_hints)
    if not isinstance(hints, (list, tuple)) or not all(isinstance(hint, str) for hint in hints):
        fail(("cut_hints",), "expected a list of field names such as [summary, key_points]")
    chart = settings.get("chart") or {}
    if not isinstance(chart, dict):
        fail(("chart",), "expected a map such as {width: 80mm, height: 50mm}")
    chart_size = tuple(_millimetres(chart.get(key, default), ("chart", key), fail)
                       for key, default in zip(("width", "height"), VariantSpec.chart_size))
    if loaded.problems:
        fail((), "")
    return VariantSpec(variant, pages, settings.get("citations", True), body_size, tuple(steps), tuple(hints),
                       chart_size, settings.get("balance", False))


def _readable(file, folder):
    """A theme's file that files.py would serve (inside its folder, regular, one link)."""
    try:
        regular_file(file, folder, "the theme's folder")
    except FileRefused:
        return False
    return True


def _millimetres(value, path, fail):
    """'70mm' or 70 -> 70.0"""
    try:
        return float(str(value).removesuffix("mm"))
    except ValueError:
        fail(path, f"{value!r} is not a length in millimetres such as 70mm")


def _points(value, path, fail):
    """'9.5pt' or 9.5 -> 9.5"""
    try:
        return float(str(value).removesuffix("pt"))
    except ValueError:
        fail(path, f"{value!r} is not a size in points such as 9.5pt")


def _roots(project_dir=None):
    """(origin, templates/, styles/) where theme names are looked up, in order:
    the project folder, then the built-in themes (once, when the project folder
    is this checkout, whose folders are the built-in ones)."""
    project_dir = Path(project_dir or project.folder())
    own = ("project", project_dir / project.TEMPLATES, project_dir / project.STYLES)
    builtin = ("built-in", project.builtin(project.TEMPLATES), project.builtin(project.STYLES))
    return [builtin] if own[1].resolve() == builtin[1].resolve() else [own, builtin]


def theme_sources(project_dir=None):
    """Theme name -> its folders as (origin, folder) pairs, in lookup order:
    the project folder's templates/<name>, styles/<name>, then the built-in ones."""
    sources = {}
    for origin, *roots in _roots(project_dir):
        for root in roots:
            for folder in (sorted(root.iterdir()) if root.is_dir() else ()):
                if folder.is_dir() and THEME_NAME.fullmatch(folder.name):
                    sources.setdefault(folder.name, []).append((origin, folder))
    return dict(sorted(sources.items()))


def available_themes(project_dir=None):
    return list(theme_sources(project_dir))


def named_folders(name, project_dir=None):
    """The templates and styles folders of a theme name that exist, the most
    specific (the project's) first."""
    roots = _roots(project_dir)
    return ([templates / name for _, templates, _ in roots if (templates / name).is_dir()],
            [styles / name for _, _, styles in roots if (styles / name).is_dir()])


def resolve_theme(requested=None, base_dir=Path("."), confine=False, project_dir=None):
    """A theme by name (templates/<name>, styles/<name> of the project folder,
    then built-in) or by folder path, relative to base_dir, holding templates/
    and/or styles/. With confine, the folder must be inside base_dir."""
    requested = str(requested or DEFAULT)
    names = available_themes(project_dir)
    template_dirs, style_dirs = _theme_dirs(requested, base_dir, confine, project_dir)
    default_templates, default_styles = named_folders(DEFAULT, project_dir)
    missing = _missing_overrides({DEFAULT, requested} if requested in names else {DEFAULT}, project_dir)
    brand_dir = _brand_dir(style_dirs)
    try:
        brand = load_brand(brand_dir, _declared_families(default_styles[-1] / "brief.css"))
    except BrandError as error:
        raise ThemeError(problems=error.problems) from None
    if (template_dirs, style_dirs) == (default_templates[-1:], default_styles[-1:]):  # the built-in default as it is
        return Theme(DEFAULT, tuple(template_dirs), tuple(style_dirs), brand, missing)
    theme = _with_text_shades(Theme(requested, tuple(template_dirs), tuple(style_dirs), brand, missing))
    low = contrast_failures(tuple(token_sources(theme)))
    if low:
        raise ThemeError(problems=[_contrast_problem(theme, *low[0])])
    try:
        theme.chart_theme()  # its palette passes the contrast check too
    except ChartError as error:
        raise ThemeError(str(error)) from None
    return theme


def brand_folder(requested=None, base_dir=Path("."), project_dir=None):
    """The styles folder whose brand file a theme uses, the brand not read
    (`brief fonts fetch` fills its fonts/ folder)."""
    return _brand_dir(_theme_dirs(str(requested or DEFAULT), base_dir, False, project_dir)[1])


def _theme_dirs(requested, base_dir, confine, project_dir):
    """(template folders, style folders) of a theme, in search and cascade order."""
    names = available_themes(project_dir)
    if THEME_NAME.fullmatch(requested) and requested in names:
        templates, styles = named_folders(requested, project_dir)
    else:
        templates, styles = _theme_folder(requested, base_dir, confine, names)
    default_templates, default_styles = named_folders(DEFAULT, project_dir)
    return _unique(templates + default_templates), _unique(default_styles[::-1] + styles[::-1])


def _brand_dir(style_dirs):
    """The most specific styles folder with a brand file (the theme's own last)."""
    return next((folder for folder in reversed(style_dirs) if (folder / BRAND_FILE).is_file()), style_dirs[-1])


def _theme_folder(requested, base_dir, confine, names):
    folder = (Path(base_dir) / requested).resolve()
    if confine and not folder.is_relative_to(Path(base_dir).resolve()):
        raise ThemeError(f"theme folder '{requested}' is outside the brief's folder; "
                         f"name a theme ({', '.join(names)}) or a folder beside the brief")
    templates, styles = folder / "templates", folder / "styles"
    if not (templates.is_dir() or styles.is_dir()):
        raise ThemeError(f"unknown theme '{requested}': no theme has that name and {folder} "
                         f"holds no templates/ or styles/ folder; themes: {', '.join(names)}")
    return [templates] if templates.is_dir() else [], [styles] if styles.is_dir() else []


def _missing_overrides(names, project_dir):
    """The project folder's templates/<name> and styles/<name> that do not exist:
    an incremental build must notice when one appears."""
    return tuple(root / name for origin, *roots in _roots(project_dir) if origin == "project"
                 for root in roots for name in sorted(names) if not (root / name).is_dir())


def _unique(folders):
    return list(dict.fromkeys(folders))


def _declared_families(stylesheet):
    """Font families the default theme's @font-face rules declare: a brand may name them."""
    return set(re.findall(r'@font-face\s*{[^}]*font-family:\s*"([^"]+)"', stylesheet.read_text(encoding="utf-8")))


# Tokens whose text uses read var(--color-X-text, var(--color-X)): a faint
# brand colour gets a text shade there and keeps its own colour as decoration.
TEXT_SHADED = ("--color-accent", "--color-highlight", "--color-muted", "--color-warning")


def _with_text_shades(theme):
    """A brand colour too faint for the text the theme sets in it builds all the
    same: that text takes the nearest shade that passes, with one warning at the
    brand's key; rules and bands keep the brand's colour. A pair the brand did
    not set is the theme's own to fix (an error, below)."""
    brand, extra, warnings = theme.brand, [], []
    roles = dict(brand.colour_roles)
    for _ in COLOUR_PAIRS:
        low = contrast_failures(tuple(token_sources(theme)) + tuple(extra))
        if not low:
            break
        text_token, foreground, background_token, background, use, ratio = low[0]
        if text_token not in roles and background_token not in roles:
            break
        shade, shade_ratio = passing_shade(foreground, background)
        target = f"{text_token}-text" if text_token in TEXT_SHADED else text_token
        extra.append(f":root {{ {target}: {shade}; }}")
        role = roles.get(text_token) or roles[background_token]
        message = (f"{foreground} on {background} ({use}) has a contrast of {ratio:.2f}:1, under the "
                   f"{MINIMUM_CONTRAST}:1 of WCAG AA: that text is set in the nearest shade that passes, "
                   f"{shade} ({shade_ratio:.2f}:1)")
        warnings.append(_brand_problem(theme, role, message))
    if not extra:
        return theme
    brand = replace(brand, css="\n".join([brand.css, *extra]), warnings=brand.warnings + tuple(warnings))
    return replace(theme, brand=brand)


def _brand_problem(theme, role, message):
    brand_file = next(folder / BRAND_FILE for folder in reversed(theme.style_dirs) if (folder / BRAND_FILE).is_file())
    return load_yaml_file(brand_file, shown(brand_file)).problem(("color", role), message)


def _contrast_problem(theme, text_token, foreground, background_token, background, use, ratio):
    """At the brand's colour when the brand set one of the pair, with the nearest shade that passes."""
    roles = {prop: role for role, prop in COLOR_ROLES.items()}
    brand_file = theme.style_dirs[-1] / BRAND_FILE
    message = (f"{text_token} {foreground} on {background_token} {background} ({use}) has a contrast of "
               f"{ratio:.2f}:1, under the {MINIMUM_CONTRAST}:1 of WCAG AA")
    brand = load_yaml_file(brand_file, shown(brand_file)) if brand_file.is_file() else None
    brand_colours = brand.data.get("color") if brand and isinstance(brand.data.get("color"), dict) else {}
    for token, colour, other in ((text_token, foreground, background), (background_token, background, foreground)):
        if roles.get(token) in brand_colours:
            shade, shade_ratio = passing_shade(colour, other)
            message += f"; the nearest shade of {colour} that passes is {shade} ({shade_ratio:.2f}:1)"
            return brand.problem(("color", roles[token]), message)
    own = theme.style_dirs[-1] / "brief.css"
    return Problem(shown(own if own.is_file() else theme.style_dirs[-1]), 1, "", message)


def token_sources(theme):
    """The CSS that sets the style tokens, in cascade order."""
    default, *others = theme.style_dirs
    yield (default / "brief.css").read_text(encoding="utf-8")
    yield theme.brand.css
    for folder in others:
        stylesheet = folder / "brief.css"
        if stylesheet.is_file():
            try:
                yield read_text(stylesheet, folder, MAX_SETTINGS_BYTES, where="the theme's styles folder")
            except (FileRefused, UnicodeDecodeError) as error:
                raise ThemeError(f"{stylesheet}: {error}") from None


def theme_from_folders(name, template_dirs, style_dirs):
    """A theme resolved elsewhere, from copies of its folders (a cluster
    worker's): the folders in the same order, the brand read from them as
    resolve_theme reads it (the built-in default's styles come first)."""
    brand_dir = _brand_dir(style_dirs)
    try:
        brand = load_brand(brand_dir, _declared_families(style_dirs[0] / "brief.css"))
    except BrandError as error:
        raise ThemeError(problems=error.problems) from None
    return _with_text_shades(Theme(name, tuple(template_dirs), tuple(style_dirs), brand))
