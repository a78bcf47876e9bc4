"""Problems found in a brief, reported one line each as `file:line: field: message`."""

import os
import re
from dataclasses import dataclass
from pathlib import Path

CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    field: str
    message: str

    def __str__(self):
        where = f"{self.file}:{self.line}"
        text = f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        return one_line(text)


def one_line(text):
    """Control characters from the input (a key with a newline, say) shown escaped."""
    return CONTROL.sub(lambda match: repr(match.group())[1:-1], text)


def sent_whole(error):
    """An error's __reduce__ that keeps its attributes (problems, ...) when it
    is sent to another process (build/layout_process.py): rebuilt without
    calling its __init__, whose arguments are not its args."""
    return _rebuilt, (type(error), error.args), error.__dict__


def _rebuilt(kind, args):
    error = kind.__new__(kind, *args)
    error.args = args
    return error


class BriefError(Exception):
    """A brief (or its build) cannot be built; carries every problem found."""
    __reduce__ = sent_whole

    def __init__(self, problems, outputs=()):
        self.problems = list(problems)
        self.outputs = list(outputs)  # what was built before the problem, if anything
        super().__init__("\n".join(str(p) for p in self.problems))


class DeadlinePassed(BriefError):
    """The build ran out of time (--time-limit): nothing may try again."""


class OutputError(Exception):
    """An output that cannot be written, as one line naming the path and the
    cause: 'out/: read-only file system'."""
    __reduce__ = sent_whole

    def __init__(self, path, error_number):
        cause = os.strerror(error_number).lower() if error_number else "cannot be written"
        super().__init__(one_line(f"{path}: {cause}"))


class ThemeError(Exception):
    """A theme that cannot be used. problems: at the theme file's line, when a
    theme file is to blame (reported as a brief's problems are)."""
    __reduce__ = sent_whole

    def __init__(self, message="", problems=()):
        self.problems = list(problems)
        super().__init__("\n".join(map(str, self.problems)) or message)


def field_name(path):
    """('sections', 2, 'content', 0) -> 'sections[2].content[0]'."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def shown(path):
    """A path as messages show it: relative to the working folder when inside it."""
    path = Path(path)
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
