"""One variant composed as HTML: the brief's fields through the theme's
templates (html), with the labels of its language (labels) and the scripts
its text needs (glyphs)."""
