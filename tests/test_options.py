"""The options TypedDicts themselves: what mypy checks is what the runtime check refuses, and
every option is documented (the docs' options table is generated from them)."""

from __future__ import annotations

import inspect
from typing import get_args, get_type_hints

import pytest
from typing_extensions import Unpack

from cloudstorage import DriverName, get_driver
from cloudstorage.base.options import DriverOptions, describe_options, option_names
from cloudstorage.base.retry import RETRIES, TIMEOUT

DRIVERS = [get_driver(name) for name in DriverName]


@pytest.mark.parametrize("cls", DRIVERS, ids=lambda cls: cls.__name__)
def test_the_constructor_takes_the_options_the_runtime_checks(cls):
    """``**kwargs: Unpack[X]`` (what mypy and editors see) names ``options_type``."""
    var_keyword = next(
        p for p in inspect.signature(cls.__init__).parameters.values() if p.kind is p.VAR_KEYWORD
    )
    annotation = get_type_hints(cls.__init__)[var_keyword.name]
    assert annotation == Unpack[cls.options_type]
    assert get_args(annotation) == (cls.options_type,)


@pytest.mark.parametrize("cls", DRIVERS, ids=lambda cls: cls.__name__)
def test_every_option_has_a_type_and_a_meaning(cls):
    rows = describe_options(cls.options_type)
    assert {row.name for row in rows} == option_names(cls.options_type)
    assert option_names(cls.options_type) >= option_names(DriverOptions)
    for row in rows:
        assert row.type, row.name
        assert len(row.doc) > 15, f"{cls.options_type.__name__}.{row.name} needs a docstring"


def test_the_shared_options_have_their_defaults():
    rows = {row.name: row for row in describe_options(DriverOptions)}
    assert (rows["retries"].default, rows["timeout"].default) == (f"`{RETRIES}`", f"`{TIMEOUT}`")
