"""What a build is asked for besides the brief itself: made by the command
line, it travels to every process that builds (a worker, the layout
process), so it names nothing of the composing code."""

from dataclasses import dataclass
from pathlib import Path

from ..render.layout import Limits
from ..render.standards import DEFAULT_STANDARD


@dataclass(frozen=True)
class Options:
    """Everything a build is asked for besides the brief itself."""
    variants: tuple = ()              # empty: every variant of the theme
    theme: str = None                 # --theme, relative to the working folder
    out_dir: Path = Path("out")
    keep_html: bool = False
    allow_overflow: bool = False
    limits: Limits = Limits()
    standard: str = DEFAULT_STANDARD
    format: str = "pdf"               # the output writer (writers.FORMATS): --format
    allow_missing_glyphs: bool = False  # a script no theme font draws: one warning, not an error
    csl: Path = None                  # --csl: the citation style file, over the brief's and the theme's
    cmyk_profile: Path = None         # --cmyk-profile: the print shop's ICC profile for PDF/X-4
    spare_core: bool = False          # a core no other document of the run uses (render/fit.py may use it)
