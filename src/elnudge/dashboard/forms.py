"""Reading a posted form: url-encoded only, capped in size, each field once."""

from __future__ import annotations

from urllib.parse import parse_qs

from fastapi import Request

from elnudge.errors import InvalidRequest, PayloadTooLarge

MAX_FORM_BYTES = 64 * 1024  # the largest real form (settings) is a few KB
MAX_FIELDS = 100


async def read_form(request: Request) -> dict[str, str]:
    """The posted fields (the last value of a repeated one); a 413 page above the cap and a
    400 page for anything that is not a url-encoded form."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        raise InvalidRequest("Send the form as the page does (url-encoded).")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise PayloadTooLarge(f"This form is larger than {MAX_FORM_BYTES // 1024} KB.")
    try:
        fields = parse_qs(
            body.decode(), keep_blank_values=True, strict_parsing=False, max_num_fields=MAX_FIELDS
        )
    except (UnicodeDecodeError, ValueError) as error:
        raise InvalidRequest("This form could not be read.") from error
    return {name: values[-1] for name, values in fields.items()}
