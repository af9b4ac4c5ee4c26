"""Run one (client, workload) in this fresh process and print one JSON line of measurements.

    python benchmarks/_worker.py SPEC.json

Run as a script by `benchmarks.run` with the client's own interpreter (the project's venv, or an
anchor's venv under ``.cache/bench-venvs/``), so this file and `_clients` import only the
standard library at module level. Imports, connection and data setup happen before the timed
region; the request counter and the peak-RSS mark are reset right before it.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time

MIB = 1 << 20


class _Counter:
    """HTTP requests sent by this process: http.client (urllib3, requests) and aiohttp."""

    def __init__(self) -> None:
        self.count = 0

    def install(self) -> None:
        import http.client  # noqa: PLC0415

        putrequest = http.client.HTTPConnection.putrequest
        counter = self

        def counted(self, *args, **kwargs):
            counter.count += 1
            return putrequest(self, *args, **kwargs)

        http.client.HTTPConnection.putrequest = counted
        try:
            import aiohttp  # noqa: PLC0415
        except ImportError:
            return
        request = aiohttp.ClientSession._request

        async def counted_async(self, *args, **kwargs):
            counter.count += 1
            return await request(self, *args, **kwargs)

        aiohttp.ClientSession._request = counted_async


def _status(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(field)


def _reset_peak() -> int:
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")  # VmHWM := VmRSS
    return _status("VmRSS")


class _Discard:
    def write(self, data):
        return len(data)


class _Pipe:
    """A non-seekable reader over a file, as a socket would be."""

    def __init__(self, path):
        self._file = open(path, "rb")  # noqa: SIM115

    def read(self, size=-1):
        return self._file.read(size)

    def readable(self):
        return True

    def seekable(self):
        return False

    def close(self):
        self._file.close()


def _pandas_reader(spec):
    """(read, url) for the pandas workload: ours by blob URL, raw by the underlying protocol."""
    import pandas as pd  # noqa: PLC0415

    server, name = spec["server"], f"{spec['container']}/{spec['blob']}"
    if spec["client"] == "ours":
        from _clients import make_driver  # noqa: PLC0415

        driver = make_driver(spec["driver"], server)
        url, options = f"{driver.protocol}://{name}", driver.storage_options
    elif spec["driver"] in ("s3", "minio"):
        url = f"s3://{name}"
        options = {
            "key": server["key"],
            "secret": server["secret"],
            "client_kwargs": {"endpoint_url": server["endpoint"]},
        }
    elif spec["driver"] == "gcs":
        url = f"gs://{name}"
        options = {"endpoint_url": server["endpoint"], "token": "anon", "project": "test"}
    elif spec["driver"] == "azure":
        url, options = f"az://{name}", {"connection_string": server["connection_string"]}
    elif spec["driver"] == "swift":  # ours is the swift:// protocol itself: nothing beneath
        from _clients import Unsupported  # noqa: PLC0415

        raise Unsupported("swift:// is our own fs_bridge protocol: no other to compare with")
    else:  # the local store's underlying protocol: fsspec's own local filesystem
        url, options = "file://" + os.path.join(server["root"], name), None
    return lambda: pd.read_parquet(url, storage_options=options), url


def run(spec: dict) -> dict:  # noqa: PLR0912, PLR0915  # one branch per workload
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    if spec.get("repo_root"):
        sys.path.insert(1, spec["repo_root"])
    counter = _Counter()
    counter.install()
    from _clients import CLIENTS, Unsupported  # noqa: PLC0415

    workload, count = spec["workload"], spec.get("count", 1)
    scratch = tempfile.mkdtemp(dir=spec.get("scratch"))
    names = [f"{spec.get('prefix', 'x')}/{i:05d}.bin" for i in range(count)]
    data = os.urandom(spec.get("size", 4096))
    try:
        if workload == "pandas":
            action, _ = _pandas_reader(spec)
            action()  # warm: connect, read the footer once
            ops = [action] * count
        else:
            client = CLIENTS[spec["client"]](spec)
            if workload == "put":  # blobs created: names no rep or client has written
                folder = _fresh_folder(spec)
                client.put(f"{folder}/warm.bin", data)
                ops = [lambda n=n: client.put(n, data) for n in _renamed(names, folder)]
            elif workload == "overwrite":  # blobs replaced: `run` stored these names first
                client.overwrite(names[0], data)
                ops = [lambda n=n: client.overwrite(n, data) for n in names]
            elif workload == "get":
                client.prepare_get(names)
                client.get(names[0])
                ops = [lambda n=n: client.get(n) for n in names]
            elif workload == "get_by_name":
                client.get_by_name(names[0])
                ops = [lambda n=n: client.get_by_name(n) for n in names]
            elif workload == "put_path":  # blobs created, as `put`'s
                suffix, folder = spec["suffix"], _fresh_folder(spec)  # "": no extension
                paths = [os.path.join(scratch, f"{i:05d}{suffix}") for i in range(count)]
                for path in paths:
                    with open(path, "wb") as file:
                        file.write(data)
                client.put_path(paths[0], f"{folder}/warm{suffix}")
                fresh = _renamed(names, folder)
                ops = [lambda i=i: client.put_path(paths[i], fresh[i]) for i in range(count)]
            elif workload == "get_blob":
                client.head(names[0])
                ops = [lambda n=n: client.head(n) for n in names]
            elif workload == "list":
                ops = [lambda: client.list(spec.get("list_prefix", ""))] * count
            elif workload in ("upload_path", "upload_stream"):
                source = spec["source"]
                client.put("warm.bin", data)
                if workload == "upload_path":
                    ops = [lambda: client.upload_path(source, "large.up")]
                else:
                    ops = [lambda: client.upload_stream(_Pipe(source), "large.up")]
            elif workload in ("download_path", "download_stream"):
                blob, target = spec["blob"], os.path.join(scratch, "large.down")
                client.prepare_get([blob])
                if workload == "download_path":
                    ops = [lambda: client.download_path(blob, target)]
                else:
                    ops = [lambda: client.download_stream(blob, _Discard())]
            elif workload in ("bulk_put", "bulk_delete"):
                if workload == "bulk_put":  # blobs created, as `put`'s
                    names = _renamed(names, _fresh_folder(spec))
                pairs = []
                for name in names:
                    path = os.path.join(scratch, name.replace("/", "_"))
                    with open(path, "wb") as file:
                        file.write(data)
                    pairs.append((path, name))
                if workload == "bulk_put":
                    ops = [lambda: client.bulk_put(pairs)]
                else:
                    client.bulk_put(pairs)
                    ops = [lambda: client.bulk_delete(names)]
            elif workload == "bulk_get":
                ops = [lambda: client.bulk_get(names, os.path.join(scratch, "out"))]
            else:
                raise ValueError(workload)
        counter.count = 0
        profile = _profiler(spec)
        rss = _reset_peak()
        cpu, wall = time.process_time(), time.perf_counter()
        results = [op() for op in ops]
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        if profile is not None:
            profile.disable()
            profile.dump_stats(f"{os.environ['BENCH_PROFILE']}/{workload}-{spec['client']}.prof")
        result = {
            "ops": len(ops),
            "wall": wall,
            "cpu": cpu,
            "requests": counter.count,
            "rss_mib": rss / MIB,
            "peak_growth_mib": (_status("VmHWM") - rss) / MIB,
        }
        if workload == "list":
            result["listed"] = results[0]
        return result
    except Unsupported as exc:
        return {"skipped": str(exc)}
    finally:
        import shutil  # noqa: PLC0415

        shutil.rmtree(scratch, ignore_errors=True)


def _fresh_folder(spec: dict) -> str:
    """``<prefix>/r<rep>-<client>``: a folder of names no other rep or client writes."""
    client = "".join(c if c.isalnum() or c in ".-" else "-" for c in spec["client"])
    return f"{spec.get('prefix', 'x')}/r{spec.get('rep', 0)}-{client}"


def _renamed(names: list[str], folder: str) -> list[str]:
    """``names`` (``<prefix>/NNNNN.bin``) moved into ``folder``."""
    return [f"{folder}/{name.rpartition('/')[2]}" for name in names]


def _profiler(spec):
    """A running cProfile of the timed region when ``BENCH_PROFILE`` names a folder, else None.

    The profile inflates the row's times: use it to see where time goes, not for the table.
    """
    if not os.environ.get("BENCH_PROFILE"):
        return None
    import cProfile  # noqa: PLC0415

    profile = cProfile.Profile()
    profile.enable()
    return profile


def main() -> None:
    with open(sys.argv[1]) as file:
        spec = json.load(file)
    print("RESULT " + json.dumps(run(spec)))


if __name__ == "__main__":
    main()
