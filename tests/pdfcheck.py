"""A structure checker for tagged PDFs (test helper): what PDF/UA asks of a
document that a program can verify. No open PDF/UA validator installs from the
package registries here (veraPDF is Java, outside them), so this is the check."""

import pikepdf

TEXT_SHOWING = {"Tj", "TJ", "'", '"'}


def structure_problems(path):
    """Every problem found, as short sentences; an empty list means it passed."""
    problems = []
    with pikepdf.open(path) as pdf:
        root = pdf.Root
        if not (root.get("/MarkInfo") and root.MarkInfo.get("/Marked") is True):
            problems.append("not marked as tagged (/MarkInfo /Marked true)")
        if not str(root.get("/Lang", "")):
            problems.append("no document language (/Lang)")
        if not (root.get("/ViewerPreferences") and root.ViewerPreferences.get("/DisplayDocTitle") is True):
            problems.append("viewers do not show the title (/ViewerPreferences /DisplayDocTitle)")
        if not str(pdf.docinfo.get("/Title", "")):
            problems.append("no title")
        if "/StructTreeRoot" not in root:
            return problems + ["no structure tree (/StructTreeRoot)"]
        found = list(elements(root.StructTreeRoot))
        tags = [str(element.S) for element in found]
        problems += ["a Figure without /Alt" for element in found
                     if str(element.S) == "/Figure" and not str(element.get("/Alt", "")).strip()]
        problems += ["a table without header cells (TH)" for element in found if str(element.S) == "/Table"
                     and "/TH" not in {str(cell.S) for cell in elements(element)}]
        problems += _heading_problems(tags)
        for number, page in enumerate(pdf.pages, 1):
            if _untagged_text(page):
                problems.append(f"page {number}: text outside marked content (untagged)")
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


def _heading_problems(tags):
    problems, previous = [], 0
    for tag in tags:
        if tag in ("/H1", "/H2", "/H3", "/H4", "/H5", "/H6"):
            level = int(tag[2])
            if level > previous + 1:
                problems.append(f"heading {tag[1:]} after H{previous}: a level is skipped")
            previous = level
    return problems


def _untagged_text(page):
    depth = 0
    for _operands, operator in pikepdf.parse_content_stream(page):
        name = str(operator)
        if name in ("BDC", "BMC"):
            depth += 1
        elif name == "EMC":
            depth -= 1
        elif name in TEXT_SHOWING and depth == 0:
            return True
    return False
