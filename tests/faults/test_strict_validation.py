"""What the real service would reject is refused before any request, with the rule in the message.

Emulators are laxer than the clouds (moto takes any bucket name, Azurite any metadata), so the
proof that nothing was sent is the fault proxy's request count: zero.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest

from cloudstorage import Blob, Container, Driver
from cloudstorage.exceptions import CloudStorageError
from tests.faults.conftest import CLOUD_RIGS, Cloud

Case = tuple[str, Callable[[Driver], Any], str]


def _upload(name: str = "ok.txt", **kwargs: Any) -> Callable[[Driver], Any]:
    def run(driver: Driver) -> Any:
        container = Container("valid-container", driver)  # no request: the object alone
        return container.upload_blob(io.BytesIO(b"x"), blob_name=name, **kwargs)

    return run


def _url(expires: int) -> Callable[[Driver], Any]:
    def run(driver: Driver) -> Any:
        blob = Blob("ok.txt", None, None, 1, Container("valid-container", driver), driver)
        return blob.generate_download_url(expires=expires)

    return run


def _form(expires: int) -> Callable[[Driver], Any]:
    def run(driver: Driver) -> Any:
        return Container("valid-container", driver).generate_upload_url("ok.txt", expires=expires)

    return run


def _create(name: str, **kwargs: Any) -> Callable[[Driver], Any]:
    return lambda driver: driver.create_container(name, **kwargs)


WEEK = 7 * 24 * 3600
CASES: dict[str, list[Case]] = {
    "s3": [
        ("bucket-upper-case", _create("Invalid_Bucket"), "3-63 lowercase"),
        ("bucket-ip-address", _create("192.168.1.1"), "IP address"),
        ("bucket-acl", _create("valid-bucket", acl="public"), "not one of"),
        ("key-too-long", _upload("k" * 1025), "at most 1024 bytes"),
        ("meta-key-space", _upload(meta_data={"bad key": "v"}), "header token"),
        ("meta-too-large", _upload(meta_data={"k": "v" * 2100}), "2 KiB"),
        ("blob-acl", _upload(acl="public"), "not one of"),
        ("url-over-a-week", _url(WEEK + 1), f"at most {WEEK}"),
        ("form-over-a-week", _form(WEEK + 1), f"at most {WEEK}"),
        ("url-not-whole", _url(1.5), "whole number"),
    ],
    "gcs": [
        ("bucket-goog-prefix", _create("goog-bucket"), "goog"),
        ("bucket-upper-case", _create("Invalid_Bucket"), "lower-case"),
        ("bucket-acl", _create("valid-bucket", acl="public"), "not one of"),
        ("name-newline", _upload("a\nb"), "CR or LF"),
        ("name-acme", _upload(".well-known/acme-challenge/x"), "reserves"),
        ("name-too-long", _upload("k" * 1025), "1024"),
        ("meta-too-large", _upload(meta_data={"k": "v" * 9000}), "8 KiB"),
        ("blob-acl", _upload(acl="publicRead"), "not one of"),
        ("url-over-a-week", _url(WEEK + 1), f"at most {WEEK}"),
        ("url-boolean", _url(True), "whole number"),
    ],
    "azure": [
        ("container-double-dash", _create("a--b"), "single hyphens"),
        ("container-upper-case", _create("Invalid"), "lower-case"),
        ("container-acl", _create("valid-container", acl="public-read"), "not one of"),
        ("name-trailing-dot", _upload("name."), "trailing '.'"),
        ("name-double-slash", _upload("a//b"), "doubled '/'"),
        ("meta-case-clash", _upload(meta_data={"Owner": "a", "owner": "b"}), "case"),
        ("meta-too-large", _upload(meta_data={"k": "v" * 9000}), "8 KiB"),
        ("url-text", _url("60"), "whole number"),
    ],
}
CASES["swift"] = CASES["cloudfiles"] = [
    ("container-slash", _create("a/b"), "no '/'"),
    ("container-too-long", _create("c" * 257), "256 bytes"),
    ("name-too-long", _upload("k" * 1025), "1024 bytes"),
    ("meta-value-too-long", _upload(meta_data={"k": "v" * 257}), "Swift allows 256"),
    ("meta-too-many", _upload(meta_data={f"k{i}": "v" for i in range(91)}), "Swift allows 90"),
    ("url-text", _url("60"), "whole number"),
]


def _cases() -> list[Any]:
    return [
        pytest.param(name, run, rule, id=f"{name}-{label}")
        for name, cases in CASES.items()
        if name in CLOUD_RIGS
        for label, run, rule in cases
    ]


# Each case picks its rig: `cloud_session` is parametrised indirectly with the case's rig name.
@pytest.mark.parametrize(
    ("cloud_session", "run", "rule"), _cases(), indirect=["cloud_session"], scope="session"
)
def test_refused_before_any_request(cloud: Cloud, run, rule: str):
    with pytest.raises(CloudStorageError, match=rule):
        run(cloud.driver)
    assert cloud.proxy.requests == []
