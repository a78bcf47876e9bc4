"""The block registry: every block type a section's `content` may hold.

A block type is one module here (or in a plugin package) that describes it in
one place: its schema part, its markdown fields, the files it reads, its
variant defaults, its own checks and how it is prepared for its template,
`blocks/<name>.html` in the theme. Validation, variant selection and the
manifest of incremental builds ask the registry; none of them names a block
type.

Adding a block type: a module with a `BLOCK = BlockType(...)` (listed in
BUILT_IN below, or registered by a plugin with `register()` or through the
`briefgen.blocks` entry point group), a template `templates/default/blocks/<name>.html`
(or `template_dir` for a plugin), and a CSS rule in the theme.
"""

from dataclasses import dataclass, field
from importlib import import_module
from importlib.metadata import entry_points
from pathlib import Path
from typing import Callable

from jinja2 import BaseLoader, FileSystemLoader

BUILT_IN = ("text", "callout", "quote", "table", "figure", "chart", "pagebreak")


def _no_problems(loaded, path, value):
    return []


def _no_files(value):
    return []


def _unchanged(fields, brief_dir):
    return fields


@dataclass(frozen=True)
class BlockType:
    name: str
    schema: dict                                 # JSON Schema of the block's value
    markdown_fields: tuple = ()                  # keys whose text is markdown
    defaults: dict = field(default_factory=dict)  # optional fields the template tests
    variants: tuple = None                       # where it appears unless the author says; None: everywhere
    files: Callable = _no_files                  # value -> paths relative to the brief it reads
    problems: Callable = _no_problems            # (loaded, path, value) -> [Problem]: what a schema cannot say
    prepare: Callable = _unchanged               # (fields, brief_dir) -> fields for the template
    extra_markdown: Callable = None              # (value, path, brief_dir) -> more (path, text) to check
    template_dir: Path = None                    # a plugin's own templates folder (holding blocks/<name>.html)
    draw: Callable = None                        # (fields, DrawContext) -> fields: work done only by the
                                                 # process that builds (charts), never while planning

    def markdown(self, value, path, brief_dir):
        """(path, text) of every markdown text in the block's value."""
        if isinstance(value, str):
            if self.markdown_fields == ("",):  # the value itself is markdown
                yield path, value
            return
        if not isinstance(value, dict):
            return
        for key in self.markdown_fields:
            if isinstance(value.get(key), str):
                yield path + (key,), value[key]
        if self.extra_markdown:
            yield from self.extra_markdown(value, path, brief_dir)


@dataclass(frozen=True)
class DrawContext:
    """What a block's draw() knows of the document being built."""
    brief_dir: Path
    language: str
    cache_dir: Path          # the output folder's cache
    chart_theme: object      # charts.ChartTheme
    chart_size: tuple        # the variant's chart slot, (width, height) in mm


def draw_blocks(brief, context):
    """Each block of the variant's brief after its type's draw(), in place;
    context None: nothing is drawn, only what templates need is filled in."""
    for section in brief["sections"] + brief.get("appendices", []):
        section["content"] = [_drawn(block, context) for block in section["content"]]
    return brief


def _drawn(block, context):
    draw = block_type(block["type"]).draw
    return draw(block, context) if draw else block


_REGISTRY = {}


def register(block_type):
    """Add a block type (a plugin's, or a test's); its name must be new."""
    if block_type.name in _REGISTRY or block_type.name == "variants":
        raise ValueError(f"block type '{block_type.name}' is already registered")
    _REGISTRY[block_type.name] = block_type
    return block_type


def registry():
    """Block name -> BlockType, built-in ones first, then plugins."""
    if not _REGISTRY:
        for name in BUILT_IN:
            register(import_module(f"{__name__}.{name}").BLOCK)
        for entry in entry_points(group="briefgen.blocks"):
            register(entry.load())
    return _REGISTRY


def block_type(name):
    return registry()[name]


def names():
    return tuple(registry())


def kind_of(block):
    """The block type's name of a block as written: a string is text."""
    if isinstance(block, str):
        return "text"
    return next((key for key in block if key in registry()), None)


class PluginTemplates(BaseLoader):
    """Templates of plugin block types, searched after the theme's folders; asks
    the registry at each look-up, so a block registered later is found too."""

    def get_source(self, environment, template):
        folders = [str(block.template_dir) for block in registry().values() if block.template_dir]
        return FileSystemLoader(folders).get_source(environment, template)
