"""The documentation site's generated parts: the feature matrix, the CLI reference, the nav.

The site itself is built strictly by ``scripts/docs`` (run by ``scripts/check``); these tests
pin what the generated pages must say, so a new driver, capability, command or page cannot
be left out silently.
"""

from __future__ import annotations

import argparse
import importlib.util
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from cloudstorage import DriverName
from cloudstorage.base.capabilities import ROWS, drivers, matrix
from cloudstorage.base.options import option_names
from cloudstorage.cli.main import _parser

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def hooks() -> ModuleType:
    spec = importlib.util.spec_from_file_location("docs_hooks", ROOT / "docs" / "hooks.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_matrix_has_every_driver_and_capability(hooks: ModuleType) -> None:
    table = hooks.feature_matrix()
    header = table.splitlines()[0]
    assert header.count("](drivers/") == len(DriverName)
    for row in ROWS:
        assert f"| {row.label} |" in table
    references = set(re.findall(r"\[\^(\d+)\](?!:)", table))
    definitions = set(re.findall(r"^\[\^(\d+)\]:", table, re.MULTILINE))
    assert references == definitions  # every footnote used is defined, and the reverse


def test_matrix_reads_the_drivers_flags() -> None:
    cells = {
        label: dict(zip([d.name for d in drivers()], row, strict=True)) for label, row in matrix()
    }
    assert cells["upload forms"]["AZURE"].text == "PUT"  # AzureStorageDriver.upload_form
    assert cells["upload forms"]["S3"].text == "form POST"
    assert cells["signed download URLs"]["LOCAL"].note  # a signature, not a URL: footnoted
    assert cells["blob ACLs"]["BACKBLAZEB2"].text == "✗"  # blob_acls is empty
    assert cells["longest URL lifetime"]["S3"].text == "7 days"
    assert cells["CDN (`enable_cdn`)"]["GOOGLESTORAGE"].text == "✓"
    assert cells["CDN (`enable_cdn`)"]["LOCAL"].text == "✗"


def test_cli_reference_has_every_command_and_flag(hooks: ModuleType) -> None:
    reference = hooks.cli_reference()
    commands = next(
        action for action in _parser()._actions if isinstance(action, argparse._SubParsersAction)
    )
    for name, sub in commands.choices.items():
        assert f"### `{name}`" in reference
        for action in sub._actions:
            if isinstance(action, argparse._HelpAction):
                continue  # -h is every command's; the reference leaves it out
            for option in action.option_strings:
                assert option in reference, f"{name} {option}"


def _nav_pages(nav: Any) -> set[str]:
    if isinstance(nav, str):
        return {nav}
    if isinstance(nav, list):
        return set().union(*(_nav_pages(item) for item in nav))
    if isinstance(nav, dict):
        return set().union(*(_nav_pages(value) for value in nav.values()))
    return set()


def test_every_page_is_in_the_nav() -> None:
    """A page left out of the nav is unreachable; included pages are reached through another."""
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    docs = ROOT / "docs"
    pages = {str(path.relative_to(docs)) for path in docs.rglob("*.md")}
    included = {
        str(Path(path).relative_to("docs"))
        for page in docs.rglob("*.md")
        for path in re.findall(r"<!-- include(?:-if-present)?: (docs/\S+) -->", page.read_text())
    }
    assert pages - included - _nav_pages(config["nav"]) == set()


def test_the_options_table_lists_every_option_of_every_driver(hooks: ModuleType) -> None:
    table = hooks.driver_options()
    for cls in drivers():
        assert f"`{cls.__name__}`" in table
        for name in option_names(cls.options_type):
            assert re.search(rf"^\|[^|]*\| `{name}` \|", table, re.MULTILINE), name


def test_the_connecting_page_holds_the_one_table_the_driver_pages_link_to() -> None:
    connecting = (ROOT / "docs" / "guide" / "connecting.md").read_text(encoding="utf-8")
    assert "<!-- generated: driver-options -->" in connecting
    key_rows = re.findall(r"^\| `(\w+)\(", connecting, re.MULTILINE)  # key / secret / region
    assert sorted(key_rows) == sorted(cls.__name__ for cls in drivers())
    for page in (ROOT / "docs" / "drivers").glob("*.md"):
        text = page.read_text(encoding="utf-8")
        assert "../guide/connecting.md#driver-options" in text, page.name
        assert "| option | meaning |" not in text, f"{page.name} keeps a second options table"
