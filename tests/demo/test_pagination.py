"""Pagination, cursors and the 400 rules of the contract, over loopback."""

from __future__ import annotations

import itertools
from typing import Any

import httpx
import pytest

from cdrdesk.demo.runner import DemoServerThread
from tests.demo.conftest import API_PATH, Api

TOTAL = 30_000


def order_key(record: dict[str, Any]) -> tuple[str, str]:
    return record["started_at"], record["id"]


def test_default_page_is_the_first_100_newest_first(
    api: Api, everything: list[dict[str, Any]]
) -> None:
    body = api.ok()
    assert body["metadata"]["limit"] == 100
    assert body["metadata"]["offset"] == 0
    assert body["metadata"]["total"] == TOTAL
    assert isinstance(body["metadata"]["next_cursor"], str)
    assert body["items"] == everything[:100]


def test_full_listing_is_ordered_without_gaps_or_repeats(everything: list[dict[str, Any]]) -> None:
    assert len(everything) == TOTAL
    assert len({record["id"] for record in everything}) == TOTAL
    keys = [order_key(record) for record in everything]
    assert keys == sorted(keys, reverse=True)


def test_identical_start_seconds_are_ordered_by_id(everything: list[dict[str, Any]]) -> None:
    ties = [(a, b) for a, b in itertools.pairwise(everything) if a["started_at"] == b["started_at"]]
    assert len(ties) > 50
    assert all(a["id"] > b["id"] for a, b in ties)


@pytest.mark.parametrize(
    ("offset", "limit"), [(0, 1), (5, 10), (9_990, 10), (9_995, 10), (123, 1000)]
)
def test_offset_page_is_the_slice_within_the_window(
    api: Api, everything: list[dict[str, Any]], offset: int, limit: int
) -> None:
    body = api.ok([("offset", str(offset)), ("limit", str(limit))])
    assert body["items"] == everything[offset : min(offset + limit, 10_000)]
    assert body["metadata"]["offset"] == offset
    assert body["metadata"]["limit"] == limit


def test_page_stopped_by_the_window_still_offers_a_cursor(
    api: Api, everything: list[dict[str, Any]]
) -> None:
    body = api.ok([("offset", "9995"), ("limit", "10")])
    assert len(body["items"]) == 5
    following = api.ok([("cursor", body["metadata"]["next_cursor"]), ("limit", "3")])
    assert following["items"] == everything[10_000:10_003]
    assert following["metadata"]["offset"] is None


def test_empty_page_at_the_window_edge_continues_after_record_10000(
    api: Api, everything: list[dict[str, Any]]
) -> None:
    body = api.ok([("offset", "10000"), ("limit", "50")])
    assert body["items"] == []
    following = api.ok([("cursor", body["metadata"]["next_cursor"]), ("limit", "2")])
    assert following["items"] == everything[10_000:10_002]


def test_offset_past_the_results_is_an_empty_last_page(api: Api) -> None:
    body = api.ok([("type", "hlr_lookup"), ("offset", "10000"), ("limit", "10")])
    assert body["metadata"]["total"] < 10_000
    assert body["items"] == []
    assert body["metadata"]["next_cursor"] is None


def test_cursor_walk_past_10000_neither_skips_nor_repeats(
    api: Api, everything: list[dict[str, Any]]
) -> None:
    body = api.ok([("offset", "9000"), ("limit", "1000")])
    seen = list(body["items"])
    for limit in (700, 1000, 1, 999, 1000):  # limit may change from page to page
        body = api.ok([("cursor", body["metadata"]["next_cursor"]), ("limit", str(limit))])
        assert body["metadata"]["offset"] is None
        assert len(body["items"]) == limit
        seen.extend(body["items"])
    assert seen == everything[9000 : 9000 + len(seen)]


def test_cursor_page_ending_exactly_at_the_last_record_has_no_next_cursor(
    api: Api, everything: list[dict[str, Any]]
) -> None:
    lookups = [record for record in everything if record["type"] == "hlr_lookup"]
    assert 1000 < len(lookups) < 2000
    first = api.ok([("type", "hlr_lookup"), ("limit", "1000")])
    rest = len(lookups) - 1000
    cursor = first["metadata"]["next_cursor"]
    body = api.ok([("type", "hlr_lookup"), ("cursor", cursor), ("limit", str(rest))])
    assert body["items"] == lookups[1000:]
    assert body["metadata"]["next_cursor"] is None
    shorter = api.ok([("type", "hlr_lookup"), ("cursor", cursor), ("limit", str(rest - 1))])
    assert isinstance(shorter["metadata"]["next_cursor"], str)


def test_exactly_full_last_offset_page_has_no_next_cursor(api: Api) -> None:
    total = api.ok([("type", "hlr_lookup"), ("limit", "0")])["metadata"]["total"]
    body = api.ok([("type", "hlr_lookup"), ("offset", str(total - 10)), ("limit", "10")])
    assert len(body["items"]) == 10
    assert body["metadata"]["next_cursor"] is None


def test_valid_cursor_ignores_even_an_invalid_offset(
    api: Api, everything: list[dict[str, Any]]
) -> None:
    first = api.ok([("limit", "10")])
    body = api.ok([("cursor", first["metadata"]["next_cursor"]), ("offset", "abc"), ("limit", "5")])
    assert body["items"] == everything[10:15]
    assert body["metadata"]["offset"] is None


def test_cursor_is_bound_to_its_filters(api: Api, everything: list[dict[str, Any]]) -> None:
    calls = api.ok([("type", "call"), ("limit", "10")])
    cursor = calls["metadata"]["next_cursor"]
    # the same filters in another order and form are the same filter set
    same = api.ok([("type[]", "call"), ("cursor", cursor), ("limit", "5")])
    assert same["metadata"]["offset"] is None
    other = api.ok([("type", "sms"), ("cursor", cursor), ("limit", "5"), ("offset", "2")])
    assert other["metadata"]["offset"] == 2
    sms = [record for record in everything if record["type"] == "sms"]
    assert other["items"] == sms[2:7]


@pytest.mark.parametrize("mangle", ["flip", "truncate", "garbage", "empty", "repeated"])
def test_invalid_cursor_falls_back_to_offset(
    api: Api, everything: list[dict[str, Any]], mangle: str
) -> None:
    cursor = api.ok([("limit", "10")])["metadata"]["next_cursor"]
    params: list[tuple[str, str]] = [("offset", "20"), ("limit", "5")]
    if mangle == "flip":
        payload, mac = cursor.split(".")
        params.append(
            (
                "cursor",
                payload[:-2] + ("A" if payload[-2] != "A" else "B") + payload[-1] + "." + mac,
            )
        )
    elif mangle == "truncate":
        params.append(("cursor", cursor[:-4]))
    elif mangle == "garbage":
        params.append(("cursor", "not a cursor at all%%"))
    elif mangle == "empty":
        params.append(("cursor", ""))
    else:
        params.extend([("cursor", cursor), ("cursor", cursor)])
    body = api.ok(params)
    assert body["metadata"]["offset"] == 20
    assert body["items"] == everything[20:25]


def test_invalid_cursor_without_offset_starts_at_zero(
    api: Api, everything: list[dict[str, Any]]
) -> None:
    body = api.ok([("cursor", "bogus"), ("limit", "3")])
    assert body["metadata"]["offset"] == 0
    assert body["items"] == everything[:3]


@pytest.mark.parametrize("offset", ["-1", "10001", "abc", "1.5", "", " 5"])
def test_invalid_cursor_with_invalid_offset_is_400(api: Api, offset: str) -> None:
    response = api.get([("cursor", "bogus"), ("offset", offset)])
    assert response.status_code == 400
    assert response.json()["error"] == "Bad Request"
    assert "offset" in response.json()["message"]


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ([("limit", "1001")], "limit"),
        ([("limit", "-1")], "limit"),
        ([("limit", "abc")], "limit"),
        ([("limit", "1.5")], "limit"),
        ([("limit", "")], "limit"),
        ([("limit", "1e3")], "limit"),
        ([("limit", "10"), ("limit", "20")], "limit"),
        ([("limit", "9" * 5000)], "limit"),
        ([("offset", "10001")], "offset"),
        ([("offset", "-1")], "offset"),
        ([("offset", "abc")], "offset"),
        ([("offset", "1.5")], "offset"),
        ([("offset", "")], "offset"),
        ([("offset", "1"), ("offset", "2")], "offset"),
    ],
)
def test_bad_pagination_is_400_naming_the_parameter(
    api: Api, params: list[tuple[str, str]], name: str
) -> None:
    response = api.get(params)
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["error"] == "Bad Request"
    assert body["message"].startswith(name)


def test_limit_is_checked_before_filters_and_filters_before_offset(api: Api) -> None:
    assert api.get([("limit", "abc"), ("type", "bogus")]).status_code == 400
    assert api.get([("offset", "abc"), ("type", "bogus")]).status_code == 422


def test_bounds_are_accepted(api: Api) -> None:
    assert len(api.ok([("limit", "1000")])["items"]) == 1000
    assert api.ok([("offset", "10000"), ("limit", "0")])["metadata"]["offset"] == 10_000
    assert api.ok([("limit", "007")])["metadata"]["limit"] == 7


def test_limit_zero_is_a_count_only_request(api: Api, everything: list[dict[str, Any]]) -> None:
    body = api.ok([("limit", "0"), ("type", "sms")])
    assert body["items"] == []
    assert body["metadata"]["next_cursor"] is None
    assert body["metadata"]["total"] == sum(1 for r in everything if r["type"] == "sms")


def test_unknown_parameters_are_ignored(api: Api, everything: list[dict[str, Any]]) -> None:
    body = api.ok([("colour", "blue"), ("type_of", "x"), ("sort", "asc"), ("limit", "4")])
    assert body["items"] == everything[:4]
    assert body["metadata"]["total"] == TOTAL


@pytest.mark.parametrize(
    "header", [None, "Bearer wrong-token", "Basic ZGVtbzpkZW1v", "Bearer", "demo-token"]
)
def test_missing_or_unknown_token_is_401(demo_server: DemoServerThread, header: str | None) -> None:
    headers = {} if header is None else {"Authorization": header}
    response = httpx.get(f"{demo_server.url}{API_PATH}", headers=headers)
    assert response.status_code == 401
    assert response.json() == {"error": "Unauthorized"}


def test_auth_comes_before_any_other_check(demo_server: DemoServerThread) -> None:
    response = httpx.get(f"{demo_server.url}{API_PATH}?limit=abc&type=bogus")
    assert response.status_code == 401


def test_token_without_the_read_scope_is_403() -> None:
    with DemoServerThread(records=2_000, unscoped_token="no-scope") as server:
        url = f"{server.url}{API_PATH}?limit=abc"
        forbidden = httpx.get(url, headers={"Authorization": "Bearer no-scope"})
        assert forbidden.status_code == 403
        assert forbidden.json() == {"error": "Forbidden"}
        allowed = httpx.get(url, headers={"Authorization": f"Bearer {server.token}"})
        assert allowed.status_code == 400


def test_other_errors_are_json_too(demo_server: DemoServerThread) -> None:
    missing = httpx.get(f"{demo_server.url}/api/v4/reporting/nothing")
    assert missing.status_code == 404
    assert missing.json() == {"error": "Not Found"}
    wrong_method = httpx.post(f"{demo_server.url}{API_PATH}")
    assert wrong_method.status_code == 405
    assert wrong_method.json() == {"error": "Method Not Allowed"}
