"""moto's Glue responses parse the request body once.

``GlueResponse.parameters`` is a property that runs ``json.loads`` on the body at every access,
and each Glue action reads it several times (UpdateTable, with the extensions, four times). The
parsed body is kept on the response object, which lives for one request; it is parsed again only
if the body changes. moto's Glue actions mutate what they read only by adding keys they do not
read again (CatalogId), so sharing one parse changes no answer.

Belongs upstream in moto (``moto/glue/responses.py``).
"""

from __future__ import annotations

import json
from typing import Any

from moto.glue.responses import GlueResponse

_KEY = "_meshcore_parsed_body"


def _parameters(response: GlueResponse) -> dict[str, Any]:
    body = response.body
    cached = response.__dict__.get(_KEY)
    if cached is None or cached[0] is not body:
        cached = (body, json.loads(body))
        response.__dict__[_KEY] = cached
    parsed: dict[str, Any] = cached[1]
    return parsed


def install() -> None:
    current = vars(GlueResponse).get("parameters")
    if isinstance(current, property) and current.fget is not _parameters:
        GlueResponse.parameters = property(_parameters)  # type: ignore[assignment,method-assign]
