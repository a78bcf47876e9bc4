"""A brief as loaded: its data and the line of every field, for messages.
Apart from the YAML reader (load.py), so that a process that only lays out
and checks the page (build/layout_process.py) receives it without PyYAML."""

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..problems import Problem, field_name


@dataclass
class LoadedBrief:
    path: Path          # the brief's file
    shown_path: str     # how messages name it
    data: object        # plain dicts, lists and scalars
    lines: dict = field(default_factory=dict)  # field path tuple -> line number
    spans: dict = field(default_factory=dict)  # field path tuple -> (start, end) offsets of a text value in `text`
    text: str = ""      # the file's source, to find a word inside a multi-line value
    problems: list = field(default_factory=list)  # found while reading, reported with validation's
    warnings: list = field(default_factory=list)  # Problems that do not stop a build

    def line_of(self, path):
        """Line of a field, or of its nearest parent that has one."""
        path = tuple(path)
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path, 1)

    def problem(self, path, message, line=None):
        return Problem(self.shown_path, line or self.line_of(path), field_name(path), message)

    def line_in(self, path, pattern):
        """Line of the first match of a regex inside a text field's source, so a
        message points into a multi-line markdown value; the field's line otherwise.

        The value's source is searched, not the parsed text: YAML folds lines
        (`>`, plain and quoted scalars) and strips indentation, so an offset in
        the parsed text does not map back to a line, but a word found between the
        value's first and last character does."""
        span = self.spans.get(tuple(path))
        if span:
            match = re.search(pattern, self.text[span[0]:span[1]])
            if match:
                return self.text.count("\n", 0, span[0] + match.start()) + 1
        return self.line_of(path)
