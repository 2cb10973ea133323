"""A producer's review of classification recommendations for the domains they own."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from meshcore.actions.review import decide_as_owner, owned_domains, pending_for_owner
from meshcore.domain.ids import is_ascii_digits
from meshcore.domain.recommendations import RecommendationState
from portal.pages.common import central_of, user_of
from portal.rendering import render
from portal.security import checked_form

DECISIONS = {"accept": RecommendationState.ACCEPTED, "reject": RecommendationState.REJECTED}


def _decisions(form: dict[str, list[str]]) -> list[tuple[str, RecommendationState]]:
    """A row's own button ("accept rec-…"), or the bulk action over the ticked rows."""
    single = form.get("one", [])
    if single:
        action, _, rec_id = single[0].partition(" ")
        if action not in DECISIONS or not rec_id:
            raise HTTPException(400, "unknown review action")
        return [(rec_id, DECISIONS[action])]
    action = (form.get("action") or [""])[0]
    if action not in DECISIONS:
        raise HTTPException(400, "unknown review action")
    ticked = form.get("rec", [])
    if not ticked:
        raise HTTPException(400, "tick at least one recommendation")
    return [(rec_id, DECISIONS[action]) for rec_id in ticked]


async def review_page(request: Request) -> Response:
    user = user_of(request)
    central = central_of(request)
    done: list[str] = []
    if request.method == "POST":
        form = await checked_form(request)
        wanted = _decisions({k: [str(v) for v in form.getlist(k)] for k in form})
        for rec_id, to in wanted:
            # Each decision checks that the user owns the recommendation's domain.
            await decide_as_owner(central, rec_id, to, user)
        return RedirectResponse(
            f"/review?decided={len(wanted)}&as={wanted[0][1].value}", status_code=303
        )
    decided = request.query_params.get("decided", "")
    if is_ascii_digits(decided):
        verb = request.query_params.get("as", "decided")
        done.append(
            f"{decided} recommendation(s) {verb if verb in ('accepted', 'rejected') else 'decided'}"
        )
    return render(
        request,
        "review.html",
        user=user,
        domains=await owned_domains(central, user),
        recommendations=await pending_for_owner(central, user),
        done=done,
    )
