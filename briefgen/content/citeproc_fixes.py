"""citeproc-py's defects, worked around once per process by patching its
classes (patch_citeproc(), called before the first citation is formatted);
each patch says what the CSL specification asks and what citeproc-py did, and
is guarded by tests/test_citations.py and the golden files of tests/golden/."""

import html
import re
from functools import cached_property

TAGS = re.compile(r"(<[^>]+>)")

_PATCHED = []
LOOKUPS = ({}, {}, {})   # XPath results, 'calls a variable?', roots: of the styles' elements


def patch_citeproc():
    """Given names initialised as the CSL specification says: every part of a
    hyphenated name ('Jean-Pierre' -> 'J.-P.', 'Min-ho' -> 'M.-h.'), and only
    letters that have an initial: a word in a script without capitals
    (Arabic, Hebrew, ...) is kept whole instead of being taken for a particle."""
    if _PATCHED:
        return
    from citeproc.model import Name

    def initialize(self, given, mark, context):
        keep_hyphen = str(self.get_option("initialize-with-hyphen", context)).lower() != "false"
        words = str(given).replace(".", ". ").split()
        if any(not _cased(word) for word in words):
            return given
        if _option(self, "initialize", context) == "false":   # full names kept; initials only normalized
            return " ".join(word[0] + mark.strip() if len(word.rstrip(".")) == 1 else word for word in words)
        result = []
        for word in words:
            if word[0].islower() and "-" not in word and len(word) > 1 and result:
                result.append(" " + word + " ")   # a particle ('de', 'van') stays whole
                continue
            # without the hyphen (Vancouver: 'Min-ho' -> 'MH'), a lower-case initial would read as a name
            parts = [(part[0] if keep_hyphen else part[0].upper()) + mark for part in word.split("-") if part]
            result.append(("-" if keep_hyphen else "").join(part.rstrip() if keep_hyphen and index < len(parts) - 1
                                                            else part for index, part in enumerate(parts)))
        return " ".join("".join(result).split()) if mark.strip() else "".join(result).replace(" ", "")

    Name.initialize = initialize
    _patch_protected_case()
    _patch_sort_keys()
    _patch_speed()
    _patch_labels()
    _patch_substitution()
    _patch_localized_dates()
    _PATCHED.append(True)


# Marks of inputs/sources.py around text no text-case may change: a BibTeX
# title's brace groups (NOCASE) and its italics (species names).
PROTECT_OPEN, PROTECT_CLOSE = "\ue028\ue024", "\ue029\ue025"


def _patch_protected_case():
    """Title case leaves protected text as written (CSL specification,
    'Text-case': "nocase" spans; in BibTeX, brace groups): citeproc-py
    capitalised every lower-case word, "Clupea Harengus Membras". The rest of
    the title is cased as citeproc-py does (stop words lower-case, the first
    word and a word after a colon capitalised). And a label's term is cased in
    the output's language: citeproc-py gave it none, so no title case, and
    APA printed "(eds.)" for "(Eds.)"."""
    from citeproc.model import Label, TextCased
    from citeproc.string import String

    original = TextCased.case

    def case(self, text, language=None):
        if language is None and isinstance(self, Label):   # a term: in the output's language ('(Eds.)')
            language = _output_language(self.get_root())
        if self.get("text-case") != "title" or language != "en" or not any(m in str(text) for m in PROTECT_OPEN):
            return original(self, text, language)
        words = text.words() if hasattr(text, "words") else (String(word) for word in str(text).split())
        output, depth, previous = [], 0, ":"
        for word in words:
            plain = str(word)
            protected = depth > 0 or plain[:1] in PROTECT_OPEN
            depth = max(0, depth + sum(plain.count(mark) for mark in PROTECT_OPEN)
                        - sum(plain.count(mark) for mark in PROTECT_CLOSE))
            if not protected and word.islower():
                stop = plain in self._stop_words and previous not in (":", ".")
                word = word.soft_lower() if stop else word.capitalize_first()
            previous = str(word)[-1]
            output.append(str(word))
        return " ".join(output)

    TextCased.case = case


XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _output_language(root):
    """'en', 'fr', ...: the language of the first locale the style looks terms up in."""
    return next((str(locale.get(XML_LANG))[:2] for locale in getattr(root, "locales", ()) if locale.get(XML_LANG)),
                "en")


def _patch_substitution():
    """Variables a <substitute> printed are not printed again in the entry (CSL
    specification, 'Substitution'): citeproc-py only suppressed a <text
    variable> named directly, so an edited book listed its editors twice and
    a web page without an author its title twice."""
    from citeproc.model import Choose, Names, Substitute, Text, VariableError

    def render(self, item, context=None, **kwargs):   # Substitute.render, recording what printed
        for child in self.getchildren():
            try:
                if isinstance(child, Names) and child.name is None:
                    names = self.xpath_search("./parent::cs:names[1]")[0]
                    text = child.render(item, names_context=names, context=context, **kwargs)
                elif isinstance(child, Choose):   # names inside a choose take the parent's <name> too
                    names = self.xpath_search("./parent::cs:names[1]")[0]
                    text = child.render(item, context=context, names_context=names, **kwargs)
                else:
                    text = child.render(item, context=context, **kwargs)
            except VariableError:
                continue
            if text:
                printed = {variable for variable in _variables(child) if _printed(item, variable, str(text))}
                context.get_layout().repressed.setdefault("variables", set()).update(printed)
                return text
        return None

    def text_variable(self, item, context, _original=Text._variable):
        if self.get("variable") in context.get_layout().repressed.get("variables", ()):
            return None
        return _original(self, item, context)

    def names_process(self, item, names_context=None, context=None, _original=Names.process, **kwargs):
        layout = (context if context is not None else self).get_layout()
        present = [role for role in self.get("variable").split() if role in item.reference]
        if present and set(present) <= layout.repressed.get("variables", set()):
            return None
        return _original(self, item, names_context=names_context, context=context, **kwargs)

    Substitute.render = render
    Text._variable = text_variable
    Names.process = names_process


def _patch_sort_keys():
    """Entries sort on their text, not its markup or opening punctuation (CSL
    specification): citeproc-py sorted '<i>Title</i>' before every author and
    '‘Title’' after them, when a title stands in for a missing author."""
    from citeproc.model import Key

    def sort_keys(self, items, context, _original=Key.sort_keys):
        return [_sortable(key) for key in _original(self, items, context)]

    Key.sort_keys = sort_keys


def _sortable(key):
    if not isinstance(key, str):
        return key
    text = html.unescape(TAGS.sub("", str(key)))
    return re.sub(r"^[^\w]+", "", text) or text


def _patch_speed():
    """citeproc-py evaluates the same XPath expressions (a macro by name, the
    enclosing layout, ...) and walks the same subtrees for 'does it call a
    variable?' tens of thousands of times per document; both depend only on the
    style's XML, which does not change once parsed: they are remembered. (The
    cache holds the element proxies, so lxml hands out the same objects.)"""
    from citeproc.model import CitationStylesElement, Parent, Text
    from citeproc.source import CitationItem

    searches, calls, roots = LOOKUPS

    def xpath_search(self, expression):
        key = (self, expression)
        if key not in searches:
            searches[key] = self.xpath(expression, namespaces=self.nsmap)
        return searches[key]

    def get_root(self):
        if self not in roots:
            roots[self] = self.getroottree().getroot()
        return roots[self]

    def remembered(original):
        def calls_variable(self):
            if self not in calls:
                calls[self] = original(self)
            return calls[self]
        return calls_variable

    CitationStylesElement.xpath_search = xpath_search
    CitationStylesElement.get_root = get_root
    Parent.calls_variable = remembered(Parent.calls_variable)
    Text.calls_variable = remembered(Text.calls_variable)
    # a cited item's reference, looked up through three objects at every condition
    reference = cached_property(CitationItem.reference.fget)
    reference.__set_name__(CitationItem, "reference")
    CitationItem.reference = reference


def _patch_labels():
    """A <label> prints nothing when its variable is empty (CSL specification):
    citeproc-py printed the term anyway ('The Economist, April 2, 2022, Edition')."""
    from citeproc.model import Label

    def process(self, item, variable=None, plural=None, context=None, _original=Label.process, **kwargs):
        name = variable or self.get("variable")
        if name == "locator" and not item.has_locator:
            return None
        if variable is None and name != "locator" and name.replace("-", "_") not in item.reference:
            return None
        return _original(self, item, variable, plural, context, **kwargs)

    Label.process = process
    _patch_numeric_locator()


def _patch_numeric_locator():
    """is-numeric="locator" tests the citation's locator ('3' in [@id, chap. 3]):
    citeproc-py looked for a 'locator' field in the entry, found none, and APA
    printed '(Lee, 2019, 3)' for '(Lee, 2019, Chapter 3)'."""
    from citeproc.model import If

    def is_numeric(self, item, _original=If._is_numeric):
        results = _original(self, item)
        variables = self.get("is-numeric").split()
        return [bool(self.re_numeric.match(str(item.locator.identifier))) if variable == "locator"
                and item.has_locator else result for variable, result in zip(variables, results)]

    If._is_numeric = is_numeric


def _patch_localized_dates():
    """A localized date (<date form="text"> taking its parts from the locale or
    the style's <locale>) joins them with that definition's delimiter when the
    calling <date> sets none: citeproc-py dropped it ('2022May' for '2022 May')."""
    from citeproc.model import Date

    def render_single_date(self, date, show_parts=None, context=None):
        parts = self.parts(date, show_parts, context) if context != self else self.parts(date, show_parts)
        if not parts:
            return None
        if self.is_locale_date() and context is not None:
            return context.join(parts, self.get("delimiter", ""))
        return self.join(parts)

    Date.render_single_date = render_single_date


def _printed(item, variable, text):
    """Does the text show the variable's value (a name's family name, a title)?"""
    value = item.reference.get(variable.replace("-", "_"))
    if isinstance(value, list) and value and isinstance(value[0], dict):   # names
        value = value[0].get("family") or value[0].get("literal")
    value = str(value or "").strip().lower()
    plain = html.unescape(re.sub(r"<[^>]+>", "", text)).lower()
    return bool(value) and html.unescape(value) in plain


def _variables(element, seen=()):
    """Every variable an element and the macros it calls name."""
    found = set()
    for node in element.iter():
        found.update((node.get("variable") or "").split())
        macro = node.get("macro")
        if macro and macro not in seen:
            found |= _variables(node.get_macro(macro), (*seen, macro))
    return found


def _option(name_element, option, context):
    """An inheritable name option citeproc-py does not know ('initialize'), or None."""
    try:
        return name_element.get_option(option, context)
    except (KeyError, IndexError, AttributeError):
        return name_element.get(option)


def _cased(word):
    letters = [character for character in word if character.isalpha()]
    return bool(letters) and (letters[0].isupper() or letters[0].islower())
