"""The coordinators' report on a full programme's answers: 5,000 respondents, 100,000 answers across 20 events.

Times, on the same database and connection: building the in-chat summary (the figures and every page of its
text), writing the spreadsheet (.xlsx) and writing the report document (HTML with its charts), each to a file
as it goes; and one SQL aggregate over the answers table (count and average by question), the floor no report
can beat. Each is measured ``--rounds`` times and the best kept (the first round also warms SQLite's page
cache). Peak memory is the process's largest resident size (``resource.getrusage``), generation included.

The report reads counts and each response's answers side by side that the database keeps as answers are
written (triggers, see storage/migrations.py). What that costs the writes is measured too: the same answers
are written twice with plain SQL, into the schema as it is and into one without those triggers.

Data: each respondent is asked after several events; 90% of the answers come from questionnaires finished
(5 answers each: a rating, a multiple choice, a scale, a single choice, a free text, some optional ones
skipped), 10% from questionnaires left part way (4 answers), answered at moments spread over the three days
after the request; some people asked never answered.

The last line is one JSON object.

    python bench/report.py [--respondents 5000] [--answers 100000] [--events 20] [--rounds 15]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import shutil
import sqlite3
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.config.clock import FixedClock
from bot.domain.agenda import Agenda
from bot.domain.agenda_file import EXAMPLE_AGENDA, parse_agenda
from bot.domain.reports import ExportFormat, Reports
from bot.domain.roles import Roles
from bot.render.i18n import translator
from bot.render.report_document import write_document
from bot.render.report_sheet import write_xlsx
from bot.render.report_text import report_pages, report_view
from storage import Database
from storage.questionnaires import Choice, Question, QuestionKind, Questionnaire
from storage.records import Texts

COORDINATOR = 1
START = datetime(2027, 1, 25, 9, 0, tzinfo=UTC)
QUESTIONNAIRE = Questionnaire(
    slug="bench", title=Texts("Dopo la visita", "After the visit"), kinds=frozenset({"site_visit"}),
    questions=(
        Question("useful", QuestionKind.RATING, Texts("Quanto è stata utile?", "How useful was it?"),
                 low=Texts("Poco", "Barely"), high=Texts("Molto", "Very")),
        Question("actors", QuestionKind.MULTIPLE, Texts("Chi gestisce il servizio?", "Who runs the service?"),
                 required=False, choices=tuple(Choice(k, Texts(k.capitalize(), k.capitalize()))
                                               for k in ("city", "residents", "nonprofits", "business", "church"))),
        Question("transfer", QuestionKind.SCALE, Texts("Quanto è trasferibile?", "How transferable is it?"),
                 low=Texts("Per niente", "Not at all"), high=Texts("Del tutto", "Fully")),
        Question("blocker", QuestionKind.SINGLE, Texts("Che cosa lo bloccherebbe?", "What would block it?"),
                 required=False, choices=tuple(Choice(k, Texts(k.capitalize(), k.capitalize()))
                                               for k in ("funding", "rules", "people", "nothing"))),
        Question("idea", QuestionKind.TEXT, Texts("Un'idea da portare a casa", "One idea to take home"),
                 required=False, max_length=500),
    ),
)
WORDS = ("portineria", "community", "library", "tools", "garden", "baths", "shared", "kitchen", "neighbors",
         "cooperativa", "quartiere", "servizio", "gestione", "condivisa", "trust", "budget", "volunteers")
FLOOR = "SELECT question_id, count(*), avg(number) FROM answer GROUP BY question_id"


def plan(respondents: int, answers: int, events: int) -> tuple[int, int, int]:
    """(finished, part way, never answered): 10% of the answers part way (4 each), the rest finished (5)."""
    partly = answers // 40
    while (answers - 4 * partly) % 5:
        partly += 1
    finished = (answers - 4 * partly) // 5
    silent = respondents * 3 // 10
    if finished + partly + silent > respondents * events:
        raise SystemExit("more responses than (respondent, event) pairs: raise --respondents or --events")
    return finished, partly, silent


async def prepare(path: Path, events: int) -> Questionnaire:
    """The schema, ``events`` events (the example agenda's, repeated) and the questionnaire."""
    example = parse_agenda(EXAMPLE_AGENDA.read_text(encoding="utf-8"))
    agenda = [replace(example[n % len(example)], slug=f"{example[n % len(example)].slug}-{n}",
                      starts_at=START + timedelta(days=n), ends_at=START + timedelta(days=n, hours=2))
              for n in range(events)]
    db = await Database.open(path)
    try:
        await Agenda(db, FixedClock(START - timedelta(days=30)), lambda: None).apply(agenda)
        async with db.transaction() as tx:
            await tx.questionnaires.save(QUESTIONNAIRE, START)
            return await tx.questionnaires.by_slug(QUESTIONNAIRE.slug)
    finally:
        await db.close()


def generate(path: Path, questionnaire: Questionnaire, respondents: int, answers: int, events: int) -> dict:
    """The responses and answers, written in bulk with plain SQL as the answering journey writes them."""
    finished, partly, silent = plan(respondents, answers, events)
    rng = random.Random(7)
    useful, actors, transfer, blocker, idea = questionnaire.questions
    with sqlite3.connect(path) as db:
        event_ids = [row[0] for row in db.execute("SELECT id FROM event ORDER BY starts_at")]
        db.executemany(
            "INSERT INTO participant (telegram_id, language, display_name, city, consent_at, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            ((1000 + p, "it" if p % 2 else "en", f"Person {p}", ("torino", "baltimore", "elsewhere")[p % 3],
              "2027-01-01 09:00:00", "2027-01-01 09:00:00", "2027-01-01 09:00:00") for p in range(respondents)))
        pairs = ((p, event_ids[(p + k) % events]) for k in range(events) for p in range(respondents))
        response_rows, answer_rows, choice_rows = [], [], []
        for n, (person, event_id) in enumerate(pairs):
            if n == finished + partly + silent:
                break
            response_id = n + 1
            asked = START + timedelta(days=event_ids.index(event_id), hours=3)
            done = n < finished
            answered = asked + timedelta(seconds=rng.randrange(60, 3 * 86400))  # over the next three days
            response_rows.append((response_id, questionnaire.id, event_id, 1000 + person,
                                  "it" if person % 2 else "en", ("torino", "baltimore", "elsewhere")[person % 3],
                                  asked.strftime("%Y-%m-%d %H:%M:%S"),
                                  (asked + timedelta(days=14)).strftime("%Y-%m-%d %H:%M:%S"),
                                  answered.strftime("%Y-%m-%d %H:%M:%S") if done else None))
            if n >= finished + partly:
                continue
            at = answered.strftime("%Y-%m-%d %H:%M:%S")
            given = [(useful.id, rng.choices(range(1, 6), (1, 2, 4, 6, 5))[0], None, 0),
                     (actors.id, None, None, int(rng.random() < 0.1)),
                     (transfer.id, rng.randrange(0, 11), None, 0),
                     (blocker.id, None, None, int(rng.random() < 0.2)),
                     (idea.id, None, " ".join(rng.choices(WORDS, k=rng.randrange(3, 25))), 0)]
            for question_id, number, text, skipped in given[:5 if done else 4]:
                answer_rows.append((response_id, question_id, None if skipped else number,
                                    None if skipped else text, skipped, at))
                if skipped or question_id not in (actors.id, blocker.id):
                    continue
                question = actors if question_id == actors.id else blocker
                picked = rng.sample(question.choices, rng.randrange(1, 4) if question is actors else 1)
                choice_rows += [(response_id, question_id, choice.id) for choice in picked]
        db.executemany("INSERT INTO response (id, questionnaire_id, event_id, participant_id, language, city, "
                       "asked_at, closes_at, submitted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", response_rows)
        db.executemany("INSERT INTO answer (response_id, question_id, number, text, skipped, answered_at) "
                       "VALUES (?, ?, ?, ?, ?, ?)", answer_rows)
        db.executemany("INSERT INTO answer_choice (response_id, question_id, choice_id) VALUES (?, ?, ?)",
                       choice_rows)
    return {"responses": len(response_rows), "answers": len(answer_rows), "finished": finished, "partly": partly}


async def measure(path: Path, out_dir: Path, rounds: int, language: str) -> dict:
    t = translator(language)
    db = await Database.open(path)
    reports = Reports(db, Roles(frozenset({COORDINATOR})), FixedClock(START))
    best: dict[str, float] = {}
    figures: dict = {}

    def keep(name: str, started: float) -> None:
        best[name] = min(best.get(name, float("inf")), time.perf_counter() - started)

    try:
        for round_ in range(rounds):
            started = time.perf_counter()
            async with db.serialized() as tx:
                floor = await tx.connection.execute_fetchall(FLOOR)
            keep("floor", started)

            started = time.perf_counter()
            summary = await reports.summary(COORDINATOR)
            pages = len(report_pages(t, summary))
            for page in range(pages):
                report_view(t, summary, page)
            keep("summary", started)

            sheet = out_dir / "answers.xlsx"
            started = time.perf_counter()
            async with reports.export(COORDINATOR, ExportFormat.XLSX) as export:
                rows = await write_xlsx(t, export, str(sheet))
            keep("xlsx", started)

            document = out_dir / "report.html"
            started = time.perf_counter()
            async with reports.export(COORDINATOR, ExportFormat.HTML) as export:
                with document.open("w", encoding="utf-8") as out:
                    await write_document(t, export, out, START)
            keep("html", started)
            print(f"round {round_ + 1}, best so far: floor {best['floor'] * 1000:.0f} ms, summary "
                  f"{best['summary'] * 1000:.0f} ms, xlsx {best['xlsx'] * 1000:.0f} ms, "
                  f"html {best['html'] * 1000:.0f} ms", flush=True)
        turnout = summary.figures.turnout()
        figures = {"asked": turnout.asked, "finished": turnout.finished, "partly": turnout.partly,
                   "answers_counted": sum(row[1] for row in floor), "summary_pages": pages, "xlsx_rows": rows,
                   "xlsx_bytes": sheet.stat().st_size, "html_bytes": document.stat().st_size}
    finally:
        await db.close()
    return best | figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--respondents", type=int, default=5000)
    parser.add_argument("--answers", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--language", choices=("it", "en"), default="it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path, bare = Path(folder) / "bench.db", Path(folder) / "without-counts.db"
        questionnaire = asyncio.run(prepare(path, args.events))
        shutil.copyfile(path, bare)
        with sqlite3.connect(bare) as db:  # the same schema without the triggers that keep the report's data
            for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
                db.execute(f"DROP TRIGGER {name}")
        started = time.perf_counter()
        generate(bare, questionnaire, args.respondents, args.answers, args.events)
        written_bare = time.perf_counter() - started
        started = time.perf_counter()
        made = generate(path, questionnaire, args.respondents, args.answers, args.events)
        written = time.perf_counter() - started
        print(f"generated {made['responses']} responses and {made['answers']} answers in {written:.1f} s "
              f"({written_bare:.1f} s without the report's triggers)", flush=True)
        best = asyncio.run(measure(path, Path(folder), args.rounds, args.language))
    three = best["summary"] + best["xlsx"] + best["html"]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux
    result = {
        "respondents": args.respondents, "events": args.events, "responses": made["responses"],
        "answers": made["answers"], "finished": best["finished"], "partly": best["partly"],
        "asked": best["asked"], "answers_counted": best["answers_counted"], "xlsx_rows": best["xlsx_rows"],
        "summary_pages": best["summary_pages"], "xlsx_bytes": best["xlsx_bytes"], "html_bytes": best["html_bytes"],
        "floor_ms": round(best["floor"] * 1000, 1), "summary_ms": round(best["summary"] * 1000, 1),
        "xlsx_ms": round(best["xlsx"] * 1000, 1), "html_ms": round(best["html"] * 1000, 1),
        "three_ms": round(three * 1000, 1), "ratio": round(three / best["floor"], 1), "goal_ratio": 5,
        "peak_rss_mb": round(peak, 1), "goal_peak_mb": 200,
        "write_s": round(written, 2), "write_without_triggers_s": round(written_bare, 2),
        "trigger_us_per_answer": round((written - written_bare) / made["answers"] * 1e6, 1),
    }
    print(f"three together {result['three_ms']} ms = {result['ratio']}x the floor ({result['floor_ms']} ms); "
          f"peak memory {result['peak_rss_mb']} MB; keeping the report's data costs the writes "
          f"{result['trigger_us_per_answer']} µs per answer")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
