"""Requesting access (the same request as `meshctl request`) and the user's own requests."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

from pydantic import ValidationError
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from meshcore.actions.access import open_request, request_history, requests_of
from meshcore.actions.discovery import TableInfo, describe
from meshcore.domain.access import AccessRequest, TableName
from meshcore.domain.errors import NotFoundError, PermanentError
from portal.pages.common import central_of, user_of
from portal.rendering import render
from portal.security import audit_refusal, checked_form

# ASCII only: `\d` and `\w` would take any script's digits and letters.
ACCOUNT_ID = re.compile(r"[0-9]{12}", re.ASCII)
ROLE_ARN = re.compile(r"^arn:aws:iam::([0-9]{12}):role/[\w+=,.@/-]{1,512}$", re.ASCII)
DAYS = re.compile(r"[0-9]{1,4}", re.ASCII)
MAX_PURPOSE = 1000


@dataclass
class RequestForm:
    """What the user typed, and what is wrong with it, field by field."""

    table: str = ""
    consumer_account: str = ""
    principal_arn: str = ""
    columns: list[str] = field(default_factory=list)
    purpose: str = ""
    duration_days: str = "90"
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def read(cls, form: FormData) -> RequestForm:
        return cls(
            table=str(form.get("table", "")).strip(),
            consumer_account=str(form.get("consumer_account", "")).strip(),
            principal_arn=str(form.get("principal_arn", "")).strip(),
            columns=[str(c) for c in form.getlist("columns")],
            purpose=str(form.get("purpose", "")).strip(),
            duration_days=str(form.get("duration_days", "")).strip(),
        )

    def draft(self) -> AccessRequest | None:
        """The request, or None with `errors` filled in."""
        table: TableName | None = None
        try:
            table = TableName.parse(self.table)
        except ValueError:
            self.errors["table"] = "give a central table as DATABASE.TABLE"
        if not ACCOUNT_ID.fullmatch(self.consumer_account):
            self.errors["consumer_account"] = "a 12-digit AWS account id"
        if self.principal_arn:
            match = ROLE_ARN.fullmatch(self.principal_arn)
            if match is None:
                self.errors["principal_arn"] = (
                    "an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME), or empty for the account"
                )
            elif "consumer_account" not in self.errors and match.group(1) != self.consumer_account:
                self.errors["principal_arn"] = "the role must be in the consumer account"
        if not self.purpose:
            self.errors["purpose"] = "say what the data is for: the data owner reads this"
        elif len(self.purpose) > MAX_PURPOSE:
            self.errors["purpose"] = f"at most {MAX_PURPOSE} characters"
        if not DAYS.fullmatch(self.duration_days) or not 1 <= int(self.duration_days) <= 3650:
            self.errors["duration_days"] = "a number of days from 1 to 3650"
        if self.errors or table is None:
            return None
        try:
            return AccessRequest(
                consumer_account=self.consumer_account,
                principal_arn=self.principal_arn or None,
                tables=[table],
                columns=self.columns,
                purpose=self.purpose,
                duration_days=int(self.duration_days),
            )
        except ValidationError as exc:
            for error in exc.errors():
                name = str(error["loc"][0]) if error["loc"] else "form"
                self.errors.setdefault(name, error["msg"])
            return None


async def _table_info(request: Request, text: str) -> TableInfo | None:
    try:
        return await describe(central_of(request), TableName.parse(text))
    except (ValueError, NotFoundError):
        return None


async def request_form(request: Request) -> Response:
    user = user_of(request)
    if request.method == "GET":
        form = RequestForm(table=request.query_params.get("table", "").strip())
        info = await _table_info(request, form.table)
        return render(request, "request.html", user=user, form=form, info=info)
    form = RequestForm.read(await checked_form(request))
    draft = form.draft()
    if draft is not None:
        try:
            created = await open_request(central_of(request), draft, user)
        except PermanentError as exc:
            # The catalog said no (unknown table or columns, an overlapping open request).
            target = "columns" if "has no columns" in str(exc) else "form"
            target = "table" if "not in the central catalog" in str(exc) else target
            form.errors[target] = str(exc)
        else:
            return RedirectResponse(
                "/requests?" + urlencode({"created": created.request_id}), status_code=303
            )
    audit_refusal(request, 400, "input", "request form: " + ", ".join(sorted(form.errors)))
    info = await _table_info(request, form.table)
    return render(request, "request.html", 400, user=user, form=form, info=info)


async def my_requests(request: Request) -> Response:
    user = user_of(request)
    central = central_of(request)
    mine = await requests_of(central, user)
    histories = {r.request_id: await request_history(central, r.request_id) for r in mine}
    return render(
        request,
        "requests.html",
        user=user,
        requests=mine,
        histories=histories,
        created=request.query_params.get("created", ""),
    )
