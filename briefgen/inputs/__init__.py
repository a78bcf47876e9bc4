"""Reading what the author hands us, bounded and with line numbers: the brief's
YAML (load), bibliographies (sources), data tables (tabular) and images (images)."""

# The alt text `brief import` gives a picture the draft has none for. Every
# build warns about it until the author describes the picture (content/access.py).
PLACEHOLDER_ALT = "No alt text in the draft: describe this picture"
