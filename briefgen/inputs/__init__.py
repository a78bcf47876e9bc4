"""Reading what the author hands us, bounded and with line numbers: the brief's
YAML (load), bibliographies (sources), data tables (tabular) and images (images)."""
