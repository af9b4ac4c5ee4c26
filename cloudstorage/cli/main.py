"""``cloudstorage``: list, copy, remove, sign and serve blobs in any store, named by URL.

    cloudstorage mb local://photos
    cloudstorage cp cat.png local://photos/        # upload (content type guessed)
    cloudstorage ls local://photos
    cloudstorage cp -r local://photos s3://backup/photos
    cloudstorage mv local://photos/cat.png local://archive/
    cloudstorage sign local://photos/cat.png --expires 300
    cloudstorage serve --port 8000

With no configuration the ``local://`` store is ``./storage``; see `cloudstorage.cli.stores`
for credentials. Errors print one line and exit with status 1.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator, Sequence
from typing import Any

from cloudstorage import Blob, Container, Driver, __version__
from cloudstorage.base.transfer import local_target
from cloudstorage.cli import sync as cli_sync
from cloudstorage.cli.progress import progress_for, reading, writing
from cloudstorage.cli.stores import StoreURL, connect, connect_signing, parse
from cloudstorage.exceptions import CloudStorageError, NotFoundError

__all__ = ["main", "main_exit"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        args.run(args)
    except (CloudStorageError, OSError, ValueError) as exc:
        print(f"cloudstorage: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("cloudstorage: interrupted", file=sys.stderr)
        return 130
    return 0


# -- commands ---------------------------------------------------------------------------


def _ls(args: argparse.Namespace) -> None:
    url = _store_url(args.url)
    driver = connect(url.scheme)
    if not url.container:
        for container in driver:
            print(f"{url.scheme}://{container.name}")
        return
    for blob in _blobs_under(driver.get_container(url.container), url.name):
        modified = blob.modified_at.isoformat(timespec="seconds") if blob.modified_at else "-"
        print(f"{blob.size:>12}  {modified:25}  {url.scheme}://{blob.path}")


def _cp(args: argparse.Namespace) -> None:
    source, target = parse(args.source), parse(args.target)
    if source is None and target is None:
        raise CloudStorageError("cp needs a store URL on at least one side")
    if target is not None and target.container:  # README's `cp -r ... s3://backup/photos`
        _ensure_container(target)
    for src, dst in _copy_pairs(args.source, source, args.target, target, args.recursive):
        _copy_one(src, dst)


def _mv(args: argparse.Namespace) -> None:
    source, target = _store_url(args.source), _store_url(args.target)
    for (_, src), (_, dst) in _copy_pairs(args.source, source, args.target, target, args.recursive):
        assert src is not None  # both sides are store URLs
        assert dst is not None
        container = connect(dst.scheme).get_container(dst.container)
        container.move_blob(_get_blob(src), dst.name)


def _rm(args: argparse.Namespace) -> None:
    url = _blob_url(args.url, allow_prefix=args.recursive)
    container = connect(url.scheme).get_container(url.container)
    if not args.recursive:
        container.get_blob(url.name).delete()
        return
    for blob in list(_blobs_under(container, url.name)):
        blob.delete()
        print(f"removed {url.scheme}://{blob.path}")


def _mb(args: argparse.Namespace) -> None:
    url = _store_url(args.url)
    connect(url.scheme).create_container(url.container, acl=args.acl)


def _rb(args: argparse.Namespace) -> None:
    url = _store_url(args.url)
    container = connect(url.scheme).get_container(url.container)
    if args.force:
        for blob in list(container):
            blob.delete()
    container.delete()


def _info(args: argparse.Namespace) -> None:
    url = _blob_url(args.url)
    blob = connect(url.scheme).get_container(url.container).get_blob(url.name)
    fields = ("name", "size", "checksum", "etag", "content_type", "content_disposition",
              "cache_control", "created_at", "modified_at")  # fmt: skip
    record: dict[str, Any] = {field: getattr(blob, field) for field in fields}
    record["meta_data"] = dict(blob.meta_data)
    record["uri"] = blob.uri
    print(json.dumps(record, indent=2, default=str))


def _sign(args: argparse.Namespace) -> None:
    url = _blob_url(args.url)
    blob = connect_signing(url.scheme).get_container(url.container).get_blob(url.name)
    print(blob.generate_download_url(expires=args.expires, content_disposition=args.disposition))


def _form(args: argparse.Namespace) -> None:
    url = _blob_url(args.url)
    container = connect_signing(url.scheme).get_container(url.container)
    length = (args.min_size, args.max_size) if args.max_size is not None else None
    form = container.generate_upload_url(
        url.name, expires=args.expires, content_type=args.content_type, content_length=length
    )
    print(json.dumps(form, indent=2, default=str))


def _serve(args: argparse.Namespace) -> None:
    from werkzeug.serving import run_simple  # noqa: PLC0415  # only this command needs it

    from cloudstorage.drivers.local import LocalDriver  # noqa: PLC0415
    from cloudstorage.serve import RedactingRequestHandler, make_app  # noqa: PLC0415

    driver = connect("local")
    if not isinstance(driver, LocalDriver) or not driver.secret:
        raise CloudStorageError(
            "serve needs the local store's secret: set CLOUDSTORAGE_LOCAL_SECRET "
            "or 'secret' in the [local] table of the config file"
        )
    print(f"serving {driver.base_path} on http://{args.host}:{args.port}/", file=sys.stderr)
    run_simple(
        args.host, args.port, make_app(driver), threaded=True,
        request_handler=RedactingRequestHandler,
    )  # fmt: skip


# -- copying ----------------------------------------------------------------------------


Endpoint = tuple[str, StoreURL | None]  # a local path, or a store URL with its blob name


def _copy_pairs(
    source_text: str, source: StoreURL | None, target_text: str, target: StoreURL | None,
    recursive: bool,
) -> Iterator[tuple[Endpoint, Endpoint]]:  # fmt: skip
    """(source, target) pairs, each a local path or a store URL naming one blob."""
    if not recursive:
        name = os.path.basename(source.name if source else source_text)
        if not name:
            raise CloudStorageError(f"{source_text} names no file or blob (use -r for a tree)")
        yield (source_text, source), _into(target_text, target, name)
        return
    if source is None:
        base = source_text.rstrip("/")
        for folder, _, files in os.walk(base):
            for file in sorted(files):
                path = os.path.join(folder, file)
                relative = os.path.relpath(path, base).replace(os.sep, "/")
                yield (path, None), _under(target_text, target, relative)
        return
    prefix = source.name.rstrip("/")
    container = connect(source.scheme).get_container(source.container)
    for blob in _blobs_under(container, prefix):
        relative = blob.name[len(prefix) :].lstrip("/") if prefix else blob.name
        yield (
            ("", StoreURL(source.scheme, source.container, blob.name)),
            _under(target_text, target, relative),
        )


def _into(text: str, url: StoreURL | None, name: str) -> Endpoint:
    """The target for one file: ``text`` itself, or ``name`` inside it if it is a folder."""
    if url is None:
        return (os.path.join(text, name) if os.path.isdir(text) else text), None
    if not url.name or url.name.endswith("/"):
        return "", StoreURL(url.scheme, url.container, url.name + name)
    return "", url


def _under(text: str, url: StoreURL | None, relative: str) -> Endpoint:
    if url is None:
        return os.path.join(text, *relative.split("/")), None
    base = url.name.rstrip("/")
    return "", StoreURL(url.scheme, url.container, f"{base}/{relative}" if base else relative)


def _copy_one(source: Endpoint, target: Endpoint) -> None:
    (source_path, source_url), (target_path, target_url) = source, target
    label = str(target_url or target_path)
    if source_url is None and target_url is not None:  # upload
        container = connect(target_url.scheme).get_container(target_url.container)
        callback = progress_for(label, os.path.getsize(source_path))
        with open(source_path, "rb") as file:
            container.upload_blob(reading(file, callback), blob_name=target_url.name)
        callback.close()
        return
    assert source_url is not None  # _cp refused local-to-local
    blob = _get_blob(source_url)
    callback = progress_for(label, blob.size)
    if target_url is None:  # download, appearing at the path only when complete
        os.makedirs(os.path.dirname(os.path.abspath(target_path)), exist_ok=True)
        with local_target(target_path) as local:
            blob.download(writing(local, callback))
    else:  # store to store: server-side within one store, else streamed with its settings
        container = connect(target_url.scheme).get_container(target_url.container)
        container.copy_blob(blob, target_url.name)
    callback.close()


# -- helpers ----------------------------------------------------------------------------


def _store_url(text: str) -> StoreURL:
    url = parse(text)
    if url is None:
        raise CloudStorageError(f"{text!r} is not a store URL (e.g. local://container)")
    return url


def _blob_url(text: str, allow_prefix: bool = False) -> StoreURL:
    url = _store_url(text)
    if not url.container or (not url.name and not allow_prefix):
        raise CloudStorageError(f"{text!r} names no blob (container/blob)")
    return url


def _ensure_container(url: StoreURL) -> None:
    """Create the container a copy goes into if it is missing."""
    driver = connect(url.scheme)
    if url.container not in driver:
        driver.create_container(url.container)


def _get_blob(url: StoreURL) -> Blob:
    driver: Driver = connect(url.scheme)
    return driver.get_container(url.container).get_blob(url.name)


def _blobs_under(container: Container, prefix: str) -> Iterator[Blob]:
    """Blobs named ``prefix`` or inside the ``prefix/`` folder; all when ``prefix`` is empty."""
    folder = prefix.rstrip("/") + "/"
    found = False
    for blob in container:
        if not prefix or blob.name == prefix or blob.name.startswith(folder):
            found = True
            yield blob
    if prefix and not found:
        raise NotFoundError(f"no blob named {prefix!r} or under it in {container.name!r}")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cloudstorage",
        description="Work with blobs in S3, GCS, Azure, Swift, MinIO or a local store.",
        epilog="Stores are URLs such as local://container/blob or s3://bucket/key.",
    )
    parser.add_argument("--version", action="version", version=f"cloudstorage {__version__}")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    def command(name: str, run: Any, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(run=run)
        return sub

    ls = command("ls", _ls, "list containers of a store, or blobs of a container (or prefix)")
    ls.add_argument("url", nargs="?", default="local://", help="default: local://")
    cp = command("cp", _cp, "copy files and blobs: local to store, store to local or store")
    cp.add_argument("source")
    cp.add_argument("target")
    cp.add_argument("-r", "--recursive", action="store_true", help="copy a folder or prefix")
    mv = command("mv", _mv, "move blobs between store URLs (copy, then delete the source)")
    mv.add_argument("source")
    mv.add_argument("target")
    mv.add_argument("-r", "--recursive", action="store_true", help="move every blob of a prefix")
    rm = command("rm", _rm, "delete a blob")
    rm.add_argument("url")
    rm.add_argument("-r", "--recursive", action="store_true", help="every blob under a prefix")
    mb = command("mb", _mb, "make a container")
    mb.add_argument("url")
    mb.add_argument("--acl", help="canned ACL, as the driver names them")
    rb = command("rb", _rb, "remove an empty container")
    rb.add_argument("url")
    rb.add_argument("--force", action="store_true", help="delete its blobs first")
    info = command("info", _info, "show a blob's attributes as JSON")
    info.add_argument("url")
    sign = command("sign", _sign, "print a signed download URL for a blob")
    sign.add_argument("url")
    sign.add_argument("--expires", type=int, default=3600, help="seconds (default 3600)")
    sign.add_argument("--disposition", help="Content-Disposition of the response")
    form = command("form", _form, "print a signed upload form (url and fields) as JSON")
    form.add_argument("url", help="container/blob the form uploads to")
    form.add_argument("--expires", type=int, default=3600, help="seconds (default 3600)")
    form.add_argument("--content-type")
    form.add_argument("--min-size", type=int, default=0)
    form.add_argument("--max-size", type=int, help="largest upload, in bytes")
    serve = command("serve", _serve, "serve the local store's signed URLs and upload forms")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    cli_sync.register(commands)
    return parser


def main_exit() -> None:
    """The console script: `main` with its status as the process's exit code."""
    sys.exit(main())


if __name__ == "__main__":
    main_exit()
