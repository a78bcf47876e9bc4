"""Markdown for every markdown field: CommonMark (markdown-it-py) with inline
footnotes `^[...]`, citations `[@id]` / `[@a; @b]` and passages in another
language `[조선로동당]{lang=ko}`. Raw HTML stays text."""

import itertools
import re
from dataclasses import dataclass, field
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.rules_core import replace, smartquotes
from markdown_it.rules_core.state_core import StateCore
from markdown_it.token import Token
from markupsafe import Markup
from mdit_py_plugins.attrs import attrs_plugin
from mdit_py_plugins.footnote import footnote_plugin

from .crossref import crossref_plugin

# Citations as Pandoc writes them: [@id], [@a; @b], [@id, p. 12] (a locator),
# [-@id] (without the author), and @id in running text (the author named in the text).
CITE_ID = r"[A-Za-z0-9_.:-]*[A-Za-z0-9_]"   # no trailing '.' or ':' (the end of a sentence)
CITE_ITEM = rf"\s*-?@{CITE_ID}(?:\s*,[^\[\];@]*)?\s*"
CITATION = re.compile(rf"\[({CITE_ITEM}(?:;{CITE_ITEM})*)\]")
CITE_PARTS = re.compile(rf"\s*(-?)@({CITE_ID})(?:\s*,\s*([^\[\];@]*?))?\s*$")
IN_TEXT = re.compile(rf"@({CITE_ID})")

# Typographic quotes per language (primary and secondary pairs).
QUOTES = {
    "en": "“”‘’", "de": "„“‚‘", "fr": ["«\u202f", "\u202f»", "“", "”"],
    "es": "«»“”", "it": "«»“”", "pt": "«»“”", "nl": "‘’“”", "ru": "«»„“",
    "ko": "“”‘’", "zh": "“”‘’", "ja": "「」『』", "ar": "«»“”", "fa": "«»“”",
}
HANGUL = "\uac00-\ud7a3"
# Korean breaks lines between words only. WeasyPrint 70 ignores `word-break:
# keep-all`, so a word joiner (U+2060, invisible, never extracted) goes between
# the characters of a word that touch a Hangul syllable.
KOREAN_JOINS = re.compile(f"(?<=[{HANGUL}])(?=\\S)|(?<=\\S)(?=[{HANGUL}])")
WORD_JOINER = "\u2060"
NOTE_SPACE = "\ue004"   # marks a note citation's call; the space before it is removed


@dataclass
class Findings:
    """What a markdown text points to, for validation."""
    citations: list = field(default_factory=list)
    links: list = field(default_factory=list)
    images: list = field(default_factory=list)  # (src, alt)
    references: list = field(default_factory=list)  # cross-references, (kind, id): @fig-heat is ("fig", "heat")


def quotes_language(language):
    """The language whose quotation marks a BCP 47 tag uses ('en-GB' -> 'en')."""
    primary = str(language).split("-")[0].lower()
    return primary if primary in QUOTES else "en"


@lru_cache(maxsize=16)
def make_parser(language="en", preset="commonmark"):
    quotes = QUOTES[quotes_language(language)]
    md = MarkdownIt(preset, {"html": False, "typographer": True, "quotes": quotes})
    md.enable(["replacements", "smartquotes"])
    md.core.ruler.push("korean_words", lambda state: _keep_korean_words(state, language))
    if preset == "zero":  # plain text: typography only
        return md
    # `[text]{lang=xx}`: a passage in another language; no other attribute is taken.
    attrs_plugin(md, spans=True, allowed=["lang"])
    footnote_plugin(md, inline=True, move_to_end=False)
    # Only inline footnotes are part of the format; `[^1]` stays text.
    md.block.ruler.disable("footnote_def")
    md.inline.ruler.disable("footnote_ref")
    md.inline.ruler.before("link", "citation", _citation_rule)
    crossref_plugin(md)  # @fig-ID, @tbl-ID, @sec-ID, @app-ID
    md.inline.ruler.after("crossref", "in_text_citation", _in_text_citation_rule)
    md.core.ruler.push("typeset_footnotes", _typeset_footnotes)
    md.add_render_rule("citation", _render_citation)
    md.add_render_rule("footnote_ref", _render_footnote)
    # WeasyPrint keeps line breaks of the source inside footnotes; a space is what a soft break means.
    md.add_render_rule("softbreak", lambda *args: " ")
    # Every link reaches validation, which refuses the schemes the format forbids.
    md.validateLink = lambda url: True
    return md


def _keep_korean_words(state, language):
    """Word joiners inside Korean words, in the document's language or a passage
    marked `{lang=ko}`, also where markup splits a word (`**북한**의`)."""
    for token in state.tokens:
        if token.type != "inline" or not token.children:
            continue
        languages, previous = [language], None
        for child in token.children:
            if child.type == "span_open":
                languages.append(str(child.attrs.get("lang", languages[-1])).split("-")[0].lower())
            elif child.type == "span_close" and len(languages) > 1:
                languages.pop()
            elif child.type == "text" and languages[-1] == "ko":
                child.content = KOREAN_JOINS.sub(WORD_JOINER, child.content)
                if previous is not None and previous.content and child.content and \
                        KOREAN_JOINS.search(previous.content[-1] + child.content[0]):
                    previous.content += WORD_JOINER
                previous = child
                continue
            elif child.type not in ("strong_open", "strong_close", "em_open", "em_close", "link_open", "link_close"):
                previous = None


def _citation_rule(state, silent):
    match = CITATION.match(state.src, state.pos) if state.src[state.pos] == "[" else None
    if not match:
        return False
    if not silent and not state.env.get("citations", True):
        _drop_space_before(state)  # no "them ." where the citation was
    elif not silent:
        cites = []
        for part in match.group(1).split(";"):
            minus, cite_id, locator = CITE_PARTS.match(part).groups()
            cites.append({"id": cite_id, "locator": locator or None, "mode": "suppress" if minus else None})
        token = state.push("citation", "", 0)
        token.meta = {"ids": [cite["id"] for cite in cites], "cites": cites}
    state.pos = match.end()
    return True


def _drop_space_before(state):
    """The space before a citation the variant leaves out: still pending, or
    already pushed as a line break (a citation at the start of a line of the
    YAML text) or as the end of a text."""
    state.pending = state.pending.rstrip()
    if state.pending or not state.tokens:
        return
    last = state.tokens[-1]
    if last.type == "softbreak":
        state.tokens.pop()
    elif last.type == "text":
        last.content = last.content.rstrip()


def _in_text_citation_rule(state, silent):
    """@id in running text; not inside a word (an e-mail address), and not a
    cross-reference (@fig-, @tbl-, @sec-, @app-: crossref.py's rule runs first)."""
    if state.src[state.pos] != "@" or (state.pos and re.match(r"\w", state.src[state.pos - 1])):
        return False
    match = IN_TEXT.match(state.src, state.pos)
    if not match:
        return False
    if not silent:  # a variant without citations still names the author: it is part of the sentence
        token = state.push("citation", "", 0)
        token.meta = {"ids": [match.group(1)], "cites": [{"id": match.group(1), "locator": None, "mode": "intext"}],
                      "names_only": not state.env.get("citations", True)}
    state.pos = match.end()
    return True


def _typeset_footnotes(state):
    """Curly quotes and dashes inside inline footnotes too: the core rules
    only see the main token stream, not the notes kept in env."""
    notes = state.env.get("footnotes", {}).get("list", {}).values()
    wrappers = []
    for note in notes:
        wrapper = Token("inline", "", 0)
        wrapper.children = note.get("tokens", [])
        wrapper.content = note.get("content", "")  # the rules skip tokens whose text shows no quotes
        wrappers.append(wrapper)
    if wrappers:
        inner = StateCore("", state.md, state.env)
        inner.tokens = wrappers
        replace(inner)
        smartquotes(inner)


def _render_citation(renderer, tokens, idx, options, env):
    """The cluster's text in the document's citation style (citations.py);
    in a note style, a footnote holding it."""
    names, text = env["citer"].cite(tokens[idx].meta["cites"])
    if tokens[idx].meta.get("names_only"):
        return names or ""
    if env["citer"].notes:  # the call follows the word: no space before it (NOTE_SPACE)
        note = _note(text, next(env["footnote_ids"])) if text else ""
        return f"{names}{note}" if names else f"{NOTE_SPACE}{note}"
    cluster = f'<span class="citation">{text}</span>'
    return f"{names} {cluster}" if names else cluster


def _note(body, number):
    return (f'<a class="footnote-call" href="#footnote-{number}">{number}</a>'
            f'<span class="footnote" id="footnote-{number}" data-number="{number}">{body}</span>')


def _render_footnote(renderer, tokens, idx, options, env):
    note = env["footnotes"]["list"][tokens[idx].meta["id"]]
    body = renderer.renderInline(note["tokens"], options, env)
    # Templates render in document order, so this count is the note's number.
    # (WeasyPrint's target-counter would read the footnote counter before the
    # note increments it, one too low.) The call links to the note.
    return _note(body, next(env["footnote_ids"]))


class Markdown:
    """Renders one document's markdown: citations in the document's style (the
    citer gives each cluster's text), footnotes with ids unique in the document."""

    def __init__(self, citer=None, language="en", citations=True):
        self.citations = citations
        self.language = quotes_language(language)
        self.parser = make_parser(self.language)
        self.typesetter = make_parser(self.language, preset="zero")
        self.citer = citer
        self.footnote_ids = itertools.count(1)

    def _env(self):
        return {"citer": self.citer, "footnote_ids": self.footnote_ids,
                "citations": self.citations, "language": self.language}

    def block(self, text):
        return self._render(_parsed(self.language, self.citations, str(text), False))

    def inline(self, text):
        return self._render(_parsed(self.language, self.citations, str(text), True))

    def _render(self, parsed):
        tokens, parse_env = parsed
        html = self.parser.renderer.render(tokens, self.parser.options, {**parse_env, **self._env()})
        return Markup(re.sub(r"\s*" + NOTE_SPACE, "", html))

    def text(self, text):
        """Plain text with typographic quotes and dashes; no markup."""
        return Markup(self.typesetter.renderInline(str(text)))

    def plain(self, text):
        """The text without markup, for PDF metadata and short labels."""
        tokens = self.parser.parseInline(str(text), {})
        return "".join(t.content for t in _walk(tokens, {}) if t.type in ("text", "code_inline"))


@lru_cache(maxsize=4096)
def _parsed(language, citations, text, inline):
    """Tokens of a markdown text, parsed once for validation and rendering alike
    (rendering reads them without changing them)."""
    parser, env = make_parser(language), {"citations": citations}
    tokens = parser.parseInline(text, env) if inline else parser.parse(text, env)
    return tokens, env


def inspect(text, language="en"):
    """Citations, links, images and cross-references that a markdown text contains, footnotes included."""
    tokens, env = _parsed(quotes_language(language), True, str(text), False)
    findings = Findings()
    for token in _walk(tokens, env):
        if token.type == "citation":
            findings.citations.extend(token.meta["ids"])
        elif token.type == "link_open":
            findings.links.append(token.attrs.get("href", ""))
        elif token.type == "image":
            alt = "".join(child.content for child in token.children or ())
            findings.images.append((token.attrs.get("src", ""), alt))
        elif token.type == "crossref":
            findings.references.append((token.meta["kind"], token.meta["id"]))
    return findings


def _walk(tokens, env):
    for token in tokens:
        yield token
        if token.children:
            yield from _walk(token.children, env)
        if token.type == "footnote_ref":
            # A note markdown-it parsed without its list (an inline field) has no tokens to walk.
            note = env.get("footnotes", {}).get("list", {}).get(token.meta["id"], {})
            yield from _walk(note.get("tokens") or (), env)
