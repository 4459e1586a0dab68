"""The in-process transport: python-telegram-bot's requests go straight to a :class:`FakeTelegram`."""

from __future__ import annotations

import json
from typing import Any

from telegram.request import BaseRequest, RequestData

from bot.standin.engine import FakeTelegram, canonical_method


class StandinRequest(BaseRequest):
    def __init__(self, telegram: FakeTelegram) -> None:
        self.telegram = telegram

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        """Nothing to open: no network."""

    async def shutdown(self) -> None:
        """Nothing to close: no network."""

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout: Any = None, write_timeout: Any = None, connect_timeout: Any = None,
                         pool_timeout: Any = None) -> tuple[int, bytes]:
        if "/file/bot" in url:
            # A file download (File.download_as_bytearray): base_file_url/<token>/<file_path>.
            content = self.telegram.file_content(url.split("/file/bot", 1)[1].split("/", 1)[-1])
            if content is None:
                return 404, json.dumps({"ok": False, "error_code": 404, "description": "Not Found"}).encode()
            return 200, content
        api_method = url.rsplit("/", 1)[-1]
        params = request_data.json_parameters if request_data else {}
        if canonical_method(api_method) == "getUpdates":
            status, body = await self.telegram.get_updates(params)
        else:
            files = {}
            if request_data is not None and request_data.contains_files:
                for part, (filename, content, _mime) in request_data.multipart_data.items():
                    files[part] = (filename, content if isinstance(content, bytes) else content.read())
            status, body = self.telegram.handle(api_method, params, files)
        return status, json.dumps(body).encode()
