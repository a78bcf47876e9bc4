"""`pagebreak: true`: a new page (the full brief's stylesheet honours it)."""

from . import BlockType

BLOCK = BlockType(name="pagebreak", schema={"const": True})
