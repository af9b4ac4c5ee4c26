"""The ``cloudstorage`` console script, run as a user would: in a subprocess."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time

import pytest
import requests

from cloudstorage.drivers.local import LocalDriver

SCRIPT = shutil.which("cloudstorage", path=os.path.dirname(sys.executable))
COMMANDS = ["ls", "cp", "mv", "rm", "mb", "rb", "info", "sign", "form", "serve"]


@pytest.fixture
def env(tmp_path):
    variables = {k: v for k, v in os.environ.items() if not k.startswith("CLOUDSTORAGE_")}
    variables["CLOUDSTORAGE_CONFIG"] = str(tmp_path / "no-config.toml")
    variables["CLOUDSTORAGE_LOCAL_SECRET"] = "cli-secret"
    return variables


def run(tmp_path, env, *args, ok=True):
    result = subprocess.run(
        [SCRIPT, *args],
        check=False,
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if ok:
        assert result.returncode == 0, result.stderr
    return result


def test_console_script_is_installed():
    assert SCRIPT is not None


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(tmp_path, env, command):
    result = run(tmp_path, env, command, "--help")
    assert result.stdout.startswith(f"usage: cloudstorage {command}")


def test_a_new_users_session_on_the_default_local_store(tmp_path, env):
    (tmp_path / "cat.csv").write_text("a,b\n1,2\n")
    tree = tmp_path / "tree" / "sub"
    tree.mkdir(parents=True)
    (tree / "deep.txt").write_text("deep")
    run(tmp_path, env, "mb", "local://photos")
    run(tmp_path, env, "cp", "cat.csv", "local://photos/")
    run(tmp_path, env, "cp", "-r", "tree", "local://photos/t")
    assert (tmp_path / "storage" / "photos" / "cat.csv").is_file()  # ./storage by default

    listing = run(tmp_path, env, "ls", "local://photos").stdout
    assert "local://photos/cat.csv" in listing
    assert "local://photos/t/sub/deep.txt" in listing
    assert run(tmp_path, env, "ls").stdout.split() == ["local://photos"]

    info = json.loads(run(tmp_path, env, "info", "local://photos/cat.csv").stdout)
    assert info["size"] == 8
    assert info["content_type"] == "text/csv"

    run(tmp_path, env, "cp", "local://photos/cat.csv", "copy.csv")
    assert (tmp_path / "copy.csv").read_text() == "a,b\n1,2\n"
    run(tmp_path, env, "cp", "-r", "local://photos/t", "out")
    assert (tmp_path / "out" / "sub" / "deep.txt").read_text() == "deep"

    run(tmp_path, env, "mb", "local://backup")
    run(tmp_path, env, "cp", "-r", "local://photos", "local://backup/copy")
    assert "local://backup/copy/t/sub/deep.txt" in run(tmp_path, env, "ls", "local://backup").stdout

    run(tmp_path, env, "rm", "local://photos/cat.csv")
    run(tmp_path, env, "rm", "-r", "local://photos/t")
    run(tmp_path, env, "rb", "local://photos")
    run(tmp_path, env, "rb", "--force", "local://backup")
    assert run(tmp_path, env, "ls").stdout == ""


def test_errors_are_one_line_and_a_non_zero_status(tmp_path, env):
    run(tmp_path, env, "mb", "local://box")
    (tmp_path / "f.txt").write_text("x")
    run(tmp_path, env, "cp", "f.txt", "local://box/f.txt")
    for args in (
        ["rm", "local://box/missing.txt"],
        ["rb", "local://box"],
        ["cp", "local://box/missing.txt", "x.txt"],
        ["ls", "nope://x"],
        ["mb", "local://../escape"],
    ):
        result = run(tmp_path, env, *args, ok=False)
        assert result.returncode == 1, args
        assert result.stderr.count("\n") == 1, result.stderr
        assert result.stderr.startswith("cloudstorage: error: ")
    assert not (tmp_path / "x.txt").exists()
    assert not (tmp_path / "escape").exists()


def test_config_file_and_environment_choose_the_store(tmp_path, env):
    config = tmp_path / "config.toml"
    config.write_text(f'[local]\nkey = "{tmp_path / "from-config"}"\n')
    env["CLOUDSTORAGE_CONFIG"] = str(config)
    run(tmp_path, env, "mb", "local://c1")
    assert (tmp_path / "from-config" / "c1").is_dir()
    env["CLOUDSTORAGE_LOCAL_KEY"] = str(tmp_path / "from-env")
    run(tmp_path, env, "mb", "local://c2")
    assert (tmp_path / "from-env" / "c2").is_dir()


def test_sign_and_form_use_the_configured_secret(tmp_path, env):
    run(tmp_path, env, "mb", "local://box")
    (tmp_path / "f.txt").write_text("x")
    run(tmp_path, env, "cp", "f.txt", "local://box/")
    signature = run(tmp_path, env, "sign", "local://box/f.txt", "--expires", "60").stdout.strip()
    driver = LocalDriver(key=str(tmp_path / "storage"), secret="cli-secret")
    assert driver.validate_signature(signature)["blob_name"] == "f.txt"
    form = json.loads(run(tmp_path, env, "form", "local://box/up.png", "--max-size", "10").stdout)
    payload = driver.validate_signature(form["fields"]["signature"])
    assert payload["content_length"] == [0, 10]
    assert run(tmp_path, env, "sign", "local://box/missing", ok=False).returncode == 1


def test_no_progress_output_when_not_on_a_terminal(tmp_path, env):
    run(tmp_path, env, "mb", "local://box")
    (tmp_path / "big.bin").write_bytes(os.urandom(3 * 1024 * 1024))
    result = run(tmp_path, env, "cp", "big.bin", "local://box/")
    assert result.stderr == ""


def test_serve_makes_signed_urls_real(tmp_path, env):
    run(tmp_path, env, "mb", "local://box")
    (tmp_path / "f.txt").write_text("served")
    run(tmp_path, env, "cp", "f.txt", "local://box/")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [SCRIPT, "serve", "--port", str(port)], cwd=tmp_path, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        env["CLOUDSTORAGE_LOCAL_BASE_URL"] = f"http://127.0.0.1:{port}/"
        url = run(tmp_path, env, "sign", "local://box/f.txt").stdout.strip()
        deadline = time.monotonic() + 20
        while True:
            try:
                response = requests.get(url, timeout=5)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline, "cloudstorage serve did not start"
                time.sleep(0.1)
        assert response.status_code == 200
        assert response.text == "served"
    finally:
        server.terminate()
        _, log = server.communicate(timeout=10)
    assert '"GET / HTTP/1.1" 200' in log  # the access log names the request ...
    assert url.split("signature=")[1][:20] not in log  # ... but never its signature


def test_serve_without_a_secret_is_refused(tmp_path, env):
    del env["CLOUDSTORAGE_LOCAL_SECRET"]
    result = run(tmp_path, env, "serve", "--port", "1", ok=False)
    assert "secret" in result.stderr


# -- what a new user meets first (issue #15) ----------------------------------------------------


def test_version(tmp_path, env):
    from cloudstorage import __version__  # noqa: PLC0415

    assert run(tmp_path, env, "--version").stdout.strip() == f"cloudstorage {__version__}"


def test_the_uri_info_prints_is_accepted_back(tmp_path, env):
    run(tmp_path, env, "mb", "local://box")
    (tmp_path / "f.txt").write_text("x")
    run(tmp_path, env, "cp", "f.txt", "local://box/")
    uri = json.loads(run(tmp_path, env, "info", "local://box/f.txt").stdout)["uri"]
    assert uri == "xlocal://box/f.txt"
    assert json.loads(run(tmp_path, env, "info", uri).stdout)["size"] == 1
    assert "local://box/f.txt" in run(tmp_path, env, "ls", "xlocal://box").stdout
    run(tmp_path, env, "sign", uri)
    run(tmp_path, env, "cp", uri, "back.txt")
    assert (tmp_path / "back.txt").read_text() == "x"
    run(tmp_path, env, "rm", uri)
    run(tmp_path, env, "rb", "xlocal://box")


@pytest.mark.parametrize("command", [["sign", "local://box/f.txt"], ["form", "local://box/u"]])
def test_signing_without_a_secret_says_how_to_give_one(tmp_path, env, command):
    del env["CLOUDSTORAGE_LOCAL_SECRET"]
    run(tmp_path, env, "mb", "local://box")
    (tmp_path / "f.txt").write_text("x")
    run(tmp_path, env, "cp", "f.txt", "local://box/")
    result = run(tmp_path, env, *command, ok=False)
    assert "CLOUDSTORAGE_LOCAL_SECRET" in result.stderr
    assert "config file" in result.stderr


def test_sign_prints_a_url_of_serve_unless_a_base_url_is_configured(tmp_path, env):
    run(tmp_path, env, "mb", "local://box")
    (tmp_path / "f.txt").write_text("x")
    run(tmp_path, env, "cp", "f.txt", "local://box/")
    url = run(tmp_path, env, "sign", "local://box/f.txt").stdout.strip()
    assert url.startswith("http://127.0.0.1:8000/?signature=")
    form = json.loads(run(tmp_path, env, "form", "local://box/u.png").stdout)
    assert form["url"] == "http://127.0.0.1:8000/"
    env["CLOUDSTORAGE_LOCAL_BASE_URL"] = "https://example.test/files"
    url = run(tmp_path, env, "sign", "local://box/f.txt").stdout.strip()
    assert url.startswith("https://example.test/files?signature=")


def test_readme_recursive_copy_into_a_missing_container(tmp_path, env):
    run(tmp_path, env, "mb", "local://photos")
    (tmp_path / "cat.png").write_bytes(b"\x89PNG")
    run(tmp_path, env, "cp", "cat.png", "local://photos/")
    run(tmp_path, env, "cp", "-r", "local://photos", "local://backup/photos")
    assert "local://backup/photos/cat.png" in run(tmp_path, env, "ls", "local://backup").stdout


def test_cp_and_mv_between_store_urls(tmp_path, env):
    (tmp_path / "cat.csv").write_text("a,b\n1,2\n")
    run(tmp_path, env, "mb", "local://photos")
    run(tmp_path, env, "mb", "local://archive")
    run(tmp_path, env, "cp", "cat.csv", "local://photos/")
    run(tmp_path, env, "cp", "local://photos/cat.csv", "local://archive/copy.csv")
    run(tmp_path, env, "mv", "local://photos/cat.csv", "local://archive/")
    store = tmp_path / "storage"
    assert (store / "archive" / "copy.csv").read_text() == "a,b\n1,2\n"
    assert (store / "archive" / "cat.csv").read_text() == "a,b\n1,2\n"
    assert not (store / "photos" / "cat.csv").exists()
    info = json.loads(run(tmp_path, env, "info", "local://archive/cat.csv").stdout)
    assert info["content_type"] == "text/csv"
    failed = run(tmp_path, env, "mv", "local://photos/cat.csv", "local://archive/", ok=False)
    assert failed.returncode == 1
    assert "not found" in failed.stderr
    assert (store / "archive" / "cat.csv").exists()
