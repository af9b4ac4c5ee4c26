"""A WSGI application that makes the local store's signed URLs and upload forms real.

``GET {base_url}?signature=...`` streams the signed blob (Range, ETag / If-None-Match, and the
signature's Content-Disposition and Content-Type overrides). ``POST {base_url}`` with the
fields of `LocalDriver.generate_container_upload_url` and a ``file`` part stores the upload,
enforcing the policy the signature carries: expiry, blob name and container, size range,
content type. A ``blob_name`` of ``""`` or a prefix is completed by the uploaded file's name
(as `UploadPolicy.key` says). ``PUT {base_url}?signature=...`` (`LocalDriver.generate_put_url`)
stores the request's body as the signed blob, with the signed content type and metadata.
Uploads are atomic: a refused or broken upload stores nothing.

    cloudstorage serve --root ./storage --secret ... --port 8000

or mount ``make_app(driver)`` in any WSGI server.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from typing import Any

from werkzeug.exceptions import (
    BadRequest,
    Forbidden,
    HTTPException,
    NotFound,
    RequestEntityTooLarge,
)
from werkzeug.serving import WSGIRequestHandler
from werkzeug.wrappers import Request, Response
from werkzeug.wsgi import wrap_file

from cloudstorage.base import transfer
from cloudstorage.base.settings import FILENAME, upload_key
from cloudstorage.drivers.local import LocalDriver
from cloudstorage.exceptions import CloudStorageError, NotFoundError, SignatureExpiredError

__all__ = ["RedactingRequestHandler", "make_app"]

_FORM_OVERHEAD = 64 * 1024
"""Room for the form's other fields on top of the largest file a policy allows."""


class SignedStorageApp:
    """The WSGI callable; one per `LocalDriver`."""

    def __init__(self, driver: LocalDriver) -> None:
        self.driver = driver
        """The local store whose signatures this app checks."""

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        try:
            if request.method in ("GET", "HEAD"):
                response = self._download(request)
            elif request.method == "POST":
                response = self._upload(request)
            elif request.method == "PUT":
                response = self._put(request)
            else:
                response = Response("method not allowed\n", status=405)
                response.headers["Allow"] = "GET, HEAD, POST, PUT"
        except HTTPException as error:
            response = Response(f"{error.description}\n", status=error.code, mimetype="text/plain")
        finally:
            request.close()  # the spooled files of a form upload
        return response(environ, start_response)

    def _payload(self, signature: str | None) -> dict[str, Any]:
        if not signature:
            raise BadRequest("a signature is required")
        try:
            return self.driver.validate_signature(signature)
        except SignatureExpiredError as exc:
            raise Forbidden(f"signature expired: {exc}") from exc
        except CloudStorageError as exc:
            raise Forbidden(str(exc)) from exc

    def _download(self, request: Request) -> Response:
        payload = self._payload(request.args.get("signature"))
        if "meta_data" in payload:  # an upload policy is not a download grant
            raise Forbidden("this signature grants an upload, not a download")
        try:
            container = self.driver.get_container(payload["container"])
            blob = container.get_blob(payload["blob_name"])
        except NotFoundError as exc:
            raise NotFound(str(exc)) from exc
        file = open(self.driver.blob_cdn_url(blob), "rb")  # noqa: SIM115  # closed by the response
        response = Response(
            wrap_file(request.environ, file),
            mimetype=payload.get("content_type") or blob.content_type or "application/octet-stream",
            direct_passthrough=True,
        )
        disposition = payload.get("content_disposition") or blob.content_disposition
        if disposition:
            response.headers["Content-Disposition"] = disposition
        if blob.cache_control:
            response.headers["Cache-Control"] = blob.cache_control
        response.set_etag(str(blob.etag))
        response.last_modified = blob.modified_at
        return response.make_conditional(request, accept_ranges=True, complete_length=blob.size)

    def _upload(self, request: Request) -> Response:
        # The signature travels in the form; read the small fields before trusting a large body.
        request.max_form_memory_size = _FORM_OVERHEAD
        payload = self._payload(request.form.get("signature"))
        if "meta_data" not in payload or payload.get("grant") == "put":
            raise Forbidden("this signature grants no form upload")
        for field in ("container", "blob_name"):
            if request.form.get(field, payload[field]) != payload[field]:
                raise Forbidden(f"the form's {field} does not match its signature")
        upload = request.files.get("file")
        if upload is None:
            raise BadRequest("the form has no 'file' field")
        size = transfer.Source(upload.stream, None, None).remaining()
        if size is None:
            raise BadRequest("the form's file has no known size")
        low, high = payload.get("content_length") or (0, None)
        if size < low or (high is not None and size > high):
            raise RequestEntityTooLarge(f"the file is {size} bytes; the policy allows {low}-{high}")
        allowed_type = payload.get("content_type")
        if allowed_type and upload.mimetype and upload.mimetype != allowed_type:
            raise Forbidden(f"the policy allows content type {allowed_type}, not {upload.mimetype}")
        self._store(
            payload,
            upload.stream,
            blob_name=_blob_name(payload["blob_name"], upload.filename),
            acl=payload.get("acl"),
            content_type=allowed_type,
            content_disposition=payload.get("content_disposition"),
            cache_control=payload.get("cache_control"),
        )
        redirect = payload.get("success_action_redirect")
        if redirect:
            return Response(status=303, headers={"Location": redirect})
        status = int(payload.get("success_action_status") or 201)
        return Response(status=status if status in (200, 201, 204) else 201)

    def _put(self, request: Request) -> Response:
        """One signed PUT: the body becomes the blob, published only once complete."""
        payload = self._payload(request.args.get("signature"))
        if payload.get("grant") != "put":
            raise Forbidden("this signature grants no PUT")
        allowed_type = payload.get("content_type")
        if allowed_type and request.mimetype != allowed_type:
            raise Forbidden(f"the URL allows content type {allowed_type}, not {request.mimetype}")
        self._store(payload, request.stream, content_type=allowed_type or request.mimetype or None)
        return Response(status=201)

    def _store(
        self, payload: dict[str, Any], stream: Any, blob_name: str | None = None, **settings: Any
    ) -> None:
        """Upload ``stream`` as the signed blob with the signed metadata (atomically)."""
        try:
            container = self.driver.get_container(payload["container"])
            container.upload_blob(
                stream,
                blob_name=blob_name or payload["blob_name"],
                meta_data=payload.get("meta_data"),
                **settings,
            )
        except NotFoundError as exc:
            raise NotFound(str(exc)) from exc
        except CloudStorageError as exc:
            raise BadRequest(str(exc)) from exc


def _blob_name(blob_name: str, filename: str | None) -> str:
    """The form's blob name, ``""`` or a prefix completed by the uploaded file's name."""
    key = upload_key(blob_name)
    if FILENAME not in key:
        return key
    name = posixpath.basename((filename or "").replace("\\", "/"))
    if not name:
        raise BadRequest("the form's file has no name to complete the blob name with")
    return key.replace(FILENAME, name)


class RedactingRequestHandler(WSGIRequestHandler):
    """Werkzeug's request handler, logging paths without their query: signatures stay secret."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Log the request line without its query string (where signatures travel).

        Args:
            code: the answer's status.
            size: the answer's size.
        """
        path = self.path
        self.path = path.split("?", 1)[0]
        try:
            super().log_request(code, size)
        finally:
            self.path = path


def make_app(driver: LocalDriver) -> SignedStorageApp:
    """The WSGI application serving ``driver``'s signed downloads and upload forms.

    Args:
        driver: the local store whose signatures the app checks (same ``secret`` and
            ``salt`` as the app that signs).

    Returns:
        The WSGI application.

    Raises nothing: request errors are HTTP answers (400, 403, 404, 413).
    """
    return SignedStorageApp(driver)
