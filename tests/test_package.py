"""The package surface: exports, driver lookup, exceptions, and what importing costs."""

from __future__ import annotations

import logging
import re
import subprocess
import sys

import pytest

import cloudstorage
from cloudstorage import DriverName, get_driver, get_driver_by_name
from cloudstorage.drivers.local import LocalDriver
from cloudstorage.exceptions import (
    CloudStorageError,
    CredentialsError,
    IsNotEmptyError,
    NotFoundError,
    SignatureExpiredError,
)


def test_exported_members_are_the_documented_ones():
    assert sorted(cloudstorage.__all__) == sorted(
        ["Blob", "Container", "Driver", "DriverName", "get_driver", "get_driver_by_name"]
    )
    for name in cloudstorage.__all__:
        assert getattr(cloudstorage, name).__module__.startswith("cloudstorage.")


def test_driver_names_cover_every_documented_driver():
    assert {member.value for member in DriverName} == {
        "AZURE", "BACKBLAZEB2", "CLOUDFILES", "DIGITALOCEANSPACES", "GOOGLESTORAGE",
        "LOCAL", "MINIO", "S3", "SWIFT",
    }  # fmt: skip


def test_get_driver_and_by_name_return_the_class():
    assert get_driver(DriverName.LOCAL) is LocalDriver
    assert get_driver_by_name("LOCAL") is LocalDriver
    assert get_driver_by_name("local") is LocalDriver


@pytest.mark.parametrize("name", ["NOPE", "", "S4"])
def test_unknown_driver_name_raises(name):
    with pytest.raises(CloudStorageError, match="unknown driver"):
        get_driver_by_name(name)


def test_get_driver_refuses_a_non_member():
    with pytest.raises(CloudStorageError, match="unknown driver"):
        get_driver("LOCAL")  # type: ignore[arg-type]


def test_missing_extra_names_the_extra_to_install():
    script = (
        "import sys\n"
        "sys.modules['itsdangerous'] = None  # as if the extra were not installed\n"
        "from cloudstorage import get_driver_by_name\n"
        "from cloudstorage.exceptions import CloudStorageError\n"
        "try:\n"
        "    get_driver_by_name('LOCAL')\n"
        "except CloudStorageError as exc:\n"
        "    print(exc)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert "pip install 'cloudstorage[local]'" in result.stdout


@pytest.mark.parametrize(
    ("package", "driver", "module", "extra"),
    [
        ("s3fs", "S3", "cloudstorage.drivers.amazon", "amazon"),
        ("boto3", "BACKBLAZEB2", "cloudstorage.drivers.amazon", "amazon"),
        ("minio", "MINIO", "cloudstorage.drivers.minio", "minio"),
        ("gcsfs", "GOOGLESTORAGE", "cloudstorage.drivers.google", "google"),
        ("adlfs", "AZURE", "cloudstorage.drivers.microsoft", "microsoft"),
        ("azure.core", "AZURE", "cloudstorage.drivers.microsoft", "microsoft"),
        ("openstack", "SWIFT", "cloudstorage.drivers.rackspace", "rackspace"),
        ("itsdangerous", "LOCAL", "cloudstorage.drivers.local", "local"),
    ],
)
def test_a_missing_package_names_the_extra_both_ways(package, driver, module, extra):
    """By name (`get_driver_by_name`) and by a direct import of the driver module."""
    script = (
        "import importlib, sys\n"
        f"sys.modules[{package!r}] = None  # as if the extra were not installed\n"
        "from cloudstorage import get_driver_by_name\n"
        "from cloudstorage.exceptions import CloudStorageError\n"
        "try:\n"
        f"    get_driver_by_name({driver!r})\n"
        "except CloudStorageError as exc:\n"
        "    print(exc)\n"
        "try:\n"
        f"    importlib.import_module({module!r})\n"
        "except ImportError as exc:\n"
        "    print(exc, exc.name)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    by_name, direct = result.stdout.splitlines()
    missing = rf"'{re.escape(package)}[.\w]*'"  # the package, or a module of it
    hint = re.escape(f": pip install 'cloudstorage[{extra}]'")
    assert re.fullmatch(f"driver {driver} needs {missing}{hint}", by_name)
    assert re.fullmatch(rf"{re.escape(module)} needs {missing}{hint} {package}[.\w]*", direct)


def test_import_loads_no_cloud_sdk_nor_what_one_verb_needs():
    # `import cloudstorage` stays under 50 ms (#19): the SDKs load with their driver, and
    # the standard modules that only sync, pickling or a refused option use load with them.
    script = (
        "import sys, cloudstorage\n"
        "heavy = ['boto3', 'botocore', 's3fs', 'gcsfs', 'adlfs', 'google.cloud', 'azure',\n"
        "         'openstack', 'minio', 'itsdangerous', 'magic', 'pandas',\n"
        "         'tempfile', 'shutil', 'pickle', 'difflib']\n"
        "print([m for m in heavy if m in sys.modules])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_logger_has_only_a_null_handler():
    handlers = logging.getLogger("cloudstorage").handlers
    assert [type(handler) for handler in handlers] == [logging.NullHandler]


@pytest.mark.parametrize(
    ("error", "builtin"),
    [
        (NotFoundError, FileNotFoundError),
        (IsNotEmptyError, OSError),
        (CredentialsError, PermissionError),
        (SignatureExpiredError, PermissionError),
    ],
)
def test_exceptions_are_also_the_matching_builtins(error, builtin):
    raised = error("blob 'x' in container 'c' was not found")
    assert isinstance(raised, CloudStorageError)
    assert isinstance(raised, builtin)
    assert raised.message == str(raised) == "blob 'x' in container 'c' was not found"
