"""A real browser (headless Chromium) uses upload forms and signed download links.

The page holds the form from ``generate_upload_url``; Chromium attaches a file and submits it
to the store, exactly as a user's browser would. Needs Debian's chromium and chromium-driver
(``scripts/setup`` installs them).
"""

from __future__ import annotations

import html
import io
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from werkzeug.wrappers import Request, Response

from tests.rigs import Rig
from tests.servers.wsgi import serve_wsgi

FORM_RIGS = ["local-served", "s3"]
"""Rigs whose upload URLs are HTML form POSTs a browser can submit."""


def _form_page(form: dict) -> str:
    hidden = "".join(
        f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(str(v))}">'
        for k, v in form["fields"].items()
    )
    return (
        f'<html><body><form id="upload" action="{html.escape(form["url"])}" method="post" '
        f'enctype="multipart/form-data">{hidden}<input id="file" name="file" type="file">'
        '<input id="send" type="submit" value="Upload"></form></body></html>'
    )


@pytest.fixture(scope="module")
def browser(tmp_path_factory) -> Iterator[tuple[webdriver.Chrome, Path]]:
    downloads = tmp_path_factory.mktemp("downloads")
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):  # fmt: skip
        options.add_argument(flag)
    options.add_experimental_option(
        "prefs",
        {"download.default_directory": str(downloads), "download.prompt_for_download": False},
    )
    chrome = webdriver.Chrome(options=options, service=Service("/usr/bin/chromedriver"))
    chrome.set_page_load_timeout(30)
    yield chrome, downloads
    chrome.quit()


def _wait_for(condition, timeout: float = 15.0):
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)
    return result


@pytest.mark.parametrize("rig", FORM_RIGS, indirect=True)
def test_browser_submits_an_upload_form(rig: Rig, container, browser, tmp_path):
    chrome, _ = browser
    form = container.generate_upload_url(
        "avatar.png", expires=300, meta_data={"owner-id": "42"}, content_type="image/png",
        content_length=(1, 1024 * 1024),
    )  # fmt: skip
    picture = tmp_path / "avatar.png"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    page = _form_page(form)

    @Request.application
    def app(request: Request) -> Response:
        return Response(page, mimetype="text/html")

    with serve_wsgi(app) as page_url:
        chrome.get(page_url)
        chrome.find_element(By.ID, "file").send_keys(str(picture))
        chrome.find_element(By.ID, "send").click()
        _wait_for(lambda: "avatar.png" in container)
    blob = container.get_blob("avatar.png")
    assert blob.size == 108
    assert blob.meta_data == {"owner-id": "42"}
    assert blob.content_type == "image/png"


@pytest.mark.parametrize("rig", FORM_RIGS, indirect=True)
def test_browser_saves_a_signed_download_under_its_name(rig: Rig, container, browser):
    chrome, downloads = browser
    blob = container.upload_blob(io.BytesIO(b"a,b\n1,2\n"), blob_name="r.csv")
    url = blob.generate_download_url(
        expires=300, content_disposition='attachment; filename="report.csv"'
    )
    chrome.execute_script("window.location.href = arguments[0]", url)  # a download: no page load
    saved = _wait_for(lambda: (downloads / "report.csv").is_file() and downloads / "report.csv")
    assert saved.read_bytes() == b"a,b\n1,2\n"
