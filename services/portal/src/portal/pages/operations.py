"""The facts of `meshctl status`, at a glance."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from meshcore.actions.operations import status
from meshcore.domain.errors import AccessDeniedError
from portal.pages.common import central_of, owns_or_operates, user_of
from portal.rendering import render


async def operations_page(request: Request) -> Response:
    user = user_of(request)
    if not await owns_or_operates(request, user):
        raise AccessDeniedError(
            f"{user} is neither an operator nor a producer's data owner: the operations page "
            "is theirs"
        )
    return render(request, "operations.html", user=user, status=await status(central_of(request)))
