"""Phase 1: read a brief's YAML safely, remembering the line of every field.

PyYAML's own constructor silently keeps the last of two duplicate keys and
expands aliases without bound, so the node tree is converted here instead.
"""

import math
import sys
from pathlib import Path

import yaml

from ..util.files import FileRefused, read_bytes
from ..problems import BriefError, Problem, field_name
from .loaded import LoadedBrief

TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
MAX_NODES = 100_000  # far above any real brief; stops "billion laughs" files fast
MAX_BYTES = 2 * 2**20
MAX_CHARACTERS = 4 * 2**20   # all text once aliases are expanded: an alias may repeat a long scalar
MAX_DEPTH = 40       # a brief nests a handful of levels; deeper is an attack or an accident
STANDARD_TAGS = {"tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"}


def load_brief(path, shown_path=None):
    return load_yaml_file(path, shown_path, parse_brief)


def load_yaml_file(path, shown_path=None, parse=None, single_link=False):
    """A YAML file (a brief, a theme's brand or variant file) with its lines."""
    parse = parse or parse_settings
    path = Path(path)
    shown = shown_path or str(path)
    try:
        # The brief is the file the user named: it may be a link to a file elsewhere;
        # a theme's files come from a folder and are refused as links (single_link).
        text = read_bytes(path, path.resolve().parent, MAX_BYTES, name=shown, single_link=single_link).decode("utf-8")
    except FileRefused as error:
        if error.kind == "size":
            raise BriefError([Problem(shown, 1, "", f"the file is over {MAX_BYTES // 2**20} MB; "
                                                    "far more than any brief or theme file")]) from None
        raise BriefError([Problem(shown, 1, "", "file not found" if error.kind == "missing" else f"the file {error.reason}")]) from None
    except UnicodeDecodeError as error:
        raise BriefError([Problem(shown, 1, "", f"cannot read the file: {error}")]) from None
    return parse(text, path, shown)


# libyaml's parser when PyYAML was built with it: the same safe loading, faster.
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_brief(text, path, shown_path):
    return parse_yaml(text, path, shown_path,
                      "a brief must be a mapping of fields such as 'title:' and 'date:'")


def parse_settings(text, path, shown_path):
    """A theme's settings file; one of comments only has no settings."""
    return parse_yaml(text, path, shown_path, "expected a mapping of settings such as 'key: value'", empty={})


def parse_yaml(text, path, shown_path, not_a_mapping, empty=None):
    brief = LoadedBrief(Path(path), shown_path, None, text=text)
    loader = SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None and empty is None:
            raise BriefError([Problem(shown_path, 1, "", "the file is empty")])
        brief.lines[()] = node.start_mark.line + 1 if node else 1
        brief.data = _Converter(loader, brief).convert(node, ()) if node else empty
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        raise BriefError([Problem(shown_path, line, "", f"YAML syntax error: {_explain(error.problem, text, line)}")]) from None
    except yaml.YAMLError as error:
        raise BriefError([Problem(shown_path, 1, "", f"YAML error: {error}")]) from None
    except RecursionError:
        raise BriefError([Problem(shown_path, 1, "", "the YAML is nested too deeply")]) from None
    finally:
        loader.dispose()
    if not isinstance(brief.data, dict):
        raise BriefError([Problem(shown_path, 1, "", not_a_mapping)])
    return brief


def _explain(problem, text, line):
    """A tab where YAML expects indentation: libyaml's words ('found character
    that cannot start any token') do not name it."""
    source_line = (text.splitlines()[line - 1:line] or [""])[0]
    indentation = source_line[:len(source_line) - len(source_line.lstrip(" \t"))]
    if "\t" in indentation:
        return "a tab in the indentation; indent with spaces only"
    return problem


# The integers Python prints in decimal: a longer one (read from hexadecimal,
# which has no bound) fails wherever it is shown or checked.
MAX_INTEGER_BITS = int(sys.get_int_max_str_digits() * math.log2(10))


class _Converter:
    def __init__(self, loader, brief):
        self.loader = loader
        self.brief = brief
        self.nodes = 0
        self.characters = 0

    def convert(self, node, path):
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise BriefError([Problem(self.brief.shown_path, node.start_mark.line + 1, "",
                                      f"too many values (over {MAX_NODES:,}); are YAML aliases expanding without end?")])
        if len(path) > MAX_DEPTH:
            raise BriefError([self.brief.problem(path, f"nested more than {MAX_DEPTH} levels deep")])
        if isinstance(node, yaml.CollectionNode) and node.tag not in STANDARD_TAGS:
            raise BriefError([self.brief.problem(path, f"unsupported YAML tag {node.tag!r}")])
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            items = []
            for index, item in enumerate(node.value):
                self.brief.lines[path + (index,)] = item.start_mark.line + 1
                items.append(self.convert(item, path + (index,)))
            return items
        # An unquoted date is text like any other field; the schema checks its form.
        self.characters += len(node.value)
        if self.characters > MAX_CHARACTERS:
            raise BriefError([self.brief.problem(path, f"the text adds up to over {MAX_CHARACTERS // 2**20} MB "
                                                       "once YAML aliases are expanded; a brief is far smaller")])
        if node.tag == TIMESTAMP_TAG:
            return node.value
        self.brief.spans[path] = (node.start_mark.index, node.end_mark.index)
        return self.construct(node, path, self.brief.problem)

    def construct(self, node, path, problem):
        """The scalar's value; a BriefError from problem(path, message) when it cannot be read."""
        too_long = problem(path, f"a number of {len(node.value):,} digits is too long to read (at most "
                                 f"{sys.get_int_max_str_digits():,}); put it in quotes to keep it as text")
        try:
            value = self.loader.construct_object(node)
        except yaml.MarkedYAMLError as error:
            raise BriefError([problem(path, f"cannot read this value: {error.problem}")]) from None
        except ValueError as error:
            if "integer string conversion" in str(error):   # Python's bound on the digits of a decimal int
                raise BriefError([too_long]) from None
            raise BriefError([problem(path, f"cannot read this value: {error}")]) from None
        except (yaml.YAMLError, TypeError) as error:
            raise BriefError([problem(path, f"cannot read this value: {error}")]) from None
        if isinstance(value, int) and value.bit_length() > MAX_INTEGER_BITS:   # 0x...: read, but never printable
            raise BriefError([too_long])
        return value

    def mapping(self, node, path):
        self.loader.flatten_mapping(node)  # resolves YAML merge keys (<<)
        result = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            key = self.construct(key_node, path, lambda path, message: Problem(
                self.brief.shown_path, line, f"{field_name(path)}: key" if path else "key", message))
            if not isinstance(key, str):
                key = str(key)
            if key in result:
                first = self.brief.lines[path + (key,)]
                self.brief.problems.append(Problem(self.brief.shown_path, line, field_name(path + (key,)),
                                                   f"duplicate key (first given on line {first})"))
                continue
            self.brief.lines[path + (key,)] = line
            result[key] = self.convert(value_node, path + (key,))
        return result
