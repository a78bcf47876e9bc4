"""MkDocs hook: pages that say `<!-- generated: NAME -->` get that part
written from the program itself when the site is built, so the brief
format's reference (from the JSON Schema) and the command reference (from
click) cannot drift from the code."""

import re
from pathlib import Path

from briefgen.brief.reference import reference_markdown as brief_format
from briefgen.cli.reference import reference_markdown as commands

README = Path(__file__).resolve().parent.parent / "README.md"


def readme():
    """The README, as the site's home page: its links into docs/ made relative to the site."""
    return re.sub(r"\]\(docs/", "](", README.read_text(encoding="utf-8"))


GENERATED = {"brief-format": brief_format, "cli-reference": commands, "readme": readme}


def on_page_markdown(markdown, page, config, files):
    for name, write in GENERATED.items():
        marker = f"<!-- generated: {name} -->"
        if marker in markdown:
            markdown = markdown.replace(marker, write())
    return markdown
