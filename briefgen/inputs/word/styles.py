"""Word's paragraph styles, which pandoc shows (reader extension `styles`) as
Divs with a `custom-style`: paragraphs styled like one of the brief's fields
("Key Point", "Summary", "Recommendation") fill that field; *Callout Title*
and *Callout* paragraphs are a call-out, a block quote followed by an
*Attribution* paragraph a quote with its source (the Word edition writes
them so). Every other style is unwrapped: its paragraphs stay as they are."""

from .tree import CALLOUT_NODE, QUOTE_NODE, heading_name

CALLOUT_TITLE, CALLOUT, ATTRIBUTION = "callout title", "callout", "attribution"


def custom_style(block):
    if block.get("t") != "Div":
        return None
    style = dict(block["c"][0][2]).get("custom-style")
    return heading_name(style) if style else None


def unstyled(blocks, names):
    """(the blocks with styles unwrapped and call-outs and quotes made, {field: blocks of paragraphs styled so})."""
    fields = {field: {heading_name(name) for name in found} | {heading_name(name).rstrip("s") for name in found}
              for field, found in names.items() if field in ("key_points", "summary", "recommendations")}
    kept, styled, index = [], {}, 0
    while index < len(blocks):
        style = custom_style(blocks[index])
        if style in (CALLOUT_TITLE, CALLOUT):
            callout, index = _callout(blocks, index)
            kept.append(callout)
            continue
        index += 1
        field = next((name for name, found in fields.items() if style in found), None)
        if style is None:
            kept.append(blocks[index - 1])
        elif style == ATTRIBUTION and kept and kept[-1].get("t") == "BlockQuote":
            kept[-1] = {"t": QUOTE_NODE, "c": [kept[-1]["c"], _inlines(blocks[index - 1]["c"][1])]}
        elif field:
            styled.setdefault(field, []).extend(unstyled(blocks[index - 1]["c"][1], {})[0])
        else:
            kept.extend(unstyled(blocks[index - 1]["c"][1], names)[0])
    return kept, styled


def _callout(blocks, index):
    title = None
    if custom_style(blocks[index]) == CALLOUT_TITLE:
        title, index = _inlines(blocks[index]["c"][1]), index + 1
    body = []
    while index < len(blocks) and custom_style(blocks[index]) == CALLOUT:
        body.extend(blocks[index]["c"][1])
        index += 1
    return {"t": CALLOUT_NODE, "c": [title, body]}, index


def _inlines(blocks):
    inlines = []
    for block in blocks:
        if block.get("t") in ("Para", "Plain"):
            inlines.extend(block["c"])
    return inlines
