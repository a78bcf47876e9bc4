"""The command reference, written from the click commands themselves (their
usage, help and options, as `brief COMMAND --help` prints them), for the
documentation site: it cannot disagree with the program."""

import click

from . import cli

WIDTH = 100   # the same lines on every machine, whatever the terminal


def reference_markdown():
    """Markdown: `brief --help`, then each command's help, in name order."""
    parts = [_help(cli, "brief", None)]
    parent = click.Context(cli, info_name="brief", terminal_width=WIDTH, max_content_width=WIDTH)
    for name in sorted(cli.commands):
        command = cli.commands[name]
        parts.append(f"## brief {name}\n\n" + _help(command, name, parent))
        if isinstance(command, click.Group):   # `brief fonts fetch`: each subcommand's help too
            group = click.Context(command, info_name=name, parent=parent, terminal_width=WIDTH, max_content_width=WIDTH)
            parts += [f"### brief {name} {sub}\n\n" + _help(command.commands[sub], sub, group)
                      for sub in sorted(command.commands)]
    return "\n".join(parts)


def _help(command, name, parent):
    context = click.Context(command, info_name=name, parent=parent, terminal_width=WIDTH, max_content_width=WIDTH)
    return f"```text\n{command.get_help(context)}\n```\n"
