"""The user's project folder, and the built-in themes that come with the tool.

A project folder is the folder `brief` runs in: `brief build` builds the briefs
in its `briefs/` into its `out/`, and a theme name is looked up in its
`templates/<name>/` and `styles/<name>/` before the built-in themes (as MkDocs
looks in `custom_dir` before the theme). This checkout is a project folder too:
its `briefs/` hold the sample, and its `templates/` and `styles/` are the
built-in themes.
"""

from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]   # briefgen/
BRIEFS = "briefs"
TEMPLATES = "templates"
STYLES = "styles"


def folder():
    """The project folder: the working folder, read when asked (tests and
    `brief init` change it)."""
    return Path.cwd()


def builtin(kind):
    """The built-in `templates` or `styles` folder. An installed wheel carries
    them inside the package (pyproject.toml's package-dir maps the checkout's
    top-level folders there); a checkout or an editable install reads the
    checkout's own folders."""
    installed = PACKAGE / f"builtin_{kind}"
    return installed if installed.is_dir() else PACKAGE.parent / kind


class NoBriefs(Exception):
    pass


def briefs_in(directory):
    """The briefs in a folder: its .yaml files, in name order."""
    return sorted(Path(directory).glob("*.yaml"))


def briefs_to_build(arguments):
    """The brief files named, and the briefs inside the folders named; with
    none named, the briefs in the project folder's briefs/."""
    if not arguments:
        default = folder() / BRIEFS
        if not briefs_in(default):
            raise NoBriefs(f"no briefs to build: {default} holds no .yaml file; "
                           "name a brief, or start a project folder with `brief init`")
        return briefs_in(default)
    briefs = []
    for argument in map(Path, arguments):
        if argument.is_dir() and not briefs_in(argument):
            raise NoBriefs(f"no briefs to build: {argument} holds no .yaml file")
        briefs += briefs_in(argument) if argument.is_dir() else [argument]
    return briefs
