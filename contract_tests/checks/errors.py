"""Errors the contract promises: 401 without a token, 404 for unknown ids, 400/413/415."""

from __future__ import annotations

import json
import uuid

import httpx

from contract_tests.api import ClientsApi, unique_marker
from contract_tests.checks.common import create_ok, expect_problem, list_ok
from contract_tests.expect import expect

ONE_MIB = 1024 * 1024
# Authorization headers that carry no usable bearer token.
UNUSABLE_AUTHORIZATIONS = (None, "", "Bearer", "Basic dXNlcjpwYXNz", "Token abc")


def without_token(
    api: ClientsApi, method: str, path: str, **kwargs: object
) -> list[httpx.Response]:
    """The same request once per unusable Authorization header (None: no header at all)."""
    responses = []
    for authorization in UNUSABLE_AUTHORIZATIONS:
        headers = {} if authorization is None else {"Authorization": authorization}
        responses.append(api.request(method, path, headers=headers, **kwargs))
    return responses


def expect_unauthorized(responses: list[httpx.Response], doing: str) -> None:
    for response in responses:
        shown = response.request.headers.get("authorization", "<none>")
        expect_problem(response, 401, f"{doing} with Authorization {shown!r}")
        expect(
            "bearer" in response.headers.get("www-authenticate", "").lower(),
            f"{doing}: a 401 must carry `WWW-Authenticate: Bearer`",
            response,
        )


def reads_without_a_token_get_401(api: ClientsApi) -> None:
    expect_unauthorized(without_token(api, "GET", "/clients"), "GET /clients")
    expect_unauthorized(without_token(api, "GET", f"/clients/{uuid.uuid4()}"), "GET /clients/{id}")


def writes_without_a_token_get_401_and_change_nothing(api: ClientsApi) -> None:
    marker = unique_marker()
    body = {"name": marker}
    expect_unauthorized(without_token(api, "POST", "/clients", json=body), "POST /clients")
    page, response = list_ok(api, "GET /clients?search=<marker>", search=marker)
    expect(page["meta"]["total"] == 0, "a POST without a token created a client", response)
    expect_unauthorized(
        without_token(api, "PUT", f"/clients/{uuid.uuid4()}", json=body), "PUT /clients/{id}"
    )


def unknown_ids_get_404_on_read(api: ClientsApi) -> None:
    for client_id in (str(uuid.uuid4()), "not-a-uuid", "0"):
        expect_problem(api.get(client_id), 404, f"GET /clients/{client_id} (no such client)")


def unknown_ids_get_404_on_update(api: ClientsApi) -> None:
    for client_id in (str(uuid.uuid4()), "not-a-uuid"):
        response = api.update(client_id, {"notes": "x"})
        expect_problem(response, 404, f"PUT /clients/{client_id} (no such client)")


def unknown_query_parameter_gets_400(api: ClientsApi) -> None:
    response = api.http.get(api.url("/clients"), params={"serach": "acme"}, headers=api.auth)
    expect_problem(response, 400, "GET /clients?serach=acme (a misspelt parameter)")


def body_over_one_mib_gets_413(api: ClientsApi) -> None:
    body = {"name": unique_marker(), "notes": "x" * (ONE_MIB + 1024)}
    response = api.create(body)
    expect(response.status_code == 413, "a body over 1 MiB must get 413", response)


def body_not_sent_as_json_gets_415(api: ClientsApi) -> None:
    headers = {**api.auth, "Content-Type": "text/plain"}
    content = json.dumps({"name": unique_marker()})
    response = api.request("POST", "/clients", headers=headers, content=content)
    expect_problem(response, 415, "POST /clients with Content-Type text/plain")


def update_over_one_mib_gets_413(api: ClientsApi) -> None:
    created = create_ok(api, {"name": unique_marker()})
    response = api.update(created["id"], {"notes": "x" * (ONE_MIB + 1024)})
    expect(response.status_code == 413, "a PUT body over 1 MiB must get 413", response)


def update_not_sent_as_json_gets_415(api: ClientsApi) -> None:
    created = create_ok(api, {"name": unique_marker()})
    headers = {**api.auth, "Content-Type": "text/plain"}
    response = api.request(
        "PUT", f"/clients/{created['id']}", headers=headers, content='{"notes": "x"}'
    )
    expect_problem(response, 415, "PUT /clients/{id} with Content-Type text/plain")


def malformed_json_gets_400(api: ClientsApi) -> None:
    headers = {**api.auth, "Content-Type": "application/json"}
    for content in ('{"name": ', "[1, 2", "{'name': 'x'}", '{"name": "x"} trailing'):
        response = api.request("POST", "/clients", headers=headers, content=content)
        expect_problem(response, 400, f"POST /clients with malformed JSON {content!r}")


def undeclared_methods_get_405_with_allow(api: ClientsApi) -> None:
    for method, path, allowed in (
        ("PATCH", "/clients", {"GET", "POST"}),
        ("PATCH", f"/clients/{uuid.uuid4()}", {"GET", "PUT"}),
        ("DELETE", f"/clients/{uuid.uuid4()}", {"GET", "PUT"}),
    ):
        response = api.request(method, path, headers=api.auth)
        expect_problem(response, 405, f"{method} {path} (not in the contract)")
        allow = {m.strip().upper() for m in response.headers.get("allow", "").split(",")}
        expect(
            allowed <= allow and allow <= allowed | {"HEAD", "OPTIONS"},
            f"405 for {method} {path} must say Allow: {', '.join(sorted(allowed))}; got"
            f" {response.headers.get('allow')!r}",
            response,
        )


def unknown_paths_get_404(api: ClientsApi) -> None:
    for path in ("/client", "/clients/x/jobs", "/nowhere"):
        expect_problem(
            api.request("GET", path, headers=api.auth), 404, f"GET {path} (no such path)"
        )
