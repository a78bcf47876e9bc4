"""Ground floor: what every other part leans on and that knows nothing of briefs.

Confined, size-bounded file reads (files), atomic writes (atomic), time and
memory limits (bounds), the cache of what runs reuse (cache), and where the
project folder and the built-in themes are (project)."""
