"""The gateway's pooled upstream session is shared by every user: it never keeps an upstream's cookies."""

from __future__ import annotations

from aiohttp import web

from sage_studio_lab.chat import gateway


async def test_an_upstream_cookie_is_not_sent_with_the_next_request():
    seen = []

    async def handler(request):
        seen.append(request.headers.get("Cookie"))
        resp = web.json_response({"object": "list", "data": []})
        resp.set_cookie("session", "user-a-secret")
        return resp

    app = web.Application()
    app.router.add_get("/v1/models", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        # by host name (cookies of an IP address are never kept), twice over the same pooled session
        for _ in range(2):
            async with gateway.client().get(f"http://localhost:{port}/v1/models") as resp:
                assert resp.cookies["session"].value == "user-a-secret"
                await resp.read()
    finally:
        await gateway.close()
        await runner.cleanup()
    assert seen == [None, None]
