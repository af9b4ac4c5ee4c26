"""MkDocs hooks: pages whose content is generated from the code at build time.

A page asks for generated content with a marker line:

- ``<!-- generated: feature-matrix -->``: the driver x capability table of
  `cloudstorage.base.capabilities`, with a footnote for every partial cell;
- ``<!-- generated: cli-reference -->``: every command and flag of ``cloudstorage``, read
  from the argparse parser of `cloudstorage.cli.main`.
"""

from __future__ import annotations

import argparse
from typing import Any

from cloudstorage.base.capabilities import drivers, matrix
from cloudstorage.cli.main import _parser

MARKERS = {
    "<!-- generated: feature-matrix -->": lambda: feature_matrix(),
    "<!-- generated: cli-reference -->": lambda: cli_reference(),
}


def on_page_markdown(markdown: str, **kwargs: Any) -> str:
    """Replace each marker line with its generated Markdown."""
    for marker, render in MARKERS.items():
        if marker in markdown:
            markdown = markdown.replace(marker, render())
    return markdown


# -- feature matrix ------------------------------------------------------------------------


def feature_matrix() -> str:
    """A Markdown table, capabilities down, drivers across, footnotes numbered once each."""
    classes = drivers()
    header = ["capability"] + [
        f"[{cls.__name__.removesuffix('Driver')}](../drivers/{cls.__module__.rsplit('.', 1)[1]}.md)"
        for cls in classes
    ]
    lines = [_row(header), _row(["---"] * len(header))]
    notes: dict[str, int] = {}
    for label, cells in matrix():
        texts = []
        for cell in cells:
            text = cell.text
            if cell.note:
                number = notes.setdefault(cell.note, len(notes) + 1)
                text += f"[^{number}]"
            texts.append(text)
        lines.append(_row([label, *texts]))
    lines.append("")
    lines += [f"[^{number}]: {note}" for note, number in notes.items()]
    return "\n".join(lines) + "\n"


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


# -- command line reference ----------------------------------------------------------------


def cli_reference() -> str:
    """A section per ``cloudstorage`` command: usage, then a table of its arguments."""
    parser = _parser()
    parser.prog = "cloudstorage"
    out = ["```text", parser.format_usage().strip(), "```", ""]
    for name, sub in _commands(parser):
        sub.prog = f"cloudstorage {name}"
        out += [f"### `{name}`", "", sub.description or "", ""]
        out += ["```text", sub.format_usage().strip(), "```", ""]
        rows = [_argument(action) for action in sub._actions if action.help != argparse.SUPPRESS]
        rows = [row for row in rows if row]
        if rows:
            out += ["| argument | default | meaning |", "| --- | --- | --- |", *rows, ""]
    return "\n".join(out)


def _commands(parser: argparse.ArgumentParser) -> list[tuple[str, argparse.ArgumentParser]]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return list(action.choices.items())
    return []


def _argument(action: argparse.Action) -> str:
    if isinstance(action, argparse._HelpAction):
        return ""
    name = ", ".join(action.option_strings) or action.dest
    if action.option_strings and action.nargs != 0:
        name += f" {(action.metavar or action.dest).upper()}"
    default = "" if action.default in (None, False, argparse.SUPPRESS) else f"`{action.default}`"
    if action.required and action.option_strings:
        default = "required"
    meaning = (action.help or "").replace("|", "\\|")
    if action.type is int:
        meaning = f"{meaning} (integer)".strip()
    return f"| `{name}` | {default} | {meaning} |"
