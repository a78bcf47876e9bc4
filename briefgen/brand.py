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
FONT_TYPES = (".ttf", ".otf", ".ttc", ".woff", ".woff2")
# `source: system` fonts: whole files a system package installs (Debian's
# fonts-noto-cjk, fonts-noto-core), read from here and nowhere else.
SYSTEM_FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))
HEX_COLOR = re.compile(r"#(?:[0-9a-fA-F]{3}){1,2}")


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
    scripts: tuple = ()      # (script, body family, heading family) after the Latin faces
    font_files: tuple = ()   # system font files the brand uses (the theme's own are in its folder)
    missing_fonts: tuple = ()  # (family, package) of system fonts not installed
    system_faces: tuple = ()   # (family, @font-face rule) of the system fonts

    def script_faces(self, scripts):
        """@font-face rules of the families drawing these scripts ('Hangul', 'Arabic', ...).
        A CJK collection is large: a brief without the script does not load it."""
        wanted = {script.lower() for script in scripts}
        families = {family for script, *pair in self.scripts if script.lower() in wanted for family in pair}
        return "\n".join(face for family, face in self.system_faces if family in families)

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


def load_brand(styles_dir):
    """The brand of a theme's styles folder; an empty Brand when it has no brand file."""
    file = Path(styles_dir) / BRAND_FILE
    if not file.is_file():
        return Brand()
    try:
        settings = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        return _Reader(file, settings).brand()
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
        self.system_files, self.missing, self.system_faces = [], [], []
        faces = self.font_faces()
        return Brand(
            name=name.get("full") or name.get("short") if isinstance(name, dict) else name,
            link=link.get("home") if isinstance(link, dict) else link,
            logo=self.logo(),
            contact=self.tool.get("contact"),
            disclaimer=self.tool.get("disclaimer"),
            css="\n".join(faces + [self.tokens()] + self.page()),
            scripts=self.scripts(),
            font_files=tuple(self.system_files),
            missing_fonts=tuple(dict.fromkeys(self.missing)),
            system_faces=tuple(self.system_faces),
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
        if not path.is_file():
            raise ValueError(f"{what} file not found: {path}")
        return path

    def font_faces(self):
        faces = []
        for font in (self.settings.get("typography") or {}).get("fonts") or []:
            family = font.get("family")
            source = font.get("source", "file")
            if source not in ("file", "system"):
                raise ValueError(f"font '{family}': only 'source: file' (a file of the theme) and "
                                 "'source: system' (a file a system package installs) are read")
            for entry in font.get("files") or []:
                entry = entry if isinstance(entry, dict) else {"path": entry}
                if source == "system":
                    path = self.system_font(entry.get("path"), family, font.get("package"))
                    if path is None:
                        continue
                else:
                    path = self.existing(entry.get("path"), f"font '{family}'", FONT_TYPES)
                face = (f'@font-face {{ font-family: "{family}"; src: url("{path.as_uri()}"); '
                        f'font-weight: {entry.get("weight", 400)}; font-style: {entry.get("style", "normal")}; }}')
                if source == "system":   # loaded only for a brief that uses its script (compose.py)
                    self.system_faces.append((family, face))
                else:
                    faces.append(face)
        return faces

    def system_font(self, path, family, package):
        """A system font file, or None (remembered) when its package is not installed."""
        path = Path(str(path))
        if not path.is_absolute() or not any(path.is_relative_to(root) for root in SYSTEM_FONT_DIRS):
            raise ValueError(f"font '{family}': a 'source: system' file must be under "
                             f"{' or '.join(map(str, SYSTEM_FONT_DIRS))}, not {path}")
        if path.suffix.lower() not in FONT_TYPES:
            raise ValueError(f"font '{family}': '{path}' is not one of {', '.join(FONT_TYPES)}")
        if not path.is_file():
            self.missing.append((family, package or "?"))
            return None
        self.system_files.append(path)
        return path

    def scripts(self):
        """`scripts:` of the tool's defaults: per script, the families set after the
        Latin ones, {base: ..., headings: ...}; text of that script falls back to them."""
        scripts = self.tool.get("scripts") or {}
        if not isinstance(scripts, dict):
            raise ValueError(f"defaults.{TOOL_KEY}.scripts: expected a map of script name to "
                             "{base: family, headings: family}")
        return tuple((str(script), _as_family(value.get("base")).get("family"),
                      _as_family(value.get("headings") or value.get("base")).get("family"))
                     for script, value in scripts.items())

    def tokens(self):
        tokens = {}
        color = self.settings.get("color") or {}
        palette = color.get("palette") or {}
        for role, prop in COLOR_ROLES.items():
            if role in color:
                tokens[prop] = self.color(palette.get(color[role], color[role]), role)
        typography = self.settings.get("typography") or {}
        base, headings = _as_family(typography.get("base")), _as_family(typography.get("headings"))
        scripts = self.scripts()
        if base.get("family"):
            tokens["--font-body"] = _families(base["family"], [body for _, body, _ in scripts], "serif")
        if headings.get("family"):
            tokens["--font-heading"] = _families(headings["family"], [heading for *_, heading in scripts],
                                                 "sans-serif")
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


def _families(latin, script_families, generic):
    """'"Latin", "Hangul family", "Arabic family", generic': the Latin face draws
    what it can, each script's face the rest."""
    names = dict.fromkeys([latin, *filter(None, script_families)])
    return ", ".join([f'"{name}"' for name in names] + [generic])


def _as_family(value):
    """Quarto allows `base: Family` or `base: {family: ..., size: ...}`."""
    return {"family": value} if isinstance(value, str) else (value or {})
