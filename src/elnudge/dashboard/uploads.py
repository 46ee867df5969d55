"""Reading an uploaded file: a multipart form of one file and a few short fields, counted
while it arrives so that nothing past the cap is read (Starlette's parser alone would spool
any size to disk), then parsed by Starlette's parser. Who may upload is the page's to check,
before it reads the body."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from dataclasses import dataclass

from fastapi import Request
from python_multipart.multipart import parse_options_header
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from elnudge.errors import InvalidRequest, PayloadTooLarge

MAX_FIELDS = 10
MAX_FIELD_BYTES = 4096
OVERHEAD = 16 * 1024  # room for the other fields and the parts' headers
UNREADABLE = "This upload could not be read. Reload the page and retry."


@dataclass(frozen=True, slots=True)
class Upload:
    fields: dict[str, str]
    data: bytes


def too_large(max_bytes: int) -> PayloadTooLarge:
    return PayloadTooLarge(f"The file is larger than {max_bytes // 1024} KB: split it in parts.")


async def read_upload(request: Request, name: str, max_bytes: int) -> Upload:
    """The file posted as `name` (empty when none was chosen; at most `max_bytes`, 413 above)
    and the form's text fields; a 400 for anything but a multipart form with at most one file."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "multipart/form-data":
        raise InvalidRequest("Send the file with the page's form (multipart/form-data).")
    body = await _body(request, max_bytes)
    _, options = parse_options_header(request.headers["content-type"])
    boundary = options.get(b"boundary", b"")
    # A body cut short would leave the file's temporary file open in Starlette's parser.
    if not boundary or b"--" + boundary + b"--" not in body:
        raise InvalidRequest(UNREADABLE)
    parser = MultiPartParser(
        request.headers,
        _once(body),
        max_files=1,
        max_fields=MAX_FIELDS,
        max_part_size=MAX_FIELD_BYTES,
    )
    try:
        form = await parser.parse()
    except MultiPartException as error:
        raise InvalidRequest(UNREADABLE) from error
    try:
        upload = form.get(name)
        data = await upload.read() if isinstance(upload, UploadFile) else b""
    finally:
        await form.close()
    if len(data) > max_bytes:
        raise too_large(max_bytes)
    return Upload({key: value for key, value in form.multi_items() if isinstance(value, str)}, data)


async def _body(request: Request, max_bytes: int) -> bytes:
    """The request's body, refused (413) as soon as it is larger than the file's cap allows."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes + OVERHEAD:
        raise too_large(max_bytes)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > max_bytes + OVERHEAD:
            raise too_large(max_bytes)
    return bytes(body)


async def _once(body: bytes) -> AsyncGenerator[bytes, None]:
    yield body
