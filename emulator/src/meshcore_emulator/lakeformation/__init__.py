"""Lake Formation's permission model, as AWS documents it, over moto's state.

moto records Lake Formation grants and LF-tags but evaluates none of them. This package answers
the questions AWS answers on every call: who the caller is to Lake Formation, who administers an
account's data lake, which catalog objects exist and who created them, and what a principal may
do with a table. The extensions that enforce it (``extensions/lakeformation_*``) call in here.
"""

from __future__ import annotations

from typing import Any

Resource = dict[str, Any]
"""A resource as the Lake Formation API takes it: {"Database": …}, {"Table": …} or
{"TableWithColumns": …}."""

LFTags = list[dict[str, Any]]
"""LF-tags as the Lake Formation API takes them: [{"CatalogId"?, "TagKey", "TagValues"}]."""
