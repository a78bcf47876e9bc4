"""What `brief diff` says: the summary (the changes document's first page,
and standard output of --check) and the word-level text diff (--format text)."""

from dataclasses import asdict

from .words import plain_marked


def summary_data(changes, old_side, new_side):
    """The summary as the template `partials/changes_summary.html` reads it."""
    return {
        "old": old_side.label, "new": new_side.label, "none": changes.none,
        "sections_added": changes.sections_added, "sections_removed": changes.sections_removed,
        "sections_moved": [asdict(moved) for moved in changes.sections_moved],
        "sections_edited": changes.sections_edited, "parts_edited": parts_edited(changes),
        "key_points_added": changes.key_points_added, "key_points_removed": changes.key_points_removed,
        "numbers": [asdict(number) for number in changes.numbers], "figures": changes.figures,
        "references_added": changes.references_added, "references_removed": changes.references_removed,
        "references_changed": changes.references_changed,
        "fields": [{"field": key, "old": _shown(old), "new": _shown(new)} for key, old, new in changes.values],
        "budgets": [asdict(budget) for budget in changes.budgets],
    }


def parts_edited(changes):
    """The parts outside the sections whose text changed: 'Executive summary', 'Key points', ..."""
    parts = []
    for text in changes.texts:
        part = text.where.split(",")[0]
        if part.startswith(("Section ", "Appendix ")):
            continue
        part = {"Key point": "Key points", "Recommendation": "Recommendations"}.get(part.rsplit(" ", 1)[0], part)
        if part not in parts:
            parts.append(part)
    return parts


def summary_lines(changes, old_label, new_label):
    """The summary as lines of text; 'no changes' when there are none."""
    lines = [f"{old_label} -> {new_label}"]
    if changes.none:
        return lines + ["no changes"]
    lines += [f"section added: {title}" for title in changes.sections_added]
    lines += [f"section removed: {title}" for title in changes.sections_removed]
    lines += [f"section moved: {moved.title} (section {moved.old}, now {moved.new})" for moved in changes.sections_moved]
    lines += [f"section edited: {title}" for title in changes.sections_edited]
    lines += [f"edited: {part}" for part in parts_edited(changes)]
    if changes.key_points_added or changes.key_points_removed:
        lines.append(f"key points: {changes.key_points_added} added, {changes.key_points_removed} removed")
    lines += [f"number: {number.old or '-'} -> {number.new or '-'} ({number.where})" for number in changes.numbers]
    lines += [f"picture changed: {where}" for where in changes.figures]
    lines += [f"reference added: {id_} ({title})" for id_, title in changes.references_added]
    lines += [f"reference removed: {id_} ({title})" for id_, title in changes.references_removed]
    lines += [f"reference changed: {id_} ({title})" for id_, title in changes.references_changed]
    lines += [f"{key}: {_shown(old)} -> {_shown(new)}" for key, old, new in changes.values]
    lines += [f"page budget: {budget.variant} ({_pages(budget.limit)}): {_filled(budget.old)} -> "
              f"{_filled(budget.new)}; {_verdict(budget)}" for budget in changes.budgets]
    return lines


def text_diff(changes, old_label, new_label):
    """A unified diff of the changed texts, word by word: [-deleted-]{+inserted+}."""
    lines = [f"--- {old_label}", f"+++ {new_label}"]
    for text in changes.texts:
        lines.append(f"@@ {text.where} @@")
        lines += plain_marked(text.hunks).splitlines() or [""]
    lines += [f"@@ {key} @@\n[-{_shown(old)}-]{{+{_shown(new)}+}}" for key, old, new in changes.values]
    lines += [f"@@ {where} @@\n(the picture changed)" for where in changes.figures]
    return lines


def _shown(value):
    if value is None:
        return "(none)"
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)


def _pages(count):
    return f"{count} page{'s' if count != 1 else ''}"


def _filled(fill):
    """'2 pages, the last 92% full, type 9.5 pt': as the summary page says it (partials/changes_summary.html)."""
    if fill is None:
        return "not laid out"
    text = f"{_pages(fill.pages)}, the last {fill.last_page}% full"
    if fill.type_size:
        text += f", type {fill.type_size:g} pt"
    if fill.lines_over:
        text += f", {fill.lines_over} lines over"
    return text


def _verdict(budget):
    return {"over": f"over it by {budget.new.lines_over if budget.new else 0} lines", "same": "as full as before",
            "closer": "closer to its limit", "further": "further from its limit"}.get(budget.verdict, "")
