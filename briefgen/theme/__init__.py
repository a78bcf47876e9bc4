"""A theme: found in the project's and the built-in folders (resolve), its brand
file read (brand), its templates rendered in Jinja's sandbox (sandbox)."""
