"""A structure checker for tagged PDFs (`brief check FILE.pdf`, and the
tests): what PDF/UA asks of a document that a program can verify. It checks at least every rule the outside
checker `pdfua` checks (its rule ids are named beside each check), so the two
agree; veraPDF (Java, not installable here) checks more."""

import pikepdf

TEXT_SHOWING = {"Tj", "TJ", "'", '"'}
PAINTING = TEXT_SHOWING | {"Do", "BI", "sh"}
HEADINGS = ("/H", "/H1", "/H2", "/H3", "/H4", "/H5", "/H6")


def structure_problems(path, pdf_ua=True):
    """Every problem found, as short sentences; an empty list means it passed.
    `pdf_ua=False` for a PDF/A file, which need not identify itself as PDF/UA."""
    problems = []
    with pikepdf.open(path) as pdf:
        root = pdf.Root
        if not (root.get("/MarkInfo") and root.MarkInfo.get("/Marked") is True):
            problems.append("not marked as tagged (/MarkInfo /Marked true)")
        if not str(root.get("/Lang", "")):
            problems.append("no document language (/Lang)")
        if not (root.get("/ViewerPreferences") and root.ViewerPreferences.get("/DisplayDocTitle") is True):
            problems.append("viewers do not show the title (/ViewerPreferences /DisplayDocTitle)")
        # PDF 2.0 keeps the title in the XMP metadata only (dc:title).
        if not (str(pdf.docinfo.get("/Title", "")) or pdf.open_metadata().get("dc:title")):
            problems.append("no title")
        if pdf_ua and "pdfuaid:part" not in pdf.open_metadata():
            problems.append("no PDF/UA identification in the XMP metadata (pdfuaid:part)")
        if "/StructTreeRoot" not in root:
            return problems + ["no structure tree (/StructTreeRoot)"]
        found = list(elements(root.StructTreeRoot))
        problems += _element_problems(found)
        problems += _heading_problems([str(element.S) for element in found])
        for number, page in enumerate(pdf.pages, 1):
            if _unmarked_paint(page):
                problems.append(f"page {number}: content neither tagged nor an artifact (outside marked content)")
            problems += [f"page {number}: a {kind} annotation without /Contents" for kind in _undescribed_annotations(page)]
    return problems


def tags_of(path):
    with pikepdf.open(path) as pdf:
        return [str(element.S) for element in elements(pdf.Root.StructTreeRoot)]


def elements(node):
    """Structure elements in reading order."""
    kids = node.get("/K")
    for kid in (kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []):
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            yield kid
            yield from elements(kid)


def _element_problems(found):
    """Figures with alternative text (UA-13-004), tables with header cells tied
    to their data (UA-15-003), headings with text (UA-14-001)."""
    problems = ["a Figure without /Alt" for element in found
                if str(element.S) == "/Figure" and not str(element.get("/Alt", "")).strip()]
    for table in (element for element in found if str(element.S) == "/Table"):
        cells = [cell for cell in elements(table) if str(cell.S) in ("/TH", "/TD")]
        headers = [cell for cell in cells if str(cell.S) == "/TH"]
        if not headers:
            problems.append("a table without header cells (TH)")
        elif not any(_scope_or_headers(cell) for cell in headers):
            problems.append("a table whose header cells have no /Scope or /Headers")
    problems += [f"an empty heading ({element.S})" for element in found
                 if str(element.S) in HEADINGS and not _has_content(element)]
    return problems


def _scope_or_headers(cell):
    attributes = cell.get("/A")
    for attribute in (attributes if isinstance(attributes, pikepdf.Array) else [attributes]):
        if isinstance(attribute, pikepdf.Dictionary) and ("/Scope" in attribute or "/Headers" in attribute):
            return True
    return False


def _has_content(element):
    """Marked content (an MCID), or a child element that has some."""
    if "/ActualText" in element or "/Alt" in element:
        return True
    kids = element.get("/K")
    for kid in (kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []):
        if isinstance(kid, int) or (isinstance(kid, pikepdf.Dictionary) and (
                "/MCID" in kid or ("/S" in kid and _has_content(kid)))):
            return True
    return False


def _undescribed_annotations(page):
    """Link and other annotations need a description (UA-18-001, UA-18-005);
    widgets and popups are described elsewhere."""
    for annotation in page.get("/Annots", []):
        kind = str(annotation.get("/Subtype", ""))
        if kind not in ("/Widget", "/Popup") and not str(annotation.get("/Contents", "")).strip():
            yield kind[1:] or "typeless"


def _heading_problems(tags):
    problems, previous = [], 0
    for tag in tags:
        if tag in ("/H1", "/H2", "/H3", "/H4", "/H5", "/H6"):
            level = int(tag[2])
            if level > previous + 1:
                problems.append(f"heading {tag[1:]} after H{previous}: a level is skipped")
            previous = level
    return problems


def _unmarked_paint(page):
    """Text, images, forms or shadings painted outside any marked-content
    sequence: neither tagged nor an artifact (UA-01-003)."""
    depth = 0
    for _operands, operator in pikepdf.parse_content_stream(page):
        name = str(operator)
        if name in ("BDC", "BMC"):
            depth += 1
        elif name == "EMC":
            depth -= 1
        elif name in PAINTING and depth == 0:
            return True
    return False
