"""A questionnaire answered after a visit, written straight into the tables (the answering journey is built
elsewhere): what /mydata and deletion must find, or leave behind."""

from __future__ import annotations

from datetime import datetime, timedelta

from storage import Database
from storage.questionnaires import Choice, Question, QuestionKind, Questionnaire
from storage.records import Texts
from storage.timestamps import to_db

AFTER_THE_VISIT = Questionnaire(
    slug="after-the-visit", title=Texts("Dopo la visita", "After the visit"),
    questions=(
        Question("useful", QuestionKind.RATING, Texts("Quanto è stata utile?", "How useful was it?"),
                 low=Texts("Poco", "Barely"), high=Texts("Molto", "Very")),
        Question("actors", QuestionKind.MULTIPLE, Texts("Chi gestisce il servizio?", "Who runs the service?"),
                 choices=(Choice("city", Texts("Comune", "City")),
                          Choice("residents", Texts("Abitanti", "Residents")),
                          Choice("ngo", Texts("Associazioni", "Nonprofits")))),
        Question("idea", QuestionKind.TEXT, Texts("Un'idea da portare a casa", "One idea to take home"),
                 required=False, max_length=500),
    ),
    kinds=frozenset({"site_visit"}),
)


async def answer_visit(db: Database, person: int, event_slug: str, now: datetime, *, rating: int,
                       actors: tuple[str, ...], idea: str | None, language: str = "en",
                       city: str | None = "baltimore") -> int:
    """One submitted response with its three answers; returns the response's id."""
    async with db.transaction() as tx:
        questionnaire = await tx.questionnaires.by_slug(AFTER_THE_VISIT.slug)
        if questionnaire is None:
            await tx.questionnaires.save(AFTER_THE_VISIT, now)
            questionnaire = await tx.questionnaires.by_slug(AFTER_THE_VISIT.slug)
        event = await tx.events.by_slug(event_slug)
        questions = {question.key: question for question in questionnaire.questions}
        connection = tx.connection
        cursor = await connection.execute(
            "INSERT INTO response (questionnaire_id, event_id, participant_id, language, city, asked_at, closes_at, "
            "position, submitted_at) VALUES (?, ?, ?, ?, ?, ?, ?, 3, ?)",
            (questionnaire.id, event.id, person, language, city, to_db(now), to_db(now + timedelta(days=14)),
             to_db(now + timedelta(minutes=5))))
        response_id = cursor.lastrowid
        answered = to_db(now + timedelta(minutes=2))
        await connection.execute(
            "INSERT INTO answer (response_id, question_id, number, answered_at) VALUES (?, ?, ?, ?)",
            (response_id, questions["useful"].id, rating, answered))
        await connection.execute("INSERT INTO answer (response_id, question_id, answered_at) VALUES (?, ?, ?)",
                                 (response_id, questions["actors"].id, answered))
        chosen = {choice.key: choice.id for choice in questions["actors"].choices}
        for key in actors:
            await connection.execute(
                "INSERT INTO answer_choice (response_id, question_id, choice_id) VALUES (?, ?, ?)",
                (response_id, questions["actors"].id, chosen[key]))
        await connection.execute(
            "INSERT INTO answer (response_id, question_id, text, skipped, answered_at) VALUES (?, ?, ?, ?, ?)",
            (response_id, questions["idea"].id, idea, int(idea is None), answered))
    return response_id
