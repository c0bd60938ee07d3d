"""The control layer: faults and journal entries belong to the request's own time, not to whoever resets."""

from __future__ import annotations

import asyncio

import httpx
from anthropic_models_mock import Catalog, create_app

HEADERS = {"x-api-key": "k", "anthropic-version": "2023-06-01"}
MODELS = [{"id": "claude-a-1", "display_name": "A", "created_at": "2026-01-01T00:00:00Z"}]


def test_a_request_delayed_across_a_reset_stays_out_of_the_next_test() -> None:
    app = create_app(Catalog(MODELS))
    faults, journal = app.mock.faults, app.mock.journal

    async def scenario() -> tuple[int, int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://mock", headers=HEADERS) as client:
            faults.add(500)
            faults.set_latency(0.3)
            pending = asyncio.create_task(client.get("/v1/models"))
            while faults.to_json()["scripted"]:  # until the request has arrived and taken its fault
                await asyncio.sleep(0)
            app.mock.reset()  # the test that sent it ends; the next one starts...
            faults.add(429)  # ...and scripts a fault of its own
            late = await pending
            assert len(journal) == 0, "the earlier test's request is not in the new journal"
            now = await client.get("/v1/models")
            return late.status_code, now.status_code

    assert asyncio.run(scenario()) == (500, 429)
    assert [entry.status for entry in journal] == [429]
