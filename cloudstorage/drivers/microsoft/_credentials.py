"""How the Azure driver logs in: an account key, a SAS token, a connection string or a
token credential object (``azure-identity``'s ``DefaultAzureCredential`` and the like).

The driver options are the names adlfs and azure-storage-blob use: ``key`` (the account key),
``sas_token``, ``connection_string`` and ``credential``; exactly one of them. A connection
string is read into the others (``AccountName``, ``AccountKey``, ``SharedAccessSignature``,
``BlobEndpoint``, ``DefaultEndpointsProtocol``, ``EndpointSuffix``, or
``UseDevelopmentStorage=true`` for Azurite's well-known account). `AzureLogin` gives the SDK
client its credential and adlfs its options; signed URLs need the account key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cloudstorage.exceptions import CloudStorageError, CredentialsError

__all__ = ["LOGIN_OPTIONS", "AzureLogin"]

LOGIN_OPTIONS = ("sas_token", "connection_string", "credential")
"""Driver options, besides ``key``, that say how to log in."""
_SUFFIX = "core.windows.net"
_AZURITE = {
    "accountname": "devstoreaccount1",
    "accountkey": "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/"
    "KBHBeksoGMGw==",
    "blobendpoint": "http://127.0.0.1:10000/devstoreaccount1",
}
"""``UseDevelopmentStorage=true``: Azurite's documented account, key and blob endpoint."""


@dataclass(frozen=True)
class AzureLogin:
    """An account, its blob endpoint, and the one secret that opens it."""

    account_name: str
    endpoint_url: str
    custom_endpoint: bool
    key: str | None = None
    sas_token: str | None = None
    credential: Any = None

    @classmethod
    def of(
        cls, account_name: str | None, key: str | None, endpoint_url: str | None,
        options: dict[str, Any],
    ) -> AzureLogin:  # fmt: skip
        """The login the driver's arguments describe; `CredentialsError` if none or several."""
        given = [name for name in ("key", *LOGIN_OPTIONS) if ({"key": key} | options).get(name)]
        if len(given) != 1:
            raise CredentialsError(
                "AzureStorageDriver needs one of key (the account key), sas_token, "
                f"connection_string or credential; got {given or 'none'}"
            )
        sas_token = options.get("sas_token")
        if options.get("connection_string"):
            parts = _parse(options["connection_string"])
            account_name = account_name or parts.get("accountname")
            key, sas_token = parts.get("accountkey"), parts.get("sharedaccesssignature")
            if not (key or sas_token):
                raise CredentialsError("the connection string has no AccountKey or SAS token")
            scheme = parts.get("defaultendpointsprotocol", "https")
            suffix = parts.get("endpointsuffix", _SUFFIX)
            if not endpoint_url and (parts.get("blobendpoint") or suffix != _SUFFIX):
                endpoint_url = parts.get("blobendpoint") or (
                    f"{scheme}://{account_name}.blob.{suffix}"
                )
        if not account_name:
            raise CredentialsError("AzureStorageDriver needs the storage account's name")
        endpoint = (endpoint_url or f"https://{account_name}.blob.{_SUFFIX}").rstrip("/")
        return cls(
            account_name, endpoint, endpoint_url is not None, key,
            sas_token.lstrip("?") if sas_token else None, options.get("credential"),
        )  # fmt: skip

    def service_credential(self) -> Any:
        """What ``BlobServiceClient(credential=...)`` takes for this login."""
        if self.key:
            return {"account_name": self.account_name, "account_key": self.key}
        return self.sas_token or self.credential

    def adlfs_options(self) -> dict[str, Any]:
        """adlfs's options for this login (on another endpoint, a connection string naming
        it, since adlfs's ``account_host`` can only be https; a token credential goes there)."""
        options: dict[str, Any] = {"account_name": self.account_name}
        secret = {"AccountKey": self.key} if self.key else {"SharedAccessSignature": self.sas_token}
        if self.credential is not None:
            options["credential"] = self.credential
            if self.custom_endpoint:
                options["account_host"] = self.endpoint_url.split("://", 1)[1]
        elif not self.custom_endpoint:
            options.update({"account_key": self.key} if self.key else {"sas_token": self.sas_token})
        else:
            scheme = self.endpoint_url.split("://", 1)[0]
            name, value = next(iter(secret.items()))
            options["connection_string"] = (
                f"DefaultEndpointsProtocol={scheme};AccountName={self.account_name};"
                f"{name}={value};BlobEndpoint={self.endpoint_url};"
            )
        return options

    def signing_key(self) -> str:
        """The account key that signs SAS URLs; `CloudStorageError` if this login has none."""
        if not self.key:
            raise CloudStorageError(
                "signed URLs are signed with the account key: this driver logged in with a "
                "SAS token or a credential object (make the URL with the key, or hand out "
                "your SAS token)"
            )
        return self.key


def _parse(connection_string: str) -> dict[str, str]:
    """``Name=value;...`` with lower-case names (values may hold ``=``, as SAS tokens do)."""
    parts: dict[str, str] = {}
    for item in connection_string.split(";"):
        name, sep, value = item.strip().partition("=")
        if sep:
            parts[name.strip().lower()] = value.strip()
    if parts.get("usedevelopmentstorage", "").lower() == "true":
        return {**_AZURITE, **{k: v for k, v in parts.items() if k != "usedevelopmentstorage"}}
    return parts
