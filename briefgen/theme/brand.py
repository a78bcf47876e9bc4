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

from ..content.access import contrast
from ..content.citations import STYLES, style_problem
from ..inputs.load import load_yaml_file
from ..problems import BriefError, shown

from ..util.files import MB, FileRefused, regular_file
from .brand_values import COLOR_ROLE_NAMES, LOGO_SIZES as LOGO_SIZE_NAMES, STYLES as FONT_STYLES
from .brand_values import font_weight, resolved_colour
from .webfonts import ALL_STYLES, ALL_WEIGHTS, SOURCES as WEB_SOURCES, WebFont
from .webfonts import fetch_command, read_record, recorded_faces, theme_argument

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
# Named paper sizes (width, height) in mm; `paper:` also takes explicit
# dimensions, "170mm 240mm" or {width: 170mm, height: 240mm}.
PAPER = {"a4": (210, 297), "a5": (148, 210), "b5": (176, 250), "letter": (215.9, 279.4), "legal": (215.9, 355.6)}
LENGTH = re.compile(r"([0-9]+(?:\.[0-9]+)?)(mm|cm|in|pt)")
MM_PER = {"mm": 1, "cm": 10, "in": 25.4, "pt": 25.4 / 72}
# Logo heights (`defaults: policy-brief: logo-size:`) -> CSS custom properties; the
# defaults are in styles/default/brief.css.
LOGO_SIZES = {"cover": "--logo-cover", "running-head": "--logo-head", "summary": "--logo-summary"}
DEFAULT_LOGO_HEIGHTS = {"cover": 16, "running-head": 5, "summary": 7}   # as brief.css sets them, mm
RUNNING_HEAD_LOGO_WIDTH = 30   # mm: a wide logo is scaled down to this, leaving the head its room
IMAGE_TYPES = (".svg", ".png", ".jpg", ".jpeg")
FONT_TYPES = (".ttf", ".otf", ".ttc", ".woff", ".woff2")
# `source: system` fonts: whole files a system package installs (Debian's
# fonts-noto-cjk, fonts-noto-core), read from here and nowhere else.
SYSTEM_FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))
# What typography.base, .headings and .monospace style.
TYPOGRAPHY_SELECTORS = {"base": "body", "headings": "h1, h2, h3, h4, h5, h6, .title",
                        "monospace": "code, pre, kbd, samp"}
MAX_SETTINGS_BYTES = 1 * MB   # a brand file is a page of settings


class BrandError(Exception):
    """Problems of a brand file, each at its file, line and key."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("\n".join(map(str, self.problems)))


@dataclass(frozen=True)
class Brand:
    name: str = None
    link: str = None
    logo: Path = None        # for light backgrounds (the page)
    dark_logo: Path = None   # brand.yml's `dark` variant, for dark backgrounds (a cover band)
    contact: str = None
    disclaimer: str = None
    css: str = ""            # @font-face rules, role tokens and page size
    scripts: tuple = ()      # (script, body family, heading family) after the Latin faces
    font_files: tuple = ()   # system font files the brand uses (the theme's own are in its folder)
    missing_fonts: tuple = ()  # (family, package) of system fonts not installed
    system_faces: tuple = ()   # (family, @font-face rule) of the system fonts
    citation_style: str = None  # `citation-style:` a bundled style's name or a .csl file of the styles folder
    folder: Path = None        # the styles folder the brand file is in
    colour_roles: tuple = ()   # (style token, brand.yml role) of the colours the brand sets
    palette: tuple = ()        # color.palette's colours in order (charts)
    warnings: tuple = ()       # Problems: what the brand asked for and got changed (a too faint text colour)

    def script_faces(self, scripts):
        """@font-face rules of the families drawing these scripts ('Hangul', 'Arabic', ...).
        A CJK collection is large: a brief without the script does not load it."""
        wanted = {script.lower() for script in scripts}
        families = {family for script, *pair in self.scripts if script.lower() in wanted for family in pair}
        return "\n".join(face for family, face in self.system_faces if family in families)

    def logo_on(self, background):
        """The logo variant for a background colour (#hex): the dark one where
        light text would stand out more than dark text, when the brand has one."""
        if self.dark_logo and background and contrast(background, "#ffffff") > contrast(background, "#000000"):
            return self.dark_logo
        return self.logo

    @property
    def font_dirs(self):
        """Folders of the system fonts: a render may read them."""
        return tuple(sorted({str(Path(file).parent) for file in self.font_files}))

    def brief_defaults(self):
        """Brief fields the brand supplies when a brief leaves them out."""
        fields = {"organisation": self.name, "contact": self.contact, "disclaimer": self.disclaimer}
        return {key: value for key, value in fields.items() if value}

    @property
    def stylesheet_url(self):
        return "data:text/css;charset=utf-8," + quote(self.css) if self.css else None


def load_brand(styles_dir, known_families=()):
    """The brand of a theme's styles folder; an empty Brand when it has no brand
    file. known_families: font families the theme's stylesheets declare already."""
    file = Path(styles_dir) / BRAND_FILE
    if not file.is_file():
        return Brand()
    try:
        loaded = load_yaml_file(file, shown(file), single_link=True)  # lines, duplicate keys, no Python tags: as for a brief
    except BriefError as error:
        raise BrandError(error.problems) from None
    if loaded.problems:
        raise BrandError(loaded.problems)
    return _Reader(loaded, known_families).brand()


def web_font_requests(styles_dir):
    """The google and bunny fonts of a styles folder's brand file (for `brief
    fonts fetch`); a BrandError at its line for a wrong value."""
    file = Path(styles_dir) / BRAND_FILE
    if not file.is_file():
        return []
    try:
        loaded = load_yaml_file(file, shown(file), single_link=True)
    except BriefError as error:
        raise BrandError(error.problems) from None
    if loaded.problems:
        raise BrandError(loaded.problems)
    return _Reader(loaded, ()).web_fonts()


EXPECTED = {dict: "a mapping", list: "a list", str: "text", (str, int, float): "text or a number",
            (str, dict): "text or a mapping"}
FOUND = ((bool, "true or false"), (dict, "a mapping"), (list, "a list"), (str, "text"), ((int, float), "a number"))


class _Reader:
    def __init__(self, loaded, known_families):
        self.loaded, self.folder = loaded, loaded.path.parent
        self.known_families = set(known_families)
        self.tool_path = ("defaults", TOOL_KEY)

    def get(self, path, kind=None):
        """The value at a key path, None when absent; of the kind asked, or a BrandError at its line."""
        value = self.loaded.data
        for key in path:
            if isinstance(value, dict):
                value = value.get(key)
            else:
                value = value[key] if isinstance(value, list) and isinstance(key, int) and key < len(value) else None
        if value is not None and kind is not None and not isinstance(value, kind):
            found = next((words for python_type, words in FOUND if isinstance(value, python_type)), type(value).__name__)
            raise self.error(path, f"expected {EXPECTED[kind]}, found {found}")
        return value

    def error(self, path, message):
        return BrandError([self.loaded.problem(path, message)])

    def brand(self):
        for path in (("meta",), ("color",), ("typography",), ("defaults",), self.tool_path):
            self.get(path, dict)
        name, link = self.get(("meta", "name")), self.get(("meta", "link"))
        if isinstance(name, dict):   # both checked, though `short` names the brand only without `full`
            self.get(("meta", "name", "short"), str)
        self.system_files, self.missing, self.system_faces = [], [], []
        faces = self.font_faces()
        logo, dark_logo = self.logo()
        return Brand(
            name=(self.get(("meta", "name", "full"), str) or self.get(("meta", "name", "short"), str)
                  if isinstance(name, dict) else self.text(("meta", "name"))),
            link=self.get(("meta", "link", "home"), str) if isinstance(link, dict) else self.text(("meta", "link")),
            logo=logo,
            dark_logo=dark_logo,
            contact=self.get(self.tool_path + ("contact",), str),
            disclaimer=self.get(self.tool_path + ("disclaimer",), str),
            css="\n".join(faces + [self.tokens()] + self.typography_rules() + self.page()
                          + _running_head_logo(logo, self.logo_height("running-head"))),
            colour_roles=tuple((prop, role) for prop, _, role in self.colour_tokens()),
            palette=self.palette_colours(),
            scripts=self.scripts(),
            font_files=tuple(self.system_files),
            missing_fonts=tuple(dict.fromkeys(self.missing)),
            system_faces=tuple(self.system_faces),
            citation_style=self.citation_style(),
            folder=self.folder,
        )

    def citation_style(self):
        """`citation-style:` a bundled style's name (citations.STYLES), or a .csl file of the theme."""
        path = self.tool_path + ("citation-style",)
        name = self.get(path, str)
        if name and name.lower().endswith(".csl"):
            problem = style_problem(self.existing(name, "", (".csl",), path))
            if problem:
                raise self.error(path, problem)
        elif name and name not in STYLES:
            raise self.error(path, f"unknown citation style '{name}'; expected one of {', '.join(STYLES)} "
                                   "or a .csl file of the theme")
        return name

    def text(self, path):
        return self.get(path, str)

    def logo(self):
        """(light, dark) images of the largest size the brand gives (a cover is
        the large place); dark is None when the brand has no dark variant.
        brand.yml writes each as a path, a name of logo.images, {path: ..., alt: ...}
        or {light: ..., dark: ...} of those."""
        logo = self.get(("logo",))
        if not logo:
            return None, None
        if not isinstance(logo, dict) or "path" in logo:
            return self.image(("logo",), {}), None
        images = self.get(("logo", "images"), dict) or {}
        for size in LOGO_SIZE_NAMES:   # each checked, though a page shows the largest
            if self.get(("logo", size)) is not None:
                self.logo_variants(("logo", size), images)
        size = next((size for size in LOGO_SIZE_NAMES[::-1] if self.get(("logo", size))), None)
        if size is None and not {"light", "dark"} & set(logo):
            raise self.error(("logo",), "names no image: give 'large', 'medium' or 'small'")
        return self.logo_variants(("logo", size) if size else ("logo",), images)

    def logo_variants(self, path, images):
        """(light, dark) of one logo size: an image, or {light: ..., dark: ...}."""
        value = self.get(path, (str, dict))
        if isinstance(value, dict) and {"light", "dark"} & set(value):
            light = self.image(path + ("light",), images) if value.get("light") else None
            dark = self.image(path + ("dark",), images) if value.get("dark") else None
            return light or dark, dark
        return self.image(path, images), None

    def image(self, path, images):
        """One logo image: a path, a name of logo.images, or {path: ..., alt: ...}."""
        value = self.get(path, (str, dict))
        if isinstance(value, str) and value in images:
            path = ("logo", "images", value)
            value = self.get(path, (str, dict))
        if isinstance(value, dict):
            path = path + ("path",)
            value = value.get("path")
        return self.existing(value, "", IMAGE_TYPES, path)

    def existing(self, relative, what, suffixes, path):
        """A file of the theme; `what` names it when the key does not ("font 'Lato': ")."""
        what = f"{what}: " if what else ""
        if not isinstance(relative, str):
            raise self.error(path, f"{what}expected a file path")
        file = (self.folder / relative).resolve()
        if not file.is_relative_to(self.folder.resolve()):
            is_font = suffixes == FONT_TYPES
            home, name = (self.folder / "fonts", f"fonts/{file.name}") if is_font else (self.folder, file.name)
            raise self.error(path, f"{what}'{relative}' is outside the theme's styles folder; a theme carries "
                                   f"its files: copy it into {shown(home)}/ and write '{name}'")
        if file.suffix.lower() not in suffixes:
            raise self.error(path, f"{what}'{relative}' is not one of {', '.join(suffixes)}")
        try:  # a regular file with one link, like every file a theme brings
            regular_file(file, self.folder, "the theme's styles folder", name=relative)
        except FileRefused as error:
            raise self.error(path, f"{what}file not found: {shown(file)}" if error.kind == "missing"
                             else f"{what}{error}") from None
        return file

    def font_faces(self):
        faces = []
        for index, font in enumerate(self.get(("typography", "fonts"), list) or []):
            path = ("typography", "fonts", index)
            self.get(path, dict)
            family = self.get(path + ("family",), str)
            source = self.font_source(path, family)
            if source in WEB_SOURCES:
                faces += self.web_font_faces(path, family)
                continue
            for number, entry in enumerate(self.get(path + ("files",), list) or []):
                entry = entry if isinstance(entry, dict) else {"path": entry}
                where = path + ("files", number)
                if source == "system":
                    file = self.system_font(entry.get("path"), family, font.get("package"), where)
                    if file is None:
                        continue
                else:
                    file = self.existing(entry.get("path"), f"font '{family}'", FONT_TYPES, where)
                face = (f'@font-face {{ font-family: "{family}"; src: url("{file.as_uri()}"); '
                        f'font-weight: {entry.get("weight", 400)}; font-style: {entry.get("style", "normal")}; }}')
                if source == "system":   # loaded only for a brief that uses its script (compose.py)
                    self.system_faces.append((family, face))
                else:
                    faces.append(face)
        for path, family in self.implicit_google_fonts():
            faces += self.recorded_faces(path, WebFont(family, "google", self.all_faces()), declared=False)
        return faces

    def implicit_google_fonts(self):
        """(key path, family) of the families typography.base, .headings and .monospace
        name without declaring them: brand.yml takes those from Google Fonts."""
        found = {}
        for key in TYPOGRAPHY_SELECTORS:
            path = ("typography", key)
            value = self.get(path, (str, dict))
            if isinstance(value, dict):
                path, value = path + ("family",), self.get(path + ("family",), str)
            if value and value not in self.declared_families() | self.known_families and value not in found.values():
                found[path] = value
        return list(found.items())

    @staticmethod
    def all_faces():
        return tuple((weight, style) for weight in ALL_WEIGHTS for style in ALL_STYLES)

    def font_source(self, path, family):
        source = self.get(path + ("source",)) or "file"
        if source not in ("file", "system", *WEB_SOURCES):
            raise self.error(path + ("source",), f"font '{family}': {source!r} is not a font source; "
                                                 "expected file, system, google or bunny")
        return source

    def web_fonts(self):
        """The brand's google and bunny fonts, each with the faces it asks for."""
        fonts = []
        for index, _ in enumerate(self.get(("typography", "fonts"), list) or []):
            path = ("typography", "fonts", index)
            self.get(path, dict)
            family = self.get(path + ("family",), str)
            if self.font_source(path, family) in WEB_SOURCES:
                fonts.append(self.web_font(path, family))
        return fonts + [WebFont(family, "google", self.all_faces()) for _, family in self.implicit_google_fonts()]

    def web_font(self, path, family):
        """brand.yml's `weight` (one, a list, or a range '300..700'; none: 100 to 900)
        and `style` (one or a list; none: normal and italic) of a web font."""
        if not family:
            raise self.error(path, "a web font needs its 'family'")
        weights = self.get(path + ("weight",))
        if weights is None:
            weights = list(ALL_WEIGHTS)
        elif isinstance(weights, str) and ".." in weights:
            low, _, high = (font_weight(part) for part in weights.partition(".."))
            if low is None or high is None or low > high:
                raise self.error(path + ("weight",), f"{weights!r} is not a weight range such as '300..700'")
            weights = [weight for weight in ALL_WEIGHTS if low <= weight <= high]
        weights = weights if isinstance(weights, list) else [weights]
        numbers = [font_weight(weight) for weight in weights]
        if None in numbers or not numbers:
            raise self.error(path + ("weight",), f"{weights[numbers.index(None)] if numbers else weights!r} is "
                                                 "not a font weight (100 to 900, or a name such as light, bold)")
        styles = self.get(path + ("style",)) or list(ALL_STYLES)
        styles = styles if isinstance(styles, list) else [styles]
        wrong = [style for style in styles if style not in ALL_STYLES]
        if wrong:
            raise self.error(path + ("style",), f"{wrong[0]!r} is not one of {', '.join(ALL_STYLES)}")
        faces = tuple((weight, style) for weight in dict.fromkeys(numbers) for style in dict.fromkeys(styles))
        return WebFont(family, self.get(path + ("source",)), faces)

    def web_font_faces(self, path, family):
        """@font-face rules of a web font from the files `brief fonts fetch` recorded."""
        return self.recorded_faces(path, self.web_font(path, family))

    def recorded_faces(self, path, font, declared=True):
        fonts_folder = self.folder / "fonts"
        found = recorded_faces(font, fonts_folder, read_record(fonts_folder))
        family = font.family
        if isinstance(found, str):
            command = f"run '{fetch_command(theme_argument(self.folder))}' (builds never reach the network)"
            if not declared:
                raise self.error(path, f"font '{family}' is not under typography.fonts, so it comes from Google "
                                       f"Fonts (brand.yml's default) and is {found}: {command}, or declare it with "
                                       f"its files (family: {family}, files: [fonts/....ttf])")
            raise self.error(path, f"font '{family}' (source: {font.source}): {found}: {command}")
        return [f'@font-face {{ font-family: "{family}"; src: url("{file.as_uri()}"); '
                f'font-weight: {weight}; font-style: {style}; }}' for weight, style, file in found]

    def declared_families(self):
        return {font.get("family") for font in self.get(("typography", "fonts")) or [] if isinstance(font, dict)}

    def system_font(self, path, family, package, where):
        """A system font file, or None (remembered) when its package is not installed."""
        path = Path(str(path))
        if not path.is_absolute() or not any(path.is_relative_to(root) for root in SYSTEM_FONT_DIRS):
            raise self.error(where, f"font '{family}': a 'source: system' file must be under "
                                    f"{' or '.join(map(str, SYSTEM_FONT_DIRS))}, not {path}")
        if path.suffix.lower() not in FONT_TYPES:
            raise self.error(where, f"font '{family}': '{path}' is not one of {', '.join(FONT_TYPES)}")
        if not path.is_file():
            self.missing.append((family, package or "?"))
            return None
        self.system_files.append(path)
        return path

    def scripts(self):
        """`scripts:` of the tool's defaults: per script, the families set after the
        Latin ones, {base: ..., headings: ...}; text of that script falls back to them."""
        scripts = self.get(self.tool_path + ("scripts",), dict) or {}
        families = []
        for script in scripts:
            value = self.get(self.tool_path + ("scripts", script), dict) or {}
            families.append((str(script), _as_family(value.get("base")).get("family"),
                             _as_family(value.get("headings") or value.get("base")).get("family")))
        return tuple(families)

    def tokens(self):
        tokens = {prop: colour for prop, colour, _ in self.colour_tokens()}
        if self.palette_colours():   # charts draw their series in these, in order
            tokens["--chart-palette"] = " ".join(self.palette_colours())
        scripts = self.scripts()
        for key, prop, generic in (("base", "--font-body", "serif"), ("headings", "--font-heading", "sans-serif"),
                                   ("monospace", "--font-mono", "monospace")):
            family = self.family(key)
            if family:
                fallbacks = [body if key == "base" else heading for _, body, heading in scripts] if key != "monospace" else []
                tokens[prop] = _families(family, fallbacks, generic)
        for prop, key in (("--size-body", "size"), ("--leading", "line-height")):
            value = self.typography_value("base", key)
            if value is not None:
                tokens[prop] = value
        tokens.update(self.logo_sizes())
        body = "; ".join(f"{prop}: {value}" for prop, value in tokens.items())
        return f":root {{ {body}; }}" if tokens else ""

    def colour_tokens(self):
        """(style token, #hex, brand.yml role) of the roles the theme uses; every
        role and palette entry is checked, the ones no page uses are not set."""
        palette = self.get(("color", "palette"), dict) or {}
        roles = {role: self.get(("color", role)) for role in COLOR_ROLE_NAMES if self.get(("color", role)) is not None}
        for name in palette:
            self.colour(("color", "palette", name), palette, roles)
        found = []
        for role in roles:
            colour = self.colour(("color", role), palette, roles)
            if role in COLOR_ROLES:
                found.append((COLOR_ROLES[role], colour, role))
        return found

    def palette_colours(self):
        """The palette's colours in the brand's order, each once (charts draw series in them)."""
        palette = self.get(("color", "palette"), dict) or {}
        roles = {role: self.get(("color", role)) for role in COLOR_ROLE_NAMES}
        return tuple(dict.fromkeys(self.colour(("color", "palette", name), palette, roles) for name in palette))

    def colour(self, path, palette, roles):
        colour = resolved_colour(self.get(path), palette, roles)
        if colour is None:
            raise self.error(path, f"{self.get(path)!r} is not a colour (#hex, a CSS colour name, rgb(...)) "
                                   "or a palette name")
        return colour

    def typography_value(self, key, setting):
        """typography.<key>.<setting> as CSS text (size, line-height), None when absent."""
        if not isinstance(self.get(("typography", key)), dict):
            return None
        value = self.get(("typography", key, setting), (str, int, float))
        return None if value is None else str(value)

    def typography_rules(self):
        """Weight, style, colour (and line-height, and size where no token sets
        it) of typography.base, .headings and .monospace, as CSS rules."""
        rules = []
        for key, selector in TYPOGRAPHY_SELECTORS.items():
            path = ("typography", key)
            if not isinstance(self.get(path), dict):
                continue
            declarations = [self.weight(path)] if self.get(path + ("weight",)) is not None else []
            style = self.get(path + ("style",), str)
            if style is not None:
                if style not in FONT_STYLES:
                    raise self.error(path + ("style",), f"{style!r} is not one of {', '.join(FONT_STYLES)}")
                declarations.append(f"font-style: {style}")
            for setting, prop in (("line-height", "line-height"), ("size", "font-size")):
                if key != "base" and self.typography_value(key, setting) is not None:
                    declarations.append(f"{prop}: {self.typography_value(key, setting)}")
            if self.get(path + ("color",)) is not None:
                palette = self.get(("color", "palette"), dict) or {}
                roles = {role: self.get(("color", role)) for role in COLOR_ROLE_NAMES}
                declarations.append(f"color: {self.colour(path + ('color',), palette, roles)}")
            if declarations:
                rules.append(f"{selector} {{ {'; '.join(declarations)}; }}")
        return rules

    def weight(self, path):
        weight = self.get(path + ("weight",))
        if font_weight(weight) is None:
            raise self.error(path + ("weight",), f"{weight!r} is not a font weight (100 to 900, or a name "
                                                 "such as light, normal, semi-bold, bold)")
        return f"font-weight: {font_weight(weight)}"

    def family(self, key):
        """typography.base or .headings: `Family` or `{family: ...}` (Quarto allows both)."""
        path = ("typography", key)
        value = self.get(path, (str, dict))
        if isinstance(value, dict):
            path = path + ("family",)
            value = self.get(path, str)
        return value   # an undeclared family is a Google font (implicit_google_fonts)

    def logo_sizes(self):
        path = self.tool_path + ("logo-size",)
        sizes = self.get(path, dict) or {}
        tokens = {}
        for key, value in sizes.items():
            if key not in LOGO_SIZES:
                raise self.error(path + (key,), f"unknown logo size; expected one of: {', '.join(LOGO_SIZES)}")
            tokens[LOGO_SIZES[key]] = f"{_millimetres(value, lambda message: self.error(path + (key,), message)):g}mm"
        return tokens

    def logo_height(self, place):
        """The logo's height in mm at a place of LOGO_SIZES (logo-size:, else the default theme's)."""
        token = self.logo_sizes().get(LOGO_SIZES[place])
        return float(token.removesuffix("mm")) if token else DEFAULT_LOGO_HEIGHTS[place]

    def page(self):
        """The page size, and the landscape page of wide tables (the named page `wide`).
        Every variant's layout follows the page (100pvh covers, pvh spacing): the size is all it takes."""
        path = self.tool_path + ("paper",)
        paper = self.get(path, (str, dict))
        if paper is None:
            return []
        width, height = paper_size(paper, lambda message: self.error(path, message))
        return [f"@page {{ size: {width:g}mm {height:g}mm; }}",
                f"@page wide, wide-rtl {{ size: {max(width, height):g}mm {min(width, height):g}mm; }}"]


def paper_size(paper, error):
    """(width, height) in mm of `paper:`: a name (A4, A5, B5, Letter, Legal),
    "170mm 240mm", or {width: 170mm, height: 240mm}."""
    if isinstance(paper, dict):
        unknown = set(paper) - {"width", "height"}
        if unknown or len(paper) != 2:
            raise error("expected {width: ..., height: ...}, such as {width: 170mm, height: 240mm}")
        return _millimetres(paper["width"], error), _millimetres(paper["height"], error)
    name = paper.strip().lower()
    if name in PAPER:
        return PAPER[name]
    parts = name.split()
    if len(parts) == 2 and all(LENGTH.fullmatch(part) for part in parts):
        return tuple(_millimetres(part, error) for part in parts)
    raise error(f"{paper!r} is not a paper size: A4, A5, B5, Letter, Legal, or two lengths such as '170mm 240mm'")


def _millimetres(value, error):
    """'18mm', '1.5cm', '0.5in', '24pt' -> millimetres; a BrandError from error(message) otherwise."""
    match = LENGTH.fullmatch(str(value).strip())
    if not match or float(match.group(1)) <= 0:
        raise error(f"{value!r} is not a length such as 18mm, 1.5cm, 0.5in or 24pt")
    millimetres = float(match.group(1)) * MM_PER[match.group(2)]
    if not 0 < millimetres <= 1000:
        raise error(f"{value!r} is not a length between 0 and 1 m")
    return round(millimetres, 2)


def _running_head_logo(logo, height_mm):
    """The logo beside the series in the running head, scaled into its box
    (height_mm high, at most RUNNING_HEAD_LOGO_WIDTH wide) with the box's
    padding as wide as the logo, so no text of the head runs under it; a
    background, so it is tagged as decoration."""
    if logo is None:
        return []
    aspect = image_aspect(logo)
    width = min(height_mm * aspect, RUNNING_HEAD_LOGO_WIDTH)
    height = width / aspect
    return [f'@page {{ @top-right {{ background: url("{logo.as_uri()}") no-repeat right bottom 3.6mm; '
            f'background-size: {width:.2f}mm {height:.2f}mm; padding-right: {width + 1.5:.2f}mm; }} }}']


def image_aspect(file):
    """Width over height of an SVG (its viewBox, or width and height) or a raster image; 1 when unknown."""
    if file.suffix.lower() == ".svg":
        text = file.read_text(encoding="utf-8", errors="replace")[:4000]
        box = re.search(r'viewBox\s*=\s*["\']\s*[-\d.]+[\s,]+[-\d.]+[\s,]+([\d.]+)[\s,]+([\d.]+)', text)
        size = re.search(r'<svg\b[^>]*?\swidth\s*=\s*["\']([\d.]+)[^>]*?\sheight\s*=\s*["\']([\d.]+)', text, re.S)
        found = box or size
        width, height = (float(found.group(1)), float(found.group(2))) if found else (1, 1)
    else:
        from PIL import Image   # Pillow: WeasyPrint's own dependency
        with Image.open(file) as image:
            width, height = image.size
    return width / height if width > 0 and height > 0 else 1


def _families(latin, script_families, generic):
    """'"Latin", "Hangul family", "Arabic family", generic': the Latin face draws
    what it can, each script's face the rest."""
    names = dict.fromkeys([latin, *filter(None, script_families)])
    return ", ".join([f'"{name}"' for name in names] + [generic])


def _as_family(value):
    """Quarto allows `base: Family` or `base: {family: ..., size: ...}`."""
    return {"family": value} if isinstance(value, str) else (value or {})
