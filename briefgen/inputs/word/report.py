"""What the import could not carry over as it was: one line each, with where it was."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Left:
    where: str     # "under 'Background'", "in the document's properties"
    what: str      # "a comment by J. Doe: 'check this figure'"
    kept: str      # "left out", "kept as text"

    def __str__(self):
        return f"{self.where}: {self.what}: {self.kept}"


@dataclass
class Report:
    items: list = field(default_factory=list)

    def add(self, where, what, kept):
        item = Left(where, what, kept)
        if item not in self.items:
            self.items.append(item)

    def lines(self):
        return [str(item) for item in self.items]
