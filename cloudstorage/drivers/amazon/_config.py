"""botocore, boto3 and s3fs configuration of an S3 driver: retries, timeouts, endpoint, keys."""

from __future__ import annotations

from typing import Any

import boto3  # type: ignore[import-untyped]  # boto3 ships no type information
from botocore.config import Config  # type: ignore[import-untyped]  # untyped, as boto3

from cloudstorage.base.retry import RetryOptions
from cloudstorage.drivers.amazon import _retry as s3_retry
from cloudstorage.drivers.amazon import _timestamps as s3_timestamps


def config_kwargs(
    retry: RetryOptions, endpoint_url: str | None, addressing_style: str | None
) -> dict[str, Any]:
    """botocore ``Config`` arguments for every client of a driver."""
    # botocore's "standard" retries are the one retrying layer (s3fs's loop is off, see
    # `fs`): throttling (SlowDown) and 5xx answers, dropped connections, with
    # full-jitter exponential backoff (botocore's own: up to 1, 2, 4, ... s, 20 s at most)
    config: dict[str, Any] = {
        "retries": {"mode": "standard", "total_max_attempts": retry.retries + 1},
        "connect_timeout": retry.timeout,
        "read_timeout": retry.timeout,
    }
    if endpoint_url:
        # boto3's default CRC checksums on every PUT break many S3-compatible servers
        config["request_checksum_calculation"] = "when_required"
        config["response_checksum_validation"] = "when_required"
    if addressing_style:
        config["s3"] = {"addressing_style": addressing_style}
    return config


def storage_options(
    config: dict[str, Any],
    region: str | None,
    endpoint_url: str | None,
    key: str | None,
    secret: str | None,
    block_size: int,
) -> dict[str, Any]:
    """s3fs's filesystem options reaching the same server with the same ``config``."""
    client_kwargs: dict[str, Any] = {}
    if region == "us-east-1":
        # s3fs's mkdir turns client_kwargs' region into a LocationConstraint, which
        # us-east-1 refuses; botocore's Config carries the region just as well
        config["region_name"] = region
    else:
        client_kwargs["region_name"] = region
    if endpoint_url:
        client_kwargs["endpoint_url"] = endpoint_url
    options: dict[str, Any] = {
        "client_kwargs": client_kwargs,
        "config_kwargs": config,
        "default_block_size": block_size,
        "max_concurrency": 2,  # put_file/get_file hold concurrency x chunk size in memory
        "use_listings_cache": False,  # several clients may change a bucket
    }
    if key is not None:
        options["key"] = key
    if secret is not None:
        options["secret"] = secret
    return options


def resource(
    session: Any, config_kwargs: dict[str, Any], endpoint_url: str | None, retry: RetryOptions
) -> Any:
    """The boto3 S3 service resource of ``session``, signing SigV4, retrying with ``retry``."""
    config = Config(signature_version="s3v4", **config_kwargs)
    # bulk calls send small PUTs/GETs through it from up to max_workers threads at once
    # (botocore keeps 10 connections by default, discarding the rest with a warning)
    config = config.merge(Config(max_pool_connections=64))
    s3 = session.resource("s3", endpoint_url=endpoint_url, config=config)
    setup_client(s3.meta.client, retry)
    return s3


def setup_client(client: Any, retry: RetryOptions) -> Any:
    """Make a botocore or aiobotocore client of the driver retry with ``retry`` (`_retry`) and
    parse timestamps fast (`_timestamps`); every client the driver makes goes through here."""
    s3_timestamps.install(client)
    return s3_retry.install(client, retry)


def setup_filesystem(fs: Any, retry: RetryOptions) -> Any:
    """Make s3fs's filesystem ``fs`` set up each client it makes with `setup_client`; s3fs's
    own loop (a class attribute, not an option) tries once. Returns ``fs``."""
    if getattr(fs, "_cloudstorage_retry", None) is retry:
        return fs  # fsspec's cached instance, shared by drivers with the same options
    make_client = fs.set_session

    async def set_session(refresh: bool = False, kwargs: Any = None) -> Any:
        return setup_client(await make_client(refresh=refresh, kwargs=kwargs or {}), retry)

    fs.set_session = set_session
    fs._cloudstorage_retry = retry
    fs.retries = 1
    return fs


def session(key: str | None, secret: str | None, region: str | None) -> Any:
    """A boto3 session holding these credentials and region."""
    return boto3.Session(aws_access_key_id=key, aws_secret_access_key=secret, region_name=region)
