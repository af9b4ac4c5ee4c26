"""The ``xlocal://`` fsspec door as a new user meets it: what is missing, what is guessed."""

from __future__ import annotations

import fsspec
import pytest

from cloudstorage.drivers.local import LocalDriver


def test_open_without_root_says_what_is_missing():
    with pytest.raises(TypeError, match="root="):
        fsspec.open("xlocal://c/b", "rb").open()


def test_a_write_through_fsspec_gets_a_content_type_from_its_name(tmp_path):
    driver = LocalDriver(key=str(tmp_path / "storage"))
    box = driver.create_container("box")
    with fsspec.open("xlocal://box/page.html", "wb", root=driver.base_path) as file:
        file.write(b"<p>door</p>")
    fs = fsspec.filesystem("xlocal", root=driver.base_path)
    fs.pipe("box/data.csv", b"a,b\n")
    assert box.get_blob("page.html").content_type == "text/html"
    assert box.get_blob("data.csv").content_type == "text/csv"
    with fs.open("box/set.bin", "wb", content_type="x/y") as file:
        file.write(b"x")
    assert box.get_blob("set.bin").content_type == "x/y"  # a given type still wins
