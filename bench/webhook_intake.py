"""How fast one ``ponte run --webhook`` takes Telegram's posts: each update checked, parsed, stored in the
durable inbox and answered 200, over real HTTP on 127.0.0.1, with ``--connections`` posts in flight at once
(Telegram's default for a webhook is 40). Handling is left out (``bench/signup_burst.py`` measures it): this
is the front door alone, the part that would be spread over several workers behind a load balancer.

Printed: posts answered 200 a second, and the p50 and p99 of the time to the 200; the last line is JSON.

    python bench/webhook_intake.py [--updates 5000] [--connections 40]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from datetime import UTC, datetime

from bot.app.application import build_application
from bot.app.inbox import Inbox
from bot.app.services import open_services
from bot.app.webhook import SECRET_HEADER, webhook_app
from bot.config.clock import FixedClock
from bot.config.settings import Settings
from bot.standin import FakeTelegram, StandinRequest

SECRET = "bench-secret-0123456789abcdef"
TOKEN = "123456:BENCH-WEBHOOK-abcdefghijklmnopqrstu"


async def measure(updates: int, connections: int) -> dict[str, float]:
    telegram = FakeTelegram()
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(token=TOKEN, db_path=Path(folder) / "bench.db")
        services = await open_services(settings, FixedClock(datetime(2027, 1, 11, 9, tzinfo=UTC)),
                                       automatic_outbox=False)
        application = build_application(services, request=StandinRequest(telegram))
        inbox = Inbox(services.db, services.clock)
        runner = web.AppRunner(webhook_app(application, inbox, SECRET, "/hook"), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        for person in range(1, 501):
            telegram.user(person, f"Person {person}")
        bodies = [json.dumps(telegram.text_update(1 + n % 500, "/agenda")).encode() for n in range(updates)]
        latencies: list[float] = []
        queue: asyncio.Queue[bytes] = asyncio.Queue()
        for body in bodies:
            queue.put_nowait(body)
        headers = {SECRET_HEADER: SECRET, "Content-Type": "application/json"}
        connector = aiohttp.TCPConnector(limit=connections)
        async with aiohttp.ClientSession(connector=connector) as session:

            async def poster() -> None:
                while not queue.empty():
                    body = queue.get_nowait()
                    began = time.perf_counter()
                    async with session.post(f"http://127.0.0.1:{port}/hook", data=body, headers=headers) as answer:
                        await answer.read()
                        assert answer.status == 200, answer.status
                    latencies.append(time.perf_counter() - began)

            began = time.perf_counter()
            await asyncio.gather(*(poster() for _ in range(connections)))
            elapsed = time.perf_counter() - began
        await runner.cleanup()
        stored = len(await inbox.unhandled())
        await services.db.close()
    assert stored == updates, (stored, updates)
    latencies.sort()
    return {"updates": updates, "connections": connections, "per_second": round(updates / elapsed, 1),
            "p50_ms": round(statistics.median(latencies) * 1000, 2),
            "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=5000)
    parser.add_argument("--connections", type=int, default=40)
    args = parser.parse_args()
    result = asyncio.run(measure(args.updates, args.connections))
    print(f"webhook intake: {result['per_second']:,} updates stored and answered 200 a second, "
          f"p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms, {args.connections} posts in flight")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
