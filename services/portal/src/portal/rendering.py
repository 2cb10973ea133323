"""Server-rendered pages: Jinja2 with autoescaping on for every template."""

from __future__ import annotations

from typing import Any

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse

from meshcore.domain.recommendations import evidence_sentence
from portal.humane import moment
from portal.security import CSRF_FIELD, csrf_token, path_segment

TEMPLATES = jinja2.Environment(
    loader=jinja2.PackageLoader("portal", "templates"),
    autoescape=True,  # every value is HTML-escaped unless a template says otherwise (none do)
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
# Jinja2's `urlencode` keeps `/`: a name holding one would break its link.
TEMPLATES.filters["path_segment"] = path_segment
# A time as "2 minutes ago" with its ISO 8601 UTC form (see the `when` macro in base.html).
TEMPLATES.filters["moment"] = moment
TEMPLATES.filters["evidence_sentence"] = evidence_sentence


def render(
    request: Request, template: str, status_code: int = 200, user: str | None = None, **context: Any
) -> HTMLResponse:
    page = TEMPLATES.get_template(template).render(
        user=user,
        dev_login=request.app.state.settings.portal.dev_login,
        csrf_field=CSRF_FIELD,
        csrf_token=csrf_token(request),
        path=request.url.path,
        **context,
    )
    return HTMLResponse(page, status_code=status_code)
