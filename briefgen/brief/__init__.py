"""The brief as data: checked against the format (validate, brief.schema.json),
the content a variant shows chosen (variant), and the language editions of
a brief found (editions)."""
