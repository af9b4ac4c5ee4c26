"""Driver options, on every driver: a misspelt one is refused at construction, before any
request, naming the option meant; a right one is taken."""

from __future__ import annotations

from typing import Any

import pytest

from cloudstorage import Driver
from cloudstorage.base.options import DriverOptions, check_options, option_names
from cloudstorage.base.retry import RetryOptions
from cloudstorage.exceptions import CloudStorageError


def _rebuild(driver: Driver, **options: Any) -> Driver:
    """The same driver made again, with ``options`` added to its constructor's keywords."""
    args, kwargs = driver._arguments
    return type(driver)(*args, **{**kwargs, **options})


def test_a_misspelt_shared_option_is_refused_naming_the_right_one(driver: Driver):
    with pytest.raises(CloudStorageError) as raised:
        _rebuild(driver, retires=2)
    message = str(raised.value)
    assert message.startswith(f"{type(driver).__name__} got an unknown option 'retires'")
    assert "did you mean 'retries'?" in message
    assert "retry_backoff" in message  # the options the driver takes are listed


def test_a_misspelt_own_option_is_refused_naming_the_right_one(driver: Driver):
    own = sorted(option_names(driver.options_type) - option_names(DriverOptions))
    assert own, f"{type(driver).__name__} has options of its own"
    typo = own[0][:-1]
    with pytest.raises(CloudStorageError, match=rf"'{typo}'; did you mean '{own[0]}'\?"):
        _rebuild(driver, **{typo: None})


def test_an_unknown_option_is_refused(driver: Driver):
    with pytest.raises(CloudStorageError, match=r"unknown option 'colour'\. Options: "):
        _rebuild(driver, colour="blue")


def test_a_right_option_is_taken(driver: Driver):
    rebuilt = _rebuild(driver, retries=2, retry_backoff=0.25, timeout=7)
    assert rebuilt.retry_options == RetryOptions(retries=2, retry_backoff=0.25, timeout=7.0)
    assert rebuilt.options["retries"] == 2
    assert rebuilt.identity[0] == driver.identity[0]


def test_every_option_of_the_typed_dict_is_known(driver: Driver):
    names = option_names(driver.options_type)
    assert names >= option_names(DriverOptions)
    check_options(type(driver), dict.fromkeys(names))  # raises for a name it does not know
