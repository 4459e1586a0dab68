"""The stand-in served over HTTP on 127.0.0.1, for ``ponte run`` pointed at it with ``PONTE_API_URL``."""

from __future__ import annotations

import json

from aiohttp import web

from bot.standin.engine import FakeTelegram, canonical_method


def make_app(telegram: FakeTelegram) -> web.Application:
    async def api(request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if telegram.token is not None and request.match_info["token"] != telegram.token:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        fields: dict[str, str] = dict(request.query)
        files: dict[str, tuple[str, bytes]] = {}
        if request.content_type == "application/json":
            fields.update({k: v if isinstance(v, str) else json.dumps(v)
                           for k, v in (await request.json()).items()})
        elif request.can_read_body:
            form = await request.post()
            for name, value in form.items():
                if isinstance(value, web.FileField):
                    files[name] = (value.filename, value.file.read())
                else:
                    fields[name] = str(value)
        if canonical_method(method) == "getUpdates":
            status, body = await telegram.get_updates(fields)
        else:
            status, body = telegram.handle(method, fields, files)
        return web.json_response(body, status=status)

    async def download(request: web.Request) -> web.Response:
        """A file people sent, at the path getFile gave (Telegram serves them under /file/bot<token>/)."""
        if telegram.token is not None and request.match_info["token"] != telegram.token:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        content = telegram.file_content(request.match_info["path"])
        if content is None:
            return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
        return web.Response(body=content)

    async def release_polls(_: web.Application) -> None:
        telegram.release_polls()

    app = web.Application()
    app.router.add_get("/file/bot{token}/{path:.+}", download)
    app.router.add_route("*", "/bot{token}/{method}", api)
    # Shutting down waits for open requests: a long poll must not hold it for its whole timeout.
    app.on_shutdown.append(release_polls)
    return app


async def serve(telegram: FakeTelegram, host: str = "127.0.0.1", port: int = 0) -> tuple[web.AppRunner, int]:
    """Start serving; returns the runner (to clean up) and the port it listens on."""
    runner = web.AppRunner(make_app(telegram), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    return runner, runner.addresses[0][1]
