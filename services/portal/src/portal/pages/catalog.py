"""The catalog (search, paged) and a dataset's page."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from meshcore.actions.catalog import SENSITIVE, CatalogPage, CatalogQuery, CatalogSnapshot, search
from meshcore.actions.discovery import describe
from meshcore.domain.access import TableName
from meshcore.domain.classification import SensitivityClass
from portal.pages.common import central_of, owns_or_operates, positive_int, settings_of, user_of
from portal.rendering import render
from portal.security import path_segments

MAX_FIELD = 200  # longer search fields are cut: nothing real is that long


def _field(request: Request, name: str) -> str:
    return request.query_params.get(name, "").strip()[:MAX_FIELD]


async def catalog_page(request: Request) -> Response:
    user = user_of(request)
    central = central_of(request)
    snapshot: CatalogSnapshot = request.app.state.catalog
    loading = snapshot.loading_for
    if loading is not None:
        # The first listing is still being read: say so, not "0 tables" (the page reloads).
        return render(
            request,
            "catalog.html",
            user=user,
            query=CatalogQuery(),
            result=CatalogPage([], 0, 1, 0),
            domains=[],
            tags=[],
            page_link=lambda n: "/",
            loading=True,
            loading_for=f"{loading:.0f} s",
        )
    query = CatalogQuery(
        text=_field(request, "q"),
        domain=_field(request, "domain") or None,
        tag=_field(request, "tag") or None,
        column=_field(request, "column") or None,
    )
    page = await search(
        central,
        query,
        request.app.state.catalog,
        positive_int(request.query_params.get("page"), 1),
        settings_of(request).portal.page_size,
    )
    producers = await central.state.list_producers()
    base = {
        k: v
        for k, v in (
            ("q", query.text),
            ("domain", query.domain or ""),
            ("tag", query.tag or ""),
            ("column", query.column or ""),
        )
        if v
    }
    return render(
        request,
        "catalog.html",
        user=user,
        query=query,
        result=page,
        domains=sorted(p.domain for p in producers),
        tags=[SENSITIVE, *(c.value for c in SensitivityClass)],
        page_link=lambda n: "/?" + urlencode({**base, "page": n}),
        loading=False,
        loading_for="",
    )


async def dataset_page(request: Request) -> Response:
    user = user_of(request)
    segments = path_segments(request, "/datasets/")
    if len(segments) != 2 or not all(segments):
        raise HTTPException(404, "no such dataset: /datasets/DATABASE/TABLE")
    name = TableName(database=segments[0], table=segments[1])
    info = await describe(central_of(request), name)
    # Who has access to what: the producer's data owners and operators only.
    sees_access = await owns_or_operates(request, user, info.domain)
    return render(
        request,
        "dataset.html",
        user=user,
        info=info,
        sees_access=sees_access,
        request_link="/request?" + urlencode({"table": str(name)}),
    )
