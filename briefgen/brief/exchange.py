"""Exchange files for translators: XLIFF 2.0 (translate-toolkit's xliff2
store) and PO (polib).

XLIFF: one <unit> per translation unit, its id the unit's id; the context in
<notes>; inline markup as <ph> (a citation, a cross-reference) and <pc> (emphasis,
a link, a footnote, a passage in another language) whose markdown is kept in
the unit's <originalData>, out of the translator's reach, and put back on import.
A target in state "initial" (a stale unit's old translation, offered for
revision) is not taken on import.

PO: msgctxt is the unit id, msgid the English, the placeholders written
`<1>…</1>` (around text) and `<2/>` (standalone), explained in the entry's
extracted comment; a fuzzy entry is not taken on import.
"""

import re
from dataclasses import dataclass

from lxml import etree

from .markup import Code, codes, parse, to_markdown

TYPES = {"strong": ("fmt", "xlf:b"), "emphasis": ("fmt", "xlf:i"), "link": ("link", None),
         "image": ("image", None)}
PO_TOKEN = re.compile(r"<(\d+)/>|<(\d+)>|</(\d+)>")


@dataclass
class Offer:
    """A unit as the exchange file offers it."""
    id: str
    source: list            # parsed English: [str | Code]
    note: str
    target: list = None     # parsed translation, its codes numbered as the source's
    final: bool = False     # the target is a translation (not a stale one to revise)


@dataclass
class Received:
    """A translated unit read back from an exchange file."""
    id: str
    line: int
    source: str             # the English it was translated from, as markdown (None: unknown)
    target: list            # [str | Code]: the codes as the translator placed them
    codes: dict             # code id -> Code of the source (what each placeholder stands for)
    problem: str = None     # why its target could not be read


class BrokenPlaceholder(ValueError):
    """A unit whose translation breaks a placeholder."""


# --- XLIFF 2.0 ----------------------------------------------------------------

def write_xliff(offers, source_language, target_language, original):
    from translate.storage.xliff2 import Xliff2File
    store = Xliff2File()
    store.setsourcelanguage(source_language)
    store.settargetlanguage(target_language)
    store.body.set("id", "f1")
    store.body.set("original", original)
    for offer in offers:
        unit = store.UnitClass("")
        store.addunit(unit)
        unit.setid(offer.id)
        _fill_unit(unit, offer)
    return bytes(store)


def _fill_unit(unit, offer):
    segment, element = unit.xmlelement, unit.getunitelement()
    space = "{http://www.w3.org/XML/1998/namespace}space"
    segment.attrib.pop(space, None)      # XLIFF 2 puts xml:space on the unit, not the segment
    element.set(space, "preserve")
    namespaced = unit.namespaced
    notes = etree.Element(namespaced("notes"))
    etree.SubElement(notes, namespaced("note"), category="location").text = offer.note
    element.insert(0, notes)
    data = etree.Element(namespaced("originalData"))
    for code in codes(offer.source):
        etree.SubElement(data, namespaced("data"), id=f"d{code.id}").text = code.start
        if code.paired:
            etree.SubElement(data, namespaced("data"), id=f"d{code.id}e").text = code.end
    if len(data):
        element.insert(1, data)
    source = unit.source_dom
    _fill(source, offer.source, namespaced)
    if offer.target is not None:
        target = etree.SubElement(segment, namespaced("target"))
        _fill(target, offer.target, namespaced)
        segment.set("state", "translated" if offer.final else "initial")
    else:
        segment.set("state", "initial")


def _fill(element, nodes, namespaced):
    last = None
    for node in nodes:
        if isinstance(node, str):
            if last is None:
                element.text = (element.text or "") + node
            else:
                last.tail = (last.tail or "") + node
            continue
        last = _code_element(element, node, namespaced)


def _code_element(parent, code, namespaced):
    kind, sub_kind = TYPES.get(code.kind, ("other", None))
    attributes = {"id": code.id, "canDelete": "no", "canCopy": "no", "type": kind}
    if sub_kind:
        attributes["subType"] = sub_kind
    if code.paired:
        attributes.update(dataRefStart=f"d{code.id}", dataRefEnd=f"d{code.id}e", dispStart=code.start,
                          dispEnd=code.end)
        element = etree.SubElement(parent, namespaced("pc"), **attributes)
        _fill(element, code.children, namespaced)
    else:
        attributes.update(dataRef=f"d{code.id}", disp=code.start)
        element = etree.SubElement(parent, namespaced("ph"), **attributes)
    return element


def read_xliff(data):
    """(target language, original file name, [Received]) of an XLIFF 2 file's translated units.
    ValueError when it is no XLIFF 2 file."""
    from translate.storage.xliff2 import Xliff2File
    try:
        store = Xliff2File.parsestring(data)
    except etree.XMLSyntaxError as error:
        raise ValueError(f"not well-formed XML: {error}") from None
    except ValueError as error:
        if "XLIFF 1" in str(error):
            raise ValueError("it is XLIFF 1.x; save it as XLIFF 2.0 in the translation tool, or export "
                             "again: `brief translate` reads XLIFF 2.0") from None
        raise
    received = []
    for unit in store.units:
        segment = unit.xmlelement
        target = unit.get_target_dom()
        if target is None or segment.get("state") == "initial" or not "".join(target.itertext()).strip() \
                and not len(target):
            continue
        original = _original_data(unit.getunitelement())
        source_codes = _codes_of(unit.source_dom, original)
        line = unit.getunitelement().sourceline or 1
        source = to_markdown(_nodes(unit.source_dom, source_codes))
        try:
            received.append(Received(unit.getid(), line, source, _nodes(target, source_codes), source_codes))
        except BrokenPlaceholder as error:
            received.append(Received(unit.getid(), line, source, None, source_codes, str(error)))
    file_node = store.body
    return store.gettargetlanguage(), file_node.get("original"), received


def _original_data(unit_element):
    return {data.get("id"): data.text or "" for data in unit_element.iter("{*}data")}


def _codes_of(source, original):
    found = {}
    for element in source.iter("{*}ph", "{*}pc"):
        name = etree.QName(element).localname
        if name == "ph":
            found[element.get("id")] = Code(element.get("id"), _kind(element), original.get(element.get("dataRef"), ""))
        else:
            found[element.get("id")] = Code(element.get("id"), _kind(element),
                                            original.get(element.get("dataRefStart"), ""),
                                            original.get(element.get("dataRefEnd"), ""))
    return found


def _kind(element):
    for kind, (type_, sub_type) in TYPES.items():
        if element.get("type") == type_ and element.get("subType") == sub_type:
            return kind
    return "citation" if etree.QName(element).localname == "ph" else "footnote"


def _nodes(element, source_codes):
    """[str | Code] of a <source> or <target>: each code's markdown from the source's."""
    nodes = [element.text] if element.text else []
    for child in element:
        name = etree.QName(child).localname if isinstance(child.tag, str) else None
        if name in ("ph", "pc"):
            known = source_codes.get(child.get("id"))
            code = Code(child.get("id"), known.kind if known else name, known.start if known else "",
                        (known.end if known else "") if name == "pc" else None)
            if name == "pc":
                code.children = _nodes(child, source_codes)
            nodes.append(code)
        elif name in ("sc", "ec"):
            raise BrokenPlaceholder(f"<{name}> (a split placeholder) is not taken; keep each <pc> whole")
        elif name is not None:        # <mrk> and the like: their text
            nodes.extend(_nodes(child, source_codes))
        if child.tail:
            nodes.append(child.tail)
    return nodes


# --- PO ---------------------------------------------------------------------

def write_po(offers, source_language, target_language, original):
    import polib
    po = polib.POFile(wrapwidth=0)
    po.metadata = {"Project-Id-Version": original, "Language": target_language.replace("-", "_"),
                   "MIME-Version": "1.0", "Content-Type": "text/plain; charset=UTF-8",
                   "Content-Transfer-Encoding": "8bit", "X-Source-Language": source_language}
    for offer in offers:
        comment = offer.note
        explained = [f"{po_text([_empty(code)])} {code.describe()}" for code in codes(offer.source)]
        if explained:
            comment += "\nplaceholders (keep each once): " + "; ".join(explained)
        entry = polib.POEntry(msgctxt=offer.id, msgid=po_text(offer.source), comment=comment,
                              msgstr=po_text(offer.target) if offer.target is not None else "")
        if offer.target is not None and not offer.final:
            entry.flags.append("fuzzy")
        po.append(entry)
    return str(po).encode("utf-8")


def _empty(code):
    return Code(code.id, code.kind, code.start, code.end, [])


def po_text(nodes):
    out = []
    for node in nodes:
        if isinstance(node, Code):
            out.append(f"<{node.id}>{po_text(node.children)}</{node.id}>" if node.paired else f"<{node.id}/>")
        else:
            out.append(node)
    return "".join(out)


def read_po(text, source_codes_of):
    """(language, original, [Received]) of a PO file's translated entries.
    source_codes_of(unit id, msgid) -> the codes of the English, or None when the English changed."""
    import polib
    try:
        po = polib.pofile(text)
    except (OSError, ValueError) as error:
        raise ValueError(str(error)) from None
    received = []
    for entry in po:
        if not entry.msgstr.strip() or entry.fuzzy or entry.obsolete or not entry.msgctxt:
            continue
        found = source_codes_of(entry.msgctxt, entry.msgid)
        if found is None:
            received.append(Received(entry.msgctxt, entry.linenum, None, None, {}))
            continue
        source, source_codes = found
        try:
            received.append(Received(entry.msgctxt, entry.linenum, source, po_nodes(entry.msgstr, source_codes),
                                     source_codes))
        except BrokenPlaceholder as error:
            received.append(Received(entry.msgctxt, entry.linenum, source, None, source_codes, str(error)))
    return po.metadata.get("Language", "").replace("_", "-"), po.metadata.get("Project-Id-Version"), received


def po_nodes(text, source_codes):
    """A PO translation's text -> [str | Code]; BrokenPlaceholder when its tags do not nest."""
    root, stack, position = [], [], 0
    current = root
    for match in PO_TOKEN.finditer(text):
        if match.start() > position:
            current.append(text[position:match.start()])
        position = match.end()
        alone, opening, closing = match.groups()
        number = alone or opening or closing
        known = source_codes.get(number)
        code = Code(number, known.kind if known else "code", known.start if known else "",
                    None if alone else (known.end if known else ""))
        if alone:
            current.append(code)
        elif opening:
            current.append(code)
            stack.append((current, code))
            current = code.children
        else:
            if not stack or stack[-1][1].id != number:
                raise BrokenPlaceholder(f"</{number}> closes a placeholder that is not open here")
            current = stack.pop()[0]
    if stack:
        raise BrokenPlaceholder(f"<{stack[-1][1].id}> is never closed (</{stack[-1][1].id}>)")
    if position < len(text):
        current.append(text[position:])
    return root


# --- checks -----------------------------------------------------------------

def placeholder_problem(target, source_codes):
    """What is wrong with the translation's placeholders, or None: each code of
    the source exactly once, standalone ones standalone, paired ones paired."""
    seen = {}
    for code in codes(target):
        known = source_codes.get(code.id)
        if known is None:
            return f"placeholder {code.id} is not in the source"
        if code.id in seen:
            return f"placeholder {code.id} ({known.describe()}) is there twice; keep it once"
        if code.paired != known.paired:
            shape = "around text" if known.paired else "on its own"
            return f"placeholder {code.id} ({known.describe()}) stands {shape} in the source"
        seen[code.id] = code
    for number, known in source_codes.items():
        if number not in seen:
            return f"placeholder {number} ({known.describe()}) is missing from the translation"
    return None


def numbered_like(target_nodes, source_nodes):
    """A translation's parsed nodes with its codes numbered as the source's
    (matched by their markdown), or None when it lacks markup of the source.
    Markup the translation adds (a passage marked `{lang=en}`) stays text: the
    translator's own markdown, offered and taken back as it is."""
    unused = list(codes(source_nodes))
    numbered = _matched(target_nodes, unused)
    return numbered if not unused else None


def _matched(nodes, unused):
    out = []
    for node in nodes:
        if not isinstance(node, Code):
            out.append(node)
            continue
        match = next((known for known in unused if (known.kind, known.start, known.end) ==
                      (node.kind, node.start, node.end)), None)
        children = _matched(node.children, unused)
        if match is None:      # the translation's own markup: text around its children
            out.extend([node.start, *children, node.end or ""])
            continue
        unused.remove(match)
        out.append(Code(match.id, node.kind, node.start, node.end, children))
    return out
