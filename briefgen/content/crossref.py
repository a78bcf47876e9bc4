"""Cross-references in markdown, in Quarto's syntax: `@fig-ID` (a figure or a
chart), `@tbl-ID` (a table), `@sec-ID` (a section) and `@app-ID` (an
appendix).

A reference prints the word in the brief's language and links to its target;
the number is the target's own CSS counter (target-counter), the very counter
its caption prints (for a table or figure of an appendix, the appendix's letter
too: "Table A.1", see resolve()), so numbers and references always agree, in
every variant and after a table is inserted. A variant that leaves the target out prints the
word without a number (resolve())."""

import re

from markupsafe import escape

PREFIXES = ("fig", "tbl", "sec", "app")
REFERENCE = re.compile(r"@(fig|tbl|sec|app)-([A-Za-z0-9_.:-]*[A-Za-z0-9_])")  # no trailing '.' or ':'
WORDS = {   # every language the label catalogues have (templates/default/locale)
    "en": {"fig": "Figure", "tbl": "Table", "sec": "Section", "app": "Appendix"},
    "de": {"fig": "Abbildung", "tbl": "Tabelle", "sec": "Abschnitt", "app": "Anhang"},
    "fr": {"fig": "Figure", "tbl": "Tableau", "sec": "Section", "app": "Annexe"},
    "es": {"fig": "Figura", "tbl": "Tabla", "sec": "Sección", "app": "Apéndice"},
    "ko": {"fig": "그림", "tbl": "표", "sec": "절", "app": "부록"},
    "ar": {"fig": "الشكل", "tbl": "الجدول", "sec": "القسم", "app": "الملحق"},
    "zh": {"fig": "图", "tbl": "表", "sec": "节", "app": "附录"},
    "ru": {"fig": "Рисунок", "tbl": "Таблица", "sec": "Раздел", "app": "Приложение"},
}
WHAT = {"fig": "figure or chart", "tbl": "table", "sec": "section", "app": "appendix"}
LINK = re.compile(r'<a class="xref xref-(\w+)" href="#([^"]+)">([^<]*)&nbsp;</a>')


def word(kind, language="en"):
    """'Figure', 'Table', ... in the brief's language (primary subtag), English
    when unknown. Korean breaks lines between any two syllables: word joiners
    keep '그림' whole, as markdown.py does for the brief's own text."""
    primary = str(language).split("-")[0].lower()
    found = WORDS.get(primary, WORDS["en"])[kind]
    return "\u2060".join(found) if primary == "ko" else found


def anchor(kind, target_id):
    """The HTML id a reference links to: sections keep their own id."""
    return target_id if kind == "sec" else f"{kind}-{target_id}"


# --- markdown-it ------------------------------------------------------------

def crossref_plugin(md):
    md.inline.ruler.before("link", "crossref", _crossref_rule)
    md.add_render_rule("crossref", _render_crossref)


def _crossref_rule(state, silent):
    if state.src[state.pos] != "@" or (state.pos and re.match(r"\w", state.src[state.pos - 1])):
        return False  # an e-mail address is not a reference
    match = REFERENCE.match(state.src, state.pos)
    if not match:
        return False
    if not silent:
        token = state.push("crossref", "", 0)
        token.meta = {"kind": match.group(1), "id": match.group(2)}
    state.pos = match.end()
    return True


def _render_crossref(renderer, tokens, idx, options, env):
    kind, target = tokens[idx].meta["kind"], tokens[idx].meta["id"]
    label = escape(word(kind, env.get("language", "en")))
    # the number follows from the stylesheet: a.xref-<kind>::after { content: target-counter(...) }
    return f'<a class="xref xref-{kind}" href="#{escape(anchor(kind, target))}">{label}&nbsp;</a>'


# --- after composing --------------------------------------------------------

APPENDICES = re.compile(r'<div class="appendices">.*?<!-- end of appendices -->', re.S)  # partials/appendices.html


def resolve(html):
    """The composed HTML with each reference whose target the variant left out
    turned into its word alone, and each one to a table or figure of an appendix
    marked (its number takes the appendix's letter); and the references left
    out, as '@fig-ID'."""
    present = set(re.findall(r'\sid="([^"]+)"', html))
    in_appendix = {target for part in APPENDICES.findall(html) for target in re.findall(r'\sid="([^"]+)"', part)}
    missing = []

    def unlinked(match):
        kind, target, label = match.groups()
        if target in in_appendix and kind in ("tbl", "fig"):
            return match.group(0).replace(f'xref-{kind}"', f'xref-{kind} xref-in-appendix"', 1)
        if target in present:
            return match.group(0)
        missing.append(f"@{kind}-{target.removeprefix(kind + '-') if kind != 'sec' else target}")
        return f'<span class="xref xref-missing">{label}</span>'

    return LINK.sub(unlinked, html), list(dict.fromkeys(missing))


# --- validation -------------------------------------------------------------

def targets(parts):
    """Every id a reference may name, as '<kind>-<id>', from the brief and its
    variants' fields. parts: (fields, the ids of its sections, of its appendices)."""
    found = set()
    for fields, section_ids, appendix_ids in parts:
        labelled = [("sec", section, section_id) for section, section_id in zip(_dicts(fields.get("sections")), section_ids)]
        labelled += [("app", appendix, appendix_id)
                     for appendix, appendix_id in zip(_dicts(fields.get("appendices")), appendix_ids)]
        for prefix, section, section_id in labelled:
            found.add(f"{prefix}-{section_id}")
            for block in _dicts(section.get("content")):
                for key, kind in (("figure", "fig"), ("chart", "fig"), ("table", "tbl")):
                    value = block.get(key)
                    if isinstance(value, dict) and isinstance(value.get("id"), str):
                        found.add(f"{kind}-{value['id']}")
    return found


def unknown_references(references, known):
    """Messages for the references of a markdown text ((kind, id), as
    markdown.inspect finds them) whose target does not exist."""
    return [f"unknown cross-reference '@{kind}-{target}': no {WHAT[kind]} has the id '{target}'"
            for kind, target in dict.fromkeys(references) if f"{kind}-{target}" not in known]


def reference_id_problem(reference_id):
    """Citation ids must not look like cross-references."""
    if isinstance(reference_id, str) and reference_id.split("-")[0] in PREFIXES and "-" in reference_id:
        return (f"reference id '{reference_id}' begins with '{reference_id.split('-')[0]}-', "
                "which cross-references use (@fig-, @tbl-, @sec-, @app-); choose another id")
    return None


def duplicate_block_ids(sections, appendices=None):
    """(part, section index, block index, key, message) of figure/chart and table
    ids used twice, in the sections and appendices together."""
    seen, found = {}, []
    for part, items in (("sections", sections), ("appendices", appendices)):
        for s, section in enumerate(items if isinstance(items, list) else ()):
            blocks = section.get("content") if isinstance(section, dict) else None
            for b, block in enumerate(blocks if isinstance(blocks, list) else ()):
                for key, kind in (("figure", "fig"), ("chart", "fig"), ("table", "tbl")):
                    value = block.get(key) if isinstance(block, dict) else None
                    if isinstance(value, dict) and isinstance(value.get("id"), str):
                        name = f"{kind}-{value['id']}"
                        if name in seen:
                            found.append((part, s, b, key, f"id '{value['id']}' is already used by {seen[name]}"))
                        seen.setdefault(name, f"{part}[{s}].content[{b}].{key}")
    return found


def _dicts(value):
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []
