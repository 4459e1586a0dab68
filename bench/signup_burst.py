"""1,000 people press "Sign up" for a 30-seat workshop: Ponte against python-telegram-bot's own floor.

Both applications run (``Application.start``) with the recording stand-in of the Bot API (no network) and
are handed the very same press updates (each carrying the event's detail message, as Telegram sends it) in
getUpdates answers of ``--batch`` updates (Telegram's default and largest is 100), put on the application's
update queue. Ponte's side goes through its durable inbox with ``ponte run``'s own code
(bot.app.inbox.accept): each answer is stored in the database (``Inbox.receive``) before any of it is
queued, and each update is marked handled when its handling ends (``on_handled``); a turn ends once every
mark is written, so the inbox's whole cost is in Ponte's time. Its two parts are also timed on their own:
storing (encoding the updates, and waiting for the statement that writes them beyond the parsing that runs
meanwhile) and marking. The floor is handed each answer the way python-telegram-bot's Updater does: parsed
and queued. Each application then works through them as it is configured: Ponte with concurrent updates,
the floor, a bare application whose only handler answers the press, one at a time (python-telegram-bot's
default, and the fastest way for a handler that never waits).

A shared machine's speed drifts by a factor of two within seconds here, so the two are measured in turns:
each batch goes through Ponte and then through the floor (the order alternating), and each side's time is
the sum of its turns. A press's latency runs from its batch's arrival to the end of its handling.
``--rounds`` such runs, each on a fresh database, give the medians. Prints throughput, p50 and p99 latency
and the ratio; the last line is one JSON object.

    python bench/signup_burst.py [--people 1000] [--seats 30] [--batch 100] [--rounds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from telegram import Update
from telegram.ext import ApplicationBuilder, CallbackQueryHandler

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.app import inbox as inbox_module
from bot.app.application import build_application
from bot.app.inbox import Inbox, accept
from bot.app.services import Services, open_services
from bot.app.stored_updates import replayable
from bot.config.clock import FixedClock
from bot.config.settings import Settings
from bot.domain.agenda_file import EXAMPLE_AGENDA as EXAMPLE
from bot.domain.agenda_file import parse_agenda
from bot.standin import FakeTelegram, StandinRequest
from storage.inbox import InboxRepository

WORKSHOP = "collaborative-services"
FIRST_PERSON = 100_000
# A fake bot token of the real shape: digits, a colon, 35 characters of A-Za-z0-9_-.
BENCH_TOKEN = "123456:BENCH-abcdefghijklmnopqrstuvwxyz012"


class InboxClock:
    """Seconds spent storing getUpdates answers and writing marks (the inbox's own work in the database)."""

    def __init__(self) -> None:
        self.storing = 0.0
        self.marking = 0.0
        self.parsed = 0.0  # seconds parsing the answer being stored

    @contextlib.contextmanager
    def timing_marks(self) -> Iterator[None]:
        """InboxRepository.mark_handled, timed and otherwise as it is, while the block runs."""
        mark = InboxRepository.mark_handled

        async def timed(repository: InboxRepository, update_ids: list[int], now: datetime) -> None:
            start = time.perf_counter()
            try:
                await mark(repository, update_ids, now)
            finally:
                self.marking += time.perf_counter() - start

        InboxRepository.mark_handled = timed
        try:
            yield
        finally:
            InboxRepository.mark_handled = mark

    @contextlib.contextmanager
    def timing_stores(self, inbox: Inbox) -> Iterator[None]:
        """What storing adds to accepting a getUpdates answer: ``accept`` parses the updates while SQLite's
        thread writes them, so its time beyond parsing (encoding, and waiting for the statement) is the
        store's. Both are timed: ``inbox.receive`` from its call to its answer, and ``parse`` per update."""
        receive = inbox.receive
        parse = inbox_module.parse
        clock = self

        async def timed(updates: list[dict]) -> list[dict]:
            clock.parsed = 0.0
            start = time.perf_counter()
            try:
                return await receive(updates)
            finally:
                clock.storing += max(time.perf_counter() - start - clock.parsed, 0.0)

        def timed_parse(update: dict, bot: object) -> object:
            start = time.perf_counter()
            try:
                return parse(update, bot)
            finally:
                clock.parsed += time.perf_counter() - start

        inbox.receive = timed
        inbox_module.parse = timed_parse
        try:
            yield
        finally:
            inbox_module.parse = parse


async def _drive(app, updates: list[dict], inbox: Inbox | None = None,
                 parse: Callable[[dict, object], Update] = Update.de_json) -> tuple[float, list[float]]:
    """Hand a running application one getUpdates answer (through ``inbox`` if given: stored, then queued,
    and every mark written before the turn ends; else each update ``parse``d and queued); (seconds until
    all are handled, latencies)."""
    latencies: list[float] = []
    handle = app.process_update

    async def timed(update: object) -> None:
        try:
            await handle(update)
        finally:
            latencies.append(time.perf_counter() - arrived)

    app.process_update = timed  # the application's update fetcher calls it for each queued update
    # Each turn starts from a collected heap, with what the setup built (a thousand people's updates, the
    # stand-in's record of every earlier call) set aside from the collector, as a long-running bot does with
    # gc.freeze() after starting: otherwise a turn pays to sweep the garbage and the test bed of the turn
    # before it (the floor measured right after Ponte's setup ran at half its speed), which is neither's cost.
    gc.collect()
    gc.freeze()
    try:
        arrived = time.perf_counter()
        if inbox is None:
            for data in updates:
                app.update_queue.put_nowait(parse(data, app.bot))
        else:
            await accept(app, inbox, updates)  # as ponte run: stored, then queued
        await app.update_queue.join()
        if inbox is not None:
            await inbox.idle()
        return time.perf_counter() - arrived, latencies
    finally:
        gc.unfreeze()
        del app.process_update


async def _ponte_app(people: int, seats: int, folder: Path):
    """A fresh database and application; each person has consented and has the detail open."""
    clock = FixedClock(datetime(2027, 1, 11, 9, 0, tzinfo=UTC))
    settings = Settings(token=BENCH_TOKEN, db_path=folder / f"bench-{time.monotonic_ns()}.db")
    services = await open_services(settings, clock, automatic_outbox=False)
    telegram = FakeTelegram()
    app = build_application(services, request=StandinRequest(telegram))
    errors: list[BaseException] = []

    async def record(_: object, context) -> None:
        errors.append(context.error)

    app.error_handlers.clear()
    app.add_error_handler(record)
    events = [replace(e, capacity=seats) if e.slug == WORKSHOP else e
              for e in parse_agenda(EXAMPLE.read_text(encoding="utf-8"))]
    await services.agenda.apply(events)
    await app.initialize()
    for person in range(FIRST_PERSON, FIRST_PERSON + people):
        language = "it" if person % 2 else "en"
        telegram.user(person, f"Person {person}", language_code=language)
        await services.people.consent(person, f"Person {person}", language)
        await services.people.set_city(person, "torino" if person % 2 else "baltimore")
        await app.process_update(Update.de_json(telegram.text_update(person, f"/start e_{WORKSHOP}"), app.bot))
    presses = [telegram.press_update(p, telegram.last(p).message_id, f"signup:{WORKSHOP}")
               for p in range(FIRST_PERSON, FIRST_PERSON + people)]
    # From here on, as in ponte run: every update is marked in the inbox once handled.
    inbox = Inbox(services.db, clock)
    app.on_handled = inbox.handled
    return app, services, inbox, presses, errors


async def _floor_app(telegram: FakeTelegram):
    app = ApplicationBuilder().token(BENCH_TOKEN).request(StandinRequest(telegram)).build()

    async def answer(update: Update, _: object) -> None:
        await update.callback_query.answer()

    app.add_handler(CallbackQueryHandler(answer))
    await app.initialize()
    return app


def _as_stored(data: dict, bot: object) -> Update:
    """An update as ``ponte run`` parses it, the inbox left out: in the form the inbox keeps."""
    return inbox_module.parse(replayable(data), bot)


async def _counts(services: Services) -> tuple[int, int]:
    async with services.db.serialized() as tx:
        event = await tx.events.by_slug(WORKSHOP)
        return await tx.registrations.counts(event.id)


async def one_round(people: int, seats: int, batch: int, folder: Path, *, durable: bool = True) -> dict:
    """Every press through Ponte and through the floor, one getUpdates batch each in turns. Without
    ``durable``, Ponte's updates go straight on its queue, parsed as ``ponte run`` parses them, neither
    stored nor marked: the inbox's price, measured apart."""
    app, services, inbox, presses, errors = await _ponte_app(people, seats, folder)
    if not durable:
        app.on_handled = None
    floor_app = await _floor_app(FakeTelegram())
    runs = {"ponte": {"seconds": 0.0, "latencies": []}, "floor": {"seconds": 0.0, "latencies": []}}
    inbox_clock = InboxClock()
    await app.start()
    await floor_app.start()
    with inbox_clock.timing_marks(), inbox_clock.timing_stores(inbox):
        for number, start in enumerate(range(0, people, batch)):
            chunk = presses[start:start + batch]
            turns = [("ponte", app, inbox if durable else None, _as_stored), ("floor", floor_app, None, Update.de_json)]
            for name, application, its_inbox, parse in turns if number % 2 == 0 else turns[::-1]:
                seconds, latencies = await _drive(application, chunk, its_inbox, parse)
                runs[name]["seconds"] += seconds
                runs[name]["latencies"] += latencies
    confirmed, waiting = await _counts(services)
    unmarked = await inbox.unhandled()
    for application in (floor_app, app):
        await application.stop()
        await application.shutdown()
    await services.db.close()
    if errors:
        raise RuntimeError(f"{len(errors)} handler errors, first: {errors[0]!r}")
    if unmarked:
        raise RuntimeError(f"{len(unmarked)} updates stored and never marked handled")
    runs["ponte"]["storing"] = inbox_clock.storing
    runs["ponte"]["marking"] = inbox_clock.marking
    return {**runs, "confirmed": confirmed, "waiting": waiting}


def _summary(run: dict, people: int) -> dict:
    latencies = sorted(run["latencies"])
    summary = {
        "per_second": people / run["seconds"],
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[max(int(len(latencies) * 0.99) - 1, 0)] * 1000,
    }
    if "storing" in run:
        summary["store_us"] = run["storing"] / people * 1e6
        summary["mark_us"] = run["marking"] / people * 1e6
        summary["inbox_share"] = (run["storing"] + run["marking"]) / run["seconds"]
    return summary


def _median(runs: list[dict], key: str) -> float:
    return round(statistics.median(r[key] for r in runs), 2)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--seats", type=int, default=30)
    parser.add_argument("--batch", type=int, default=100, help="updates per getUpdates answer (Telegram: 1-100)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--without-inbox", action="store_true",
                        help="Ponte's updates go straight on its queue, neither stored nor marked (the inbox's price)")
    args = parser.parse_args()
    ours, theirs, ratios = [], [], []
    with tempfile.TemporaryDirectory() as folder:
        await one_round(64, args.seats, args.batch, Path(folder))  # imports, caches, code paths
        for _ in range(args.rounds):
            run = await one_round(args.people, args.seats, args.batch, Path(folder), durable=not args.without_inbox)
            if (run["confirmed"], run["waiting"]) != (args.seats, args.people - args.seats):
                raise SystemExit(f"wrong result: {run['confirmed']} confirmed, {run['waiting']} waiting")
            ours.append(_summary(run["ponte"], args.people))
            theirs.append(_summary(run["floor"], args.people))
            ratios.append(ours[-1]["per_second"] / theirs[-1]["per_second"])
    figures = {
        "people": args.people, "seats": args.seats, "batch": args.batch,
        "rounds": args.rounds,
        "signups_per_second": _median(ours, "per_second"), "p50_ms": _median(ours, "p50_ms"),
        "p99_ms": _median(ours, "p99_ms"), "floor_per_second": _median(theirs, "per_second"),
        "floor_p50_ms": _median(theirs, "p50_ms"), "floor_p99_ms": _median(theirs, "p99_ms"),
        "ratio": round(statistics.median(ratios), 3), "confirmed": args.seats, "waiting": args.people - args.seats,
        "inbox": not args.without_inbox, "inbox_store_us_per_update": _median(ours, "store_us"),
        "inbox_mark_us_per_update": _median(ours, "mark_us"),
        "inbox_share_of_ponte_time": round(statistics.median(r["inbox_share"] for r in ours), 3),
    }
    print(f"people {args.people}, seats {args.seats}, getUpdates batches of {args.batch}, "
          f"median of {args.rounds} rounds")
    route = ("straight on its queue (--without-inbox)" if args.without_inbox else
             "through the durable inbox (each getUpdates answer stored, each update marked handled)")
    print(f"ponte, {route}: "
          f"{figures['signups_per_second']} sign-ups/s, p50 {figures['p50_ms']} ms, "
          f"p99 {figures['p99_ms']} ms, {figures['confirmed']} confirmed / {figures['waiting']} waiting")
    print(f"inbox included: storing {figures['inbox_store_us_per_update']} µs and marking "
          f"{figures['inbox_mark_us_per_update']} µs per update, "
          f"{figures['inbox_share_of_ponte_time']:.1%} of Ponte's time")
    print(f"floor: {figures['floor_per_second']} presses/s, p50 {figures['floor_p50_ms']} ms, "
          f"p99 {figures['floor_p99_ms']} ms")
    print(f"ratio ponte/floor: {figures['ratio']} (goal >= 0.5; each round's: "
          f"{', '.join(f'{r:.3f}' for r in ratios)})")
    print(json.dumps(figures))


if __name__ == "__main__":
    asyncio.run(main())
