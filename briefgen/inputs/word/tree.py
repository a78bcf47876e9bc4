"""Pandoc's JSON tree: reading its nodes, and making the few we write."""

import re

INLINE_CONTAINERS = {"Emph", "Strong", "Underline", "Strikeout", "Superscript", "Subscript", "SmallCaps"}


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
        return str(value) if value is not None else ""
    kind, content = value.get("t"), value.get("c")
    if kind == "Str" or kind == "MetaString":
        return content
    if kind in ("Space", "SoftBreak", "LineBreak"):
        return " "
    if kind in ("Code", "Math"):
        return content[1]
    if kind in ("Note", "RawInline", "RawBlock"):
        return ""
    if kind in ("Para", "Plain", "Header", "BlockQuote", "Figure") or kind in ("Div", "Span"):
        return _joined(content)
    if kind in ("BulletList", "OrderedList"):
        items = content if kind == "BulletList" else content[1]
        return " ".join(stringify(item) for item in items)
    if kind in ("Link", "Image", "Cite", "Quoted"):
        inner = content[1] if kind != "Quoted" else content[1]
        text = stringify(inner)
        return f"“{text}”" if kind == "Quoted" else text
    return _joined(content)


def _joined(content):
    if isinstance(content, list) and content and isinstance(content[0], list) and \
            all(isinstance(part, list) for part in content):
        return " ".join(stringify(part) for part in content if stringify(part))
    if isinstance(content, list):
        parts = [part for part in content if isinstance(part, (dict, list))]
        return "".join(stringify(part) for part in parts)
    return stringify(content)


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
