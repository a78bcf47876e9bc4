"""Themes are untrusted: every template, built-in or a theme's, runs in Jinja's
immutable sandbox, and may only read templates inside the theme folders'
templates/ trees.

What a template can reach is cut to what templates need:
- no globals (no lipsum, cycler, joiner, namespace, range, dict);
- the harmless filters only (no format, center, indent, wordwrap, replace,
  batch, slice, random: ones that build unbounded text or differ per run);
- attributes starting with '_' and Python internals refused (the sandbox);
- methods only of the plain data the templates are given (text, dates,
  mappings) from a list of read-only ones, plus Jinja's own (super(), loop);
- output bounded: at most MAX_OUTPUT_CHARACTERS of HTML in at most
  MAX_OUTPUT_PARTS pieces, counted while it is produced, also inside
  macros and {% set %} blocks; '*' and '**' and '%' bounded.
A refusal is a SecurityError (a TemplateError), reported as file:line.
"""

import datetime
import hashlib
import os
import posixpath
import re
import sys
import types
from functools import lru_cache
from pathlib import Path, PurePath

import jinja2
from jinja2 import FileSystemBytecodeCache, StrictUndefined, TemplateNotFound, pass_eval_context
from jinja2.compiler import CodeGenerator
from jinja2.filters import do_join
from jinja2.loaders import FileSystemLoader, split_template_path
from jinja2.runtime import BlockReference, LoopContext, Macro, Undefined
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from ..util import cache
from ..util.files import MB, FileRefused, read_text

MAX_TEMPLATE_BYTES = 1 * MB
MAX_OUTPUT_CHARACTERS = 20 * MB      # far above the sample's full variant (~0.2 MB)
MAX_OUTPUT_PARTS = 500_000           # pieces held before joining them: each costs ~60 bytes
                                     # (the sample's full variant prints 30 kB in 200 pieces)
MAX_REPEAT = 100_000                 # items or characters a '*' may make
MAX_EXPONENT = 1_000
SAFE_FILTERS = (
    "abs", "attr", "capitalize", "count", "d", "default", "dictsort", "e", "escape", "first", "float",
    "forceescape", "int", "items", "join", "last", "length", "list", "lower", "map", "max", "min",
    "reject", "rejectattr", "reverse", "round", "safe", "select", "selectattr", "sort", "string",
    "striptags", "sum", "title", "tojson", "trim", "truncate", "unique", "upper", "urlencode", "wordcount",
)
SAFE_METHODS = {   # read-only methods that make at most as much text as they are given
    str: {"capitalize", "casefold", "count", "endswith", "find", "isalnum", "isalpha", "isdigit",
          "islower", "isnumeric", "isspace", "istitle", "isupper", "lower", "lstrip", "partition",
          "removeprefix", "removesuffix", "rfind", "rpartition", "rsplit", "rstrip", "split",
          "splitlines", "startswith", "strip", "swapcase", "title", "upper"},
    dict: {"get", "items", "keys", "values"},
    datetime.date: {"isoformat", "strftime", "weekday", "isoweekday"},
    PurePath: {"as_uri", "as_posix"},
}
PRINTF_WIDTH = re.compile(r"%[^a-zA-Z%]*?(\*|\d{5,})")


class ConfinedLoader(FileSystemLoader):
    """A FileSystemLoader whose templates must lie inside its folders once
    symlinks are resolved, read through files.py (bounded, no FIFOs, no hard
    links). '..' in a name is refused by Jinja itself (TemplateNotFound)."""

    def get_source(self, environment, template):
        pieces = split_template_path(template)
        for folder in self.searchpath:
            filename = posixpath.join(folder, *pieces)
            if os.path.lexists(filename) and not os.path.isdir(filename):
                break
        else:
            raise TemplateNotFound(template)
        try:
            source = read_text(filename, folder, MAX_TEMPLATE_BYTES, where="the theme's templates/ folder",
                               name=template, what="templates")
        except FileRefused as error:
            raise SecurityError(str(error)) from None
        except UnicodeDecodeError as error:
            raise SecurityError(f"'{template}' is not UTF-8: {error}") from None
        mtime = os.path.getmtime(filename)
        return source, filename, lambda: _unchanged(filename, mtime)


def _unchanged(filename, mtime):
    try:
        return os.path.getmtime(filename) == mtime
    except OSError:
        return False


class _BoundedCodeGenerator(CodeGenerator):
    """Every {{ expression }} printed is counted where it is printed (so a
    refusal names that line), and output captured by macros, {% set %} and
    {% filter %} blocks goes into a bounded list instead of a plain one."""

    def buffer(self, frame):
        frame.buffer = self.temporary_identifier()
        self.writeline(f"{frame.buffer} = environment.output_buffer()")

    def _output_child_pre(self, node, frame, finalize):
        self.write("environment.counted(")
        super()._output_child_pre(node, frame, finalize)

    def _output_child_post(self, node, frame, finalize):
        super()._output_child_post(node, frame, finalize)
        self.write(")")


class OutputBuffer(list):
    def __init__(self):
        super().__init__()
        self.characters = 0

    def append(self, part):
        self.characters += len(part)
        _check_size(self.characters // 2, (len(self) + 1) // 2)  # as bounded_concat
        super().append(part)

    def extend(self, parts):
        for part in parts:
            self.append(part)


def bounded_concat(parts):
    """Join the pieces of a render, stopping at twice the bound (printed
    expressions are stopped at the bound where they are printed, see counted;
    this catches loops of constant text); the error is thrown into the
    template's generator so that it names a file and line of the template."""
    kept, characters = [], 0
    for part in parts:
        characters += len(part)
        kept.append(part)
        try:
            _check_size(characters // 2, len(kept) // 2)
        except SecurityError as error:
            if isinstance(parts, types.GeneratorType):
                _innermost(parts).throw(error)
            raise
    return "".join(kept)


def _innermost(generator):
    """The template generator that printed last: Jinja renders blocks with
    `yield from` and includes with `for event in gen: yield event`."""
    while True:
        inner = generator.gi_yieldfrom or (generator.gi_frame.f_locals.get("gen") if generator.gi_frame else None)
        if not isinstance(inner, types.GeneratorType) or inner.gi_frame is None:
            return generator
        generator = inner


def _check_size(characters, parts):
    if characters > MAX_OUTPUT_CHARACTERS or parts > MAX_OUTPUT_PARTS:
        raise SecurityError(f"the template's output is over {MAX_OUTPUT_CHARACTERS // MB} MB "
                            f"or {MAX_OUTPUT_PARTS:,} pieces; is a loop running away?")


class ThemeEnvironment(ImmutableSandboxedEnvironment):
    code_generator_class = _BoundedCodeGenerator
    intercepted_binops = frozenset({"*", "**", "%"})

    def __init__(self, loader):
        super().__init__(loader=loader, autoescape=True, undefined=StrictUndefined,
                         trim_blocks=True, lstrip_blocks=True, bytecode_cache=compiled_templates())
        self.globals.clear()
        self.filters = {name: self.filters[name] for name in SAFE_FILTERS}
        self.filters["join"] = _bounded_join
        self.concat = bounded_concat
        self.output_buffer = OutputBuffer
        self.printed = [0, 0]     # characters and pieces of the current render
        self.allowed_functions = set()

    def allow_globals(self):
        """The globals installed after the sandbox cleared them (the labels'
        gettext functions) may be called: they are ours, not the theme's."""
        self.allowed_functions = {id(value) for value in self.globals.values() if callable(value)}

    def render(self, template, **context):
        """The template's output, within the output bounds."""
        self.printed = [0, 0]
        return template.render(**context)

    def counted(self, text):
        self.printed[0] += len(text)
        self.printed[1] += 1
        _check_size(*self.printed)
        return text

    def is_safe_callable(self, obj):
        if not super().is_safe_callable(obj):
            return False
        if isinstance(obj, (Macro, BlockReference, LoopContext, Undefined)) or id(obj) in self.allowed_functions:
            return True
        owner = getattr(obj, "__self__", None)
        if isinstance(obj, (types.MethodType, types.BuiltinMethodType)) and owner is not None:
            return isinstance(owner, LoopContext) or any(
                isinstance(owner, kind) and obj.__name__ in names for kind, names in SAFE_METHODS.items())
        return False

    def call_binop(self, context, operator_name, left, right):
        if operator_name == "*":
            _check_repeat(left, right)
            _check_repeat(right, left)
        elif operator_name == "**" and isinstance(right, (int, float)) and abs(right) > MAX_EXPONENT:
            raise SecurityError(f"'**' with an exponent over {MAX_EXPONENT:,} is refused in templates")
        elif operator_name == "%" and isinstance(left, str) and PRINTF_WIDTH.search(left):
            raise SecurityError("'%' formatting with a width of 10,000 or more is refused in templates")
        return super().call_binop(context, operator_name, left, right)


def _check_repeat(sequence, count):
    if isinstance(sequence, (str, list, tuple)) and isinstance(count, int) and len(sequence) * count > MAX_REPEAT:
        raise SecurityError(f"'*' would make {len(sequence) * count:,} items; templates may make "
                            f"at most {MAX_REPEAT:,}")


@pass_eval_context
def _bounded_join(eval_ctx, value, d="", attribute=None):
    """Jinja's join, refused when its separators alone would pass the output bound."""
    items = list(value)
    if len(str(d)) * max(len(items) - 1, 0) > MAX_OUTPUT_CHARACTERS:
        raise SecurityError(f"join would make over {MAX_OUTPUT_CHARACTERS // MB} MB of text")
    return do_join(eval_ctx, items, d, attribute)



class _CompiledTemplates(FileSystemBytecodeCache):
    """Templates compiled by an earlier run: compiling the theme's templates
    is a tenth of a one-document build. Jinja uses a compiled template only
    while its source's checksum matches; a cache that cannot be read or
    written means compiling again, never a failed build."""

    def load_bytecode(self, bucket):
        try:
            super().load_bytecode(bucket)
        except (OSError, ValueError, EOFError, TypeError):   # damaged: compile again
            bucket.reset()

    def dump_bytecode(self, bucket):
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass


@lru_cache(maxsize=1)
def compiled_templates():
    """The compiled templates in the user's cache folder (cache.py), or None.
    Their folder is named after what the compiled code depends on: Python,
    Jinja and the tool (whose code generator here bounds the output)."""
    if cache.folder() is None:
        return None
    stamp = hashlib.sha256(f"{sys.version}|{jinja2.__version__}|{cache.tool_fingerprint()}".encode())
    place = cache.folder() / f"templates-{stamp.hexdigest()[:16]}"
    try:
        place.mkdir(exist_ok=True, mode=0o700)
    except OSError:
        return None
    return _CompiledTemplates(str(place))
