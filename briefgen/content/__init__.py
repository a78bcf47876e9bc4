"""What a brief's text and data become below the block level: markdown
(markdown), cross-references (crossref), citations (citations), charts
(charts), and the accessibility rules they keep (access)."""
