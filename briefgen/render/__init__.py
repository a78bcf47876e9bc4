"""WeasyPrint: the composed HTML laid out with the theme's fonts (layout), the
only code touching WeasyPrint's internals (engine), page budgets (fit) and
the check that all the content reached the page (content_check)."""
