#!/usr/bin/env python3
"""Policy brief generator: YAML content + Jinja templates + CSS -> print-ready PDFs.

`python generate.py` is `brief`: the command line lives in briefgen/cli/.
"""

from briefgen.cli import __version__, cli, main  # noqa: F401  (generate.cli and generate.main, as before)

if __name__ == "__main__":
    main()
