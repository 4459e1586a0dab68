"""Answers given after the visits, written straight into the tables as the answering journey writes them
(see storage.migrations: one response per person and event, one answer row per question answered or skipped,
the choices picked in answer_choice), so that the report can be tested on its own."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from storage import Database
from storage.questionnaires import Choice, Question, QuestionKind, Questionnaire
from storage.records import Texts
from storage.timestamps import to_db
from tests.conftest import BEFORE_THE_WEEK

SKIP = object()  # an optional question the person skipped

USEFUL = Question("useful", QuestionKind.RATING,
                  Texts("Quanto ti è stata utile la visita?", "How useful was the visit?"),
                  low=Texts("Per niente", "Not at all"), high=Texts("Moltissimo", "Very"))
ACTORS = Question("actors", QuestionKind.MULTIPLE,
                  Texts("Chi gestisce insieme il servizio?", "Who runs the service together?"), required=False,
                  choices=(Choice("city", Texts("Comune", "City")),
                           Choice("residents", Texts("Abitanti", "Residents")),
                           Choice("ngo", Texts("Associazioni", "Nonprofits"))))
TRANSFER = Question("transfer", QuestionKind.SCALE,
                    Texts("Quanto è trasferibile nella tua città?", "How transferable is it to your city?"),
                    low=Texts("Per niente", "Not at all"), high=Texts("Del tutto", "Fully"))
BLOCKER = Question("blocker", QuestionKind.SINGLE, Texts("Che cosa lo bloccherebbe?", "What would block it?"),
                   required=False,
                   choices=(Choice("money", Texts("I fondi", "Funding")), Choice("rules", Texts("Le regole", "Rules")),
                            Choice("nothing", Texts("Niente", "Nothing"))))
IDEA = Question("idea", QuestionKind.TEXT, Texts("Un'idea da portare a casa", "One idea to take home"),
                required=False, max_length=500)

VISIT = Questionnaire(slug="after-the-visit", title=Texts("Dopo la visita", "After the visit"),
                      questions=(USEFUL, ACTORS, TRANSFER, BLOCKER, IDEA),
                      kinds=frozenset({"site_visit", "workshop"}), open_for=timedelta(days=14))


async def save_questionnaire(db: Database, questionnaire: Questionnaire = VISIT, *,
                             anonymous: bool = True) -> Questionnaire:
    """Stored, and read back with its ids."""
    async with db.transaction() as tx:
        await tx.questionnaires.save(replace(questionnaire, anonymous=anonymous), BEFORE_THE_WEEK)
        return await tx.questionnaires.by_slug(questionnaire.slug)


async def respond(db: Database, questionnaire: Questionnaire, event_slug: str, person: int | None, *,
                  language: str = "it", city: str | None = "torino", answers: dict[str, object] | None = None,
                  finished: bool = True, at: datetime = BEFORE_THE_WEEK, name: str | None = None) -> int:
    """One person asked about one event, with the answers they gave (by question key: a number, a text, a
    tuple of choice keys, or SKIP); ``person`` None is someone who has since deleted their data."""
    questions = {q.key: q for q in questionnaire.questions}
    async with db.transaction() as tx:
        db_ = tx.connection
        if person is not None:
            await db_.execute(
                "INSERT OR IGNORE INTO participant (telegram_id, language, display_name, city, consent_at, "
                "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (person, language, name, city, to_db(at), to_db(at), to_db(at)))
        event = await tx.events.by_slug(event_slug)
        cursor = await db_.execute(
            "INSERT INTO response (questionnaire_id, event_id, participant_id, language, city, asked_at, closes_at, "
            "position, submitted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (questionnaire.id, event.id, person, language, city, to_db(at), to_db(at + timedelta(days=14)),
             len(answers or {}), to_db(at + timedelta(minutes=5)) if finished else None))
        response_id = (await cursor.fetchone())[0]
        await cursor.close()
        for minute, (key, value) in enumerate((answers or {}).items(), start=1):
            question = questions[key]
            number = value if isinstance(value, int) else None
            text = value if isinstance(value, str) else None
            await db_.execute(
                "INSERT INTO answer (response_id, question_id, number, text, skipped, answered_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (response_id, question.id, number, text, int(value is SKIP), to_db(at + timedelta(minutes=minute))))
            if isinstance(value, tuple):
                ids = {c.key: c.id for c in question.choices}
                for choice in value:
                    await db_.execute("INSERT INTO answer_choice (response_id, question_id, choice_id) "
                                      "VALUES (?, ?, ?)", (response_id, question.id, ids[choice]))
    return response_id
