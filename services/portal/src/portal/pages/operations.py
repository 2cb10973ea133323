"""The facts of `meshctl status`, at a glance."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from meshcore.actions.operations import status
from portal.pages.common import central_of, user_of
from portal.rendering import render


async def operations_page(request: Request) -> Response:
    user = user_of(request)
    return render(request, "operations.html", user=user, status=await status(central_of(request)))
