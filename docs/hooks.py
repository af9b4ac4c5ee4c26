"""MkDocs hooks: pages whose content is generated from the code at build time.

A page asks for generated content with a marker line:

- ``<!-- generated: feature-matrix -->``: the driver x capability table of
  `cloudstorage.base.capabilities`, with a footnote for every partial cell;
- ``<!-- generated: cli-reference -->``: every command and flag of ``cloudstorage``, read
  from the argparse parser of `cloudstorage.cli.main`;
- ``<!-- generated: driver-options -->``: every driver's keyword options, with type, default
  and meaning, read from the options TypedDicts (`cloudstorage.base.options`);
- ``<!-- include: path -->``: a Markdown file of the repository (``benchmarks/RESULTS.md``),
  its headings one level down and its links to other files included on the page turned into
  links to their sections; ``<!-- include-if-present: path -->`` the same, or nothing while
  the file does not exist.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import Any

from markdown.extensions.toc import slugify

from cloudstorage.base.capabilities import drivers, matrix
from cloudstorage.base.options import DriverOptions, OptionDoc, describe_options
from cloudstorage.cli.main import _parser

ROOT = Path(__file__).resolve().parents[1]
INCLUDE = re.compile(r"^<!-- include(-if-present)?: (\S+) -->$", re.MULTILINE)


def on_page_markdown(markdown: str, **kwargs: Any) -> str:
    """Replace each marker line with its generated Markdown."""
    markers = {
        "<!-- generated: feature-matrix -->": feature_matrix,
        "<!-- generated: cli-reference -->": cli_reference,
        "<!-- generated: driver-options -->": driver_options,
    }
    for marker, render in markers.items():
        if marker in markdown:
            markdown = markdown.replace(marker, render())
    return include_files(markdown)


# -- included files ------------------------------------------------------------------------


def include_files(markdown: str) -> str:
    """Put each ``<!-- include: path -->`` file in the page, headings one level down."""
    texts = {
        path: (ROOT / path).read_text(encoding="utf-8")
        for optional, path in INCLUDE.findall(markdown)
        if not optional or (ROOT / path).is_file()
    }
    anchors = {}
    for path, text in texts.items():
        title = re.search(r"^# (.+)$", text, re.MULTILINE)
        anchors[Path(path).name] = "#" + slugify(title[1] if title else path, "-")

    def included(match: re.Match[str]) -> str:
        if match[2] not in texts:
            return ""
        text = _demote_headings(texts[match[2]])
        return re.sub(
            r"\]\(([^)#:]+)\)",
            lambda link: f"]({anchors.get(link[1], link[1])})",
            text,
        )

    return INCLUDE.sub(included, markdown)


def _demote_headings(text: str) -> str:
    """Every heading one level down (``#`` -> ``##``), code blocks left alone."""
    lines, fenced = [], False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        elif not fenced and re.match(r"#+ ", line):
            lines.append("#" + line)
            continue
        lines.append(line)
    return "\n".join(lines) + "\n"


# -- feature matrix ------------------------------------------------------------------------


def feature_matrix() -> str:
    """A Markdown table, capabilities down, drivers across, footnotes numbered once each."""
    classes = drivers()
    header = ["capability"] + [
        f"[{_short(cls.__name__)}](drivers/{cls.__module__.rsplit('.', 1)[1]}.md)"
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


def _short(class_name: str) -> str:
    """``AzureStorageDriver`` -> ``Azure``, ``DigitalOceanSpacesDriver`` -> ``Spaces``."""
    return class_name.removesuffix("Driver").removesuffix("Storage").removeprefix("DigitalOcean")


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


# -- driver options ------------------------------------------------------------------------


def driver_options() -> str:
    """One table: the options every driver takes, then each driver's own (drivers sharing an
    options TypedDict share their rows)."""
    groups: dict[Any, list[str]] = {DriverOptions: ["every driver"]}
    for cls in drivers():
        groups.setdefault(cls.options_type, []).append(f"`{cls.__name__}`")
    lines = [
        _row(["driver", "option", "type", "default", "meaning"]),
        _row(["---"] * 5),
    ]
    for options_type, names in groups.items():
        exclude = None if options_type is DriverOptions else DriverOptions
        for index, option in enumerate(describe_options(options_type, exclude)):
            lines.append(_option_row(", ".join(names) if index == 0 else "", option))
    return "\n".join(lines) + "\n"


def _option_row(driver: str, option: OptionDoc) -> str:
    def markdown(text: str) -> str:  # docstrings' ``code`` is Markdown's `code`
        return text.replace("``", "`")

    # a "|" inside a code span does not split a cell (Python-Markdown's tables)
    name, kind = f"`{option.name}`", f"`{option.type}`"
    return _row([driver, name, kind, markdown(option.default), markdown(option.doc)])


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
