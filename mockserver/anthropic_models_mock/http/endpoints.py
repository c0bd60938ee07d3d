"""The two endpoints of the Models API: raw scope in, a response of precomputed bytes out.

Each keeps the answers it makes (a first page of the list, a model) in the catalog they came from
(``Catalog.answers``), by query or model id and the key's sieve: a catalog never changes, so neither do
they, and a request asked before costs one dict lookup instead of a descent of the catalog's tree.

An endpoint always answers (``Endpoint.respond``, which its ``ApiRoute`` calls; it is an ASGI app
too): a refused request is its error envelope, and a crash is a 500 envelope, never a traceback.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from ..catalog.pages import paginate, render_page
from ..model.access import Access
from ..model.errors import ApiError
from ..model.headers import check_headers, in_workspace
from ..model.params import ListParams, parse_list_params, parse_retrieve_params
from ..runtime.state import MockState
from .responses import crash_response, error_response, json_response

__all__ = ["Endpoint", "list_endpoint", "retrieve_endpoint"]

#: Parsed query strings kept per app: at most this many, each at most this long, so at most 2 MiB.
_PARSED_CACHE_SIZE = 4096
_PARSED_CACHE_QUERY = 512


class Endpoint:
    """An ASGI app answering with ``answer(scope)``, or with the envelope of what it raised."""

    def __init__(self, answer: Callable[[Scope], Response]) -> None:
        self.answer = answer

    def respond(self, scope: Scope) -> Response:
        """The response to this request: ``answer``'s, or the envelope of what it raised."""
        try:
            return self.answer(scope)
        except ApiError as exc:
            return error_response(exc.status, exc.message, exc.headers)
        except Exception:
            return crash_response()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.respond(scope)(scope, receive, send)


def list_endpoint(state: MockState) -> Endpoint:
    """``GET /v1/models`` over ``state``'s catalog."""
    parsed: dict[bytes, ListParams] = {}  # query string -> its valid parameters; bounded, per app

    def answer(scope: Scope) -> Response:
        access, workspace = check_headers(scope["headers"], state.keys, state.key_hint)
        if workspace is not None:
            return _in_workspace(page, scope, access, workspace)
        return json_response(page(scope, access))

    def page(scope: Scope, access: Access) -> bytes:
        query: bytes = scope["query_string"]
        catalog = state.catalog if state.clock is None else state.served()
        token = query if access.sieve is None else (query, access.sieve)  # (bytes: never a retrieve's str)
        found = catalog.answers.get(token)
        if found is not None:
            return found
        params = parsed.get(query)
        if params is None:
            params = parse_list_params(query)  # raises on a bad one: only valid queries are kept
            if len(query) <= _PARSED_CACHE_QUERY:
                if len(parsed) >= _PARSED_CACHE_SIZE:
                    parsed.clear()
                parsed[query] = params
        view = catalog.view(params.lifecycles, access.sieve)
        body = render_page(view, paginate(view, params.limit, params.after_id, params.before_id))
        if params.after_id is None and params.before_id is None and len(query) <= _PARSED_CACHE_QUERY:
            catalog.answers.keep(token, body)  # a first page: the one clients ask for again and again
        return body

    return Endpoint(answer)


def retrieve_endpoint(state: MockState) -> Endpoint:
    """``GET /v1/models/{model_id}``: an id or an alias."""

    def answer(scope: Scope) -> Response:
        access, workspace = check_headers(scope["headers"], state.keys, state.key_hint)
        if workspace is not None:
            return _in_workspace(model, scope, access, workspace)
        return json_response(model(scope, access))

    def model(scope: Scope, access: Access) -> bytes:
        parse_retrieve_params(scope["query_string"])
        model_id: str = scope["path_params"]["model_id"]
        catalog = state.catalog if state.clock is None else state.served()
        token = model_id if access.sieve is None else (model_id, access.sieve)  # (str: never a list's bytes)
        body = catalog.answers.get(token)
        if body is None:
            body = catalog.body(model_id, access.sieve)
            if body is None:
                raise ApiError(404, f"model: {model_id}")
            catalog.answers.keep(token, body)
        return body

    return Endpoint(answer)


def _in_workspace(make: Callable[[Scope, Access], bytes], scope: Scope, access: Access, workspace: str) -> Response:
    """``make``'s answer, or its error, with the workspace the request acted in (``anthropic-workspace-id``)."""
    try:
        body = make(scope, access)
    except ApiError as exc:
        raise in_workspace(exc, workspace) from None
    return json_response(body, headers={"anthropic-workspace-id": workspace})
