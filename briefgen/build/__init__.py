"""Running builds: one document through its phases (document), many side by
side (batch), series from a dataset (series) or on a Dask cluster (cluster),
what is current (manifest), rebuilding on edits (watch), the live preview
(serve), and a new project or theme (scaffold).
Options are parsed by the command line (generate.py), never here."""
