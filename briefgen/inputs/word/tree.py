"""Pandoc's JSON tree: reading its nodes, and making the few we write."""

import re

CALLOUT_NODE, QUOTE_NODE = "BriefCallout", "BriefQuote"   # a call-out and a quote of the brief (styles.py makes them)


def heading_name(text):
    """'2. Key points:' -> 'key points' (how a heading or a style is compared with the field names)."""
    text = re.sub(r"^\s*([0-9]+|[IVXLC]+)[.)]?\s+", "", words(text))
    return text.rstrip(" :.").casefold()

def node(kind, content=None):
    return {"t": kind} if content is None else {"t": kind, "c": content}


def plain(inlines):
    return node("Plain", inlines)


def text_inlines(text):
    """Plain text as Str and Space nodes."""
    inlines = []
    for word in str(text).split():
        if inlines:
            inlines.append(node("Space"))
        inlines.append(node("Str", word))
    return inlines


def stringify(value):
    """The text of a node, a list of nodes or a metadata value, as pandoc's stringify."""
    if isinstance(value, list):
        return "".join(stringify(item) for item in value)
    if not isinstance(value, dict):
        return ""
    kind, content = value.get("t"), value.get("c")
    if kind in ("Str", "MetaString"):
        return content
    if kind in ("Space", "SoftBreak", "LineBreak"):
        return " "
    if kind in ("Code", "Math", "CodeBlock"):
        return content[1]
    if kind in ("Note", "RawInline", "RawBlock", "HorizontalRule", "Null"):
        return ""
    if kind in ("Para", "Plain", "BlockQuote", "MetaInlines", "MetaBlocks", "Emph", "Strong", "Underline",
                "Strikeout", "Superscript", "Subscript", "SmallCaps", "LineBlock"):
        return _spaced(content)
    if kind in ("Span", "Div", "Quoted", "Cite", "MetaList"):
        return _spaced(content if kind == "MetaList" else content[1])
    if kind in ("Link", "Image"):
        return stringify(content[1])
    if kind == "Header":
        return stringify(content[2])
    if kind in ("BulletList", "OrderedList"):
        return _spaced(content if kind == "BulletList" else content[1])
    if kind == "Figure":
        return _spaced([content[2], content[1][1]])
    if kind == "MetaMap":
        return _spaced(list(content.values()))
    return ""


def _spaced(parts):
    """Inlines run together; blocks (and lists of blocks) with a space between."""
    if parts and all(isinstance(part, dict) and part.get("t") in INLINES for part in parts):
        return "".join(stringify(part) for part in parts)
    return " ".join(text for text in (stringify(part) for part in parts) if text)


INLINES = {"Str", "Space", "SoftBreak", "LineBreak", "Code", "Math", "Note", "RawInline", "Emph", "Strong",
           "Underline", "Strikeout", "Superscript", "Subscript", "SmallCaps", "Span", "Quoted", "Cite", "Link",
           "Image"}


def words(text):
    return re.sub(r"\s+", " ", str(text)).strip()


def block_inlines(block):
    """The inlines of a paragraph-like block, or None."""
    if block.get("t") in ("Para", "Plain"):
        return block["c"]
    return None


def list_items(block):
    """The items (each a list of blocks) of a bullet or numbered list, or None."""
    if block.get("t") == "BulletList":
        return block["c"]
    if block.get("t") == "OrderedList":
        return block["c"][1]
    return None


def flattened(blocks):
    """Blocks as one run of inlines (a table cell, a note): paragraphs and
    list items joined by spaces."""
    inlines = []
    for block in blocks:
        for part in _parts(block):
            if part:
                if inlines:
                    inlines.append(node("Space"))
                inlines.extend(part)
    return inlines


def _parts(block):
    items = list_items(block)
    if items is not None:
        return [flattened(item) for item in items]
    if block_inlines(block) is not None:
        return [block_inlines(block)]
    if block.get("t") == "BlockQuote":
        return [flattened(block["c"])]
    return [_inner(block)]


def _inner(block):
    kind = block.get("t")
    if kind == "Div":
        return flattened(block["c"][1])
    if kind == "Header":
        return block["c"][2]
    if kind == "Figure":
        return flattened(block["c"][2])
    if kind in ("CodeBlock",):
        return [node("Code", [["", [], []], block["c"][1]])]
    return text_inlines(stringify(block))


def meta_value(meta, key):
    """A metadata field as text, None when absent or empty."""
    value = meta.get(key)
    text = words(stringify(value)) if value is not None else ""
    return text or None


def meta_list(meta, key):
    """A metadata field that may be one value or a list, as a list of texts."""
    value = meta.get(key)
    if value is None:
        return []
    if value.get("t") == "MetaList":
        return [text for text in (words(stringify(item)) for item in value["c"]) if text]
    text = words(stringify(value))
    return [text] if text else []


def nodes_of(value, kind):
    """Every node of a kind in a tree (or part of one), in document order."""
    if isinstance(value, dict):
        if value.get("t") == kind:
            yield value
        for item in value.values():
            yield from nodes_of(item, kind)
    elif isinstance(value, list):
        for item in value:
            yield from nodes_of(item, kind)
