"""A broadcast to 2,000 people (5% of whom have blocked the bot) under Telegram's limits: Ponte's outbox
against a loop of ``send_message`` calls through python-telegram-bot's ``AIORateLimiter`` at its defaults.

Each side talks over HTTP on 127.0.0.1 to its own stand-in of the Bot API, served by a child process, that
enforces an overall limit of ``--rate`` (L) messages in any second and one message a second per chat, and
answers 429 with the ``retry_after`` that would let the message through (the blocked people's sends count
against the limit, as requests to Telegram do). Ponte's rate is set to L; its broadcast rows are queued
through the outbox API in the bulk lane. When a quarter of the audience has been sent to, a seat opens up
for one more person: how long that personal notice waits is measured.

The two sides run one after the other, so that neither's work disturbs the other's timing. AIORateLimiter
never sends more than 30 messages a second, so 2,000 take it over a minute whatever L is: the whole run
takes 2,000 ÷ L seconds for Ponte plus about 67 for the loop.

Printed for each side: messages handed to Telegram per second ÷ L (a blocked person's send is one of them),
delivered per second ÷ L, 429 answers provoked, recipients accounted for (delivered + blocked + failed +
uncertain); and the freed seat's wait. The last line is one JSON object.

    python bench/broadcast.py [--recipients 2000] [--rate 50] [--blocked-every 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from aiohttp import web
from telegram.error import Forbidden, RetryAfter, TelegramError
from telegram.ext import AIORateLimiter, ExtBot

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.app.application import build_application
from bot.app.services import open_services
from bot.config.clock import SystemClock
from bot.config.settings import Settings
from bot.domain.agenda_file import EXAMPLE_AGENDA as EXAMPLE
from bot.domain.agenda_file import parse_agenda
from bot.domain.notices import NoticeKind
from bot.render.notices import broadcast
from bot.standin import FakeTelegram, SendLimits
from bot.standin.server import make_app
from bot.telegram.courier import TelegramCourier
from bot.telegram.errors import retry_seconds
from storage.records import OutboxLane, OutboxStatus
from storage.timestamps import to_db

FIRST_PERSON = 100_000
FREED_SEAT_PERSON = FIRST_PERSON - 1
WORKSHOP = "collaborative-services"
BATCH = "broadcast:bench"
TEXTS = {"it": "<b>Ponte</b>: domani alle 9:30 ci vediamo in Comune, sala rossa.",
         "en": "<b>Ponte</b>: tomorrow at 9:30 AM we meet at City Hall, Red Room."}
# A fake bot token of the real shape: digits, a colon, 35 characters of A-Za-z0-9_-.
BENCH_TOKEN = "123456:BENCH-abcdefghijklmnopqrstuvwxyz012"


def audience(recipients: int) -> list[int]:
    return list(range(FIRST_PERSON, FIRST_PERSON + recipients))


def language_of(person: int) -> str:
    return "it" if person % 2 else "en"


# -- the stand-ins, in a child process ------------------------------------------------------------------


async def serve_standins(recipients: int, blocked_every: int, rate: float) -> None:
    """Two stand-ins (Ponte's and the loop's) with the same people and limits; prints their ports."""
    runners, ports = [], []
    for _side in ("ponte", "loop"):
        telegram = FakeTelegram(username="ponte_bench_bot")
        for person in [FREED_SEAT_PERSON, *audience(recipients)]:
            telegram.user(person, f"Person {person}", language_code=language_of(person))
            if person != FREED_SEAT_PERSON and (person - FIRST_PERSON) % blocked_every == blocked_every - 1:
                telegram.blocked.add(person)
        telegram.limits = SendLimits(rate)
        app = make_app(telegram)

        async def stats(_: web.Request, telegram: FakeTelegram = telegram) -> web.Response:
            limits = telegram.limits
            delivered = sum(1 for m in telegram.messages.values() if m.from_bot)
            return web.json_response({"throttled": limits.throttled, "accepted": limits.accepted,
                                      "delivered": delivered})

        app.router.add_get("/stats", stats)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        runners.append(runner)
        ports.append(runner.addresses[0][1])
    print("PORTS", *ports, flush=True)
    try:
        await asyncio.Event().wait()  # until the parent ends this process
    finally:
        for runner in runners:
            await runner.cleanup()


async def stats(port: int) -> dict[str, int]:
    async with httpx.AsyncClient() as client:
        return (await client.get(f"http://127.0.0.1:{port}/stats")).json()


# -- Ponte --------------------------------------------------------------------------------------------------


async def ponte_side(port: int, people: list[int], rate: float, db_dir: Path) -> dict[str, object]:
    settings = Settings(token=BENCH_TOKEN, api_url=f"http://127.0.0.1:{port}/bot", db_path=db_dir / "bench.db",
                        send_rate=rate)
    clock = SystemClock()
    services = await open_services(settings, clock)
    application = build_application(services)
    await services.agenda.apply(parse_agenda(EXAMPLE.read_text(encoding="utf-8")))
    now = clock.now()
    async with services.db.transaction() as tx:
        await tx.connection.executemany(
            "INSERT INTO participant (telegram_id, language, display_name, consent_at, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [(person, language_of(person), f"Person {person}", to_db(now), to_db(now), to_db(now))
             for person in [FREED_SEAT_PERSON, *people]])
        workshop = await tx.events.by_slug(WORKSHOP)
        await tx.outbox.add_many(people, NoticeKind.BROADCAST, due_at=now, now=now, lane=OutboxLane.BULK,
                                 payload=broadcast.payload(TEXTS), dedupe_prefix=BATCH, batch=BATCH)
    courier_calls = 0
    moments: dict[str, float] = {}
    freed_seat_queued = asyncio.Event()

    async with application:
        courier = TelegramCourier(application.bot)

        async def deliver(chat_id: int, notice, *, paid: bool = False):
            nonlocal courier_calls
            courier_calls += 1
            moments.setdefault("first", time.monotonic())
            if courier_calls == len(people) // 4:
                freed_seat_queued.set()
            result = await courier(chat_id, notice, paid=paid)
            moments["last"] = time.monotonic()
            if chat_id == FREED_SEAT_PERSON:
                moments["freed_seat_out"] = time.monotonic()
            return result

        async def free_a_seat() -> None:
            """A quarter of the way through, someone cancels and the first person waiting gets the seat."""
            await freed_seat_queued.wait()
            moment = clock.now()
            async with services.db.transaction() as tx:
                await tx.outbox.add(FREED_SEAT_PERSON, NoticeKind.SEAT_CONFIRMED, due_at=moment, now=moment,
                                    event_id=workshop.id, dedupe_key=f"seat:{workshop.id}:{FREED_SEAT_PERSON}")
            moments["freed_seat_queued"] = time.monotonic()
            services.dispatcher.wake()

        services.dispatcher.attach(deliver)
        seat = asyncio.get_running_loop().create_task(free_a_seat())
        await services.dispatcher.dispatch_due()
        await services.dispatcher.idle()
        await seat
    async with services.db.transaction() as tx:
        tally = await tx.outbox.tally(BATCH)
    await services.db.close()
    seconds = moments["last"] - moments["first"]
    delivered = tally[OutboxStatus.SENT]
    blocked = tally[OutboxStatus.SKIPPED]
    return {
        "seconds": round(seconds, 2),
        "handed_per_second_over_L": round((delivered + blocked) / seconds / rate, 3),
        "delivered_per_second_over_L": round(delivered / seconds / rate, 3),
        "delivered": delivered,
        "blocked": blocked,
        "failed": tally[OutboxStatus.FAILED],
        "uncertain": tally[OutboxStatus.UNCERTAIN],
        "accounted_for": delivered + blocked + tally[OutboxStatus.FAILED] + tally[OutboxStatus.UNCERTAIN],
        "freed_seat_wait_seconds": round(moments["freed_seat_out"] - moments["freed_seat_queued"], 3)
        if "freed_seat_out" in moments else None,
    }


# -- a loop through AIORateLimiter ---------------------------------------------------------------------


async def loop_side(port: int, people: list[int], rate: float) -> dict[str, object]:
    """What a bot without an outbox would write: send to each in turn, wait as a 429 asks, then try again."""
    logging.getLogger("telegram.ext.AIORateLimiter").setLevel(logging.CRITICAL)
    bot = ExtBot(BENCH_TOKEN, base_url=f"http://127.0.0.1:{port}/bot", rate_limiter=AIORateLimiter())
    delivered = blocked = failed = 0
    async with bot:
        first = time.monotonic()
        for person in people:
            while True:
                try:
                    await bot.send_message(person, TEXTS[language_of(person)], parse_mode="HTML")
                    delivered += 1
                except RetryAfter as error:
                    await asyncio.sleep(retry_seconds(error))
                    continue
                except Forbidden:
                    blocked += 1
                except TelegramError:
                    failed += 1
                break
        seconds = time.monotonic() - first
    return {
        "seconds": round(seconds, 2),
        "handed_per_second_over_L": round((delivered + blocked) / seconds / rate, 3),
        "delivered_per_second_over_L": round(delivered / seconds / rate, 3),
        "delivered": delivered,
        "blocked": blocked,
        "failed": failed,
        "uncertain": 0,
        "accounted_for": delivered + blocked + failed,
    }


async def run(recipients: int, rate: float, blocked_every: int) -> dict[str, object]:
    child = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--serve", "--recipients", str(recipients), "--rate", str(rate),
        "--blocked-every", str(blocked_every), stdout=subprocess.PIPE)
    try:
        line = (await child.stdout.readline()).decode()
        if not line.startswith("PORTS"):
            raise RuntimeError(f"the stand-ins did not start: {line!r}")
        ponte_port, loop_port = map(int, line.split()[1:])
        people = audience(recipients)
        with tempfile.TemporaryDirectory() as folder:
            ponte = await ponte_side(ponte_port, people, rate, Path(folder))
        loop = await loop_side(loop_port, people, rate)
        ponte["throttled"] = (await stats(ponte_port))["throttled"]
        loop["throttled"] = (await stats(loop_port))["throttled"]
    finally:
        child.terminate()
        await asyncio.wait_for(child.wait(), timeout=30)
    return {"recipients": recipients, "blocked_the_bot": len([p for p in people
                                                               if (p - FIRST_PERSON) % blocked_every
                                                               == blocked_every - 1]),
            "L": rate, "ponte": ponte, "aio_rate_limiter_loop": loop}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=50.0, help="L: the stand-in's limit, and Ponte's rate")
    parser.add_argument("--blocked-every", type=int, default=20, help="one person in this many blocked the bot")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        asyncio.run(serve_standins(args.recipients, args.blocked_every, args.rate))
        return
    result = asyncio.run(run(args.recipients, args.rate, args.blocked_every))
    for name, label in (("ponte", "Ponte's outbox"), ("aio_rate_limiter_loop", "send_message + AIORateLimiter")):
        side = result[name]
        print(f"{label}: {side['handed_per_second_over_L']:.3f} of L handed to Telegram a second "
              f"({side['delivered_per_second_over_L']:.3f} of L delivered), {side['throttled']} answers 429, "
              f"{side['accounted_for']} of {result['recipients']} accounted for, in {side['seconds']} s")
    print(f"a freed seat's notice, queued a quarter of the way through Ponte's broadcast, waited "
          f"{result['ponte']['freed_seat_wait_seconds']} s")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
