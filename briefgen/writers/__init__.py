"""Output writers: one module per output format, registered here.

A variant is composed once (build.py) into a Composed document; a writer turns
it into its output in the output folder. The PDF writer lays it out (fitting
a page budget) and writes it; the web writer writes a page in a folder of its
own and copies what the page refers to beside it. The output path,
the manifest, the batch table and watch ask the writer for its extension and
never assume a format.
"""

from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path

# Format name -> the module that writes it: the one place a new output is registered.
FORMATS = {"pdf": f"{__name__}.pdf", "web": f"{__name__}.web", "docx": f"{__name__}.docx"}


@dataclass
class Composed:
    """A variant's HTML and what it refers to, as a writer receives it."""
    html: str
    variant: str
    spec: object               # theme.VariantSpec: the page budget and fit steps
    base_dir: Path             # the brief's folder: relative URLs resolve here
    roots: tuple               # folders a writer may read from (the brief's and the theme's)
    stylesheets: tuple         # the theme's stylesheet files in cascade order, for writers that copy them
    shown_path: str            # how messages name the brief
    date: object               # the brief's date: the output's creation date


@dataclass
class Written:
    """What a writer made: the file, its page count, how many layouts it took,
    and by how many lines it stayed over its page budget (0: within it)."""
    path: Path
    pages: int
    layouts: int = 1
    lines_over: int = 0
    messages: list = field(default_factory=list)   # the engine's warnings, for the author
    document: object = None                        # the laid-out document, for checks after layout
    served: list = field(default_factory=list)     # every file the layout read (for the manifest)
    files: list = field(default_factory=list)      # every file written, the output first; empty: the output alone
    step: object = None                            # the fit step the layout used (theme.FitStep); None: as designed


def writer(name):
    """The writer module for a format name (see FORMATS). A writer module has
    EXTENSION (its output file's suffix) and write(composed, target, options,
    after_layout) -> Written; and may have target(out_dir, stem, variant) (its
    output's path, when not <out>/<stem>-<variant><EXTENSION>), VARIANTS (the
    only variants it builds) and EDITION (the theme's template folder and
    stylesheet it composes with, instead of variants/<variant>.html and
    <variant>.css: see compose.py)."""
    return import_module(FORMATS[name])

