"""A variant's page budget and fit steps, as the layout needs them: plain
values with nothing to import, so that a process that only lays out
(build/layout_process.py) receives them without the theme machinery."""

from dataclasses import dataclass


@dataclass(frozen=True)
class FitStep:
    """One step of the fit search: spacing factor and body size (pt)."""
    spacing: float
    body_size: float

    def css(self, important=False):
        """The step's tokens; important: to win, from a user stylesheet (lower in
        the cascade than the document's own), over the design's tokens."""
        flag = " !important" if important else ""
        return f":root {{ --space: {self.spacing:g}{flag}; --size-body: {self.body_size:g}pt{flag}; }}"


@dataclass(frozen=True)
class VariantSpec:
    """A variant's budget, from `variants/<name>.yaml` beside its template."""
    name: str
    pages: int = None                  # at most this many pages; None: no limit
    citations: bool = True             # False: the variant prints no reference list
    body_size: float = 10.0            # the design's body size, pt
    fit: tuple = ()                    # FitSteps tried in order when over budget
    cut_hints: tuple = ("summary", "key_points", "recommendations", "sections")
    chart_size: tuple = (172.0, 70.0)  # the variant's chart slot, (width, height) in mm
    balance: bool = False              # shorter than its pages: spacing opens up to fill them (fit.py)
