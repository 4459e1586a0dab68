"""Questionnaires in the database: a re-import keeps the ids of what was answered."""

from __future__ import annotations

from datetime import timedelta

from storage import Database
from storage.questionnaires import Choice, Question, QuestionKind, Questionnaire
from storage.records import Texts
from tests.conftest import BEFORE_THE_WEEK


def _questionnaire(*questions: Question) -> Questionnaire:
    return Questionnaire(slug="visits", title=Texts("Dopo la visita", "After the visit"), questions=questions,
                         kinds=frozenset({"site_visit"}), events=frozenset({"round-table"}),
                         open_for=timedelta(days=10))


USEFUL = Question("useful", QuestionKind.RATING, Texts("Utile?", "Useful?"), low=Texts("Poco", "Barely"),
                  high=Texts("Molto", "Very"))
ACTORS = Question("actors", QuestionKind.MULTIPLE, Texts("Chi?", "Who?"), required=False,
                  choices=(Choice("city", Texts("Comune", "City")),
                           Choice("residents", Texts("Abitanti", "Residents"))))


async def test_a_questionnaire_round_trips_and_keeps_its_ids_when_reworded(db: Database) -> None:
    async with db.transaction() as tx:
        await tx.questionnaires.save(_questionnaire(USEFUL, ACTORS), BEFORE_THE_WEEK)
        first = await tx.questionnaires.by_slug("visits")
    assert [q.key for q in first.questions] == ["useful", "actors"]
    assert first.questions[1].choices[1].label.en == "Residents" and first.open_for == timedelta(days=10)
    assert first.applies_to("round-table", "workshop") and first.applies_to("x", "site_visit")
    assert not first.applies_to("x", "workshop")

    reworded = Question("actors", QuestionKind.MULTIPLE, Texts("Chi gestisce?", "Who runs it?"), required=False,
                        choices=(Choice("residents", Texts("Residenti", "Residents")),
                                 Choice("city", Texts("Comune", "City")),
                                 Choice("ngo", Texts("Associazioni", "Nonprofits"))))
    async with db.transaction() as tx:
        await tx.questionnaires.save(_questionnaire(reworded, USEFUL), BEFORE_THE_WEEK)
        second = await tx.questionnaires.by_slug("visits")
    assert [q.key for q in second.questions] == ["actors", "useful"]
    assert {q.key: q.id for q in second.questions} == {q.key: q.id for q in first.questions}
    old = {c.key: c.id for c in first.questions[1].choices}
    new = {c.key: c.id for c in second.questions[0].choices}
    assert new["city"] == old["city"] and new["residents"] == old["residents"] and "ngo" in new
    assert second.questions[0].text.it == "Chi gestisce?"


async def test_the_event_named_by_slug_wins_over_its_kind(db: Database) -> None:
    by_kind = Questionnaire(slug="generic", title=Texts("a", "a"), questions=(USEFUL,),
                            kinds=frozenset({"round_table"}))
    by_slug = Questionnaire(slug="special", title=Texts("b", "b"), questions=(USEFUL,),
                            events=frozenset({"round-table"}))
    async with db.transaction() as tx:
        await tx.questionnaires.save(by_kind, BEFORE_THE_WEEK)
        await tx.questionnaires.save(by_slug, BEFORE_THE_WEEK)
        assert (await tx.questionnaires.for_event("round-table", "round_table")).slug == "special"
        assert (await tx.questionnaires.for_event("other", "round_table")).slug == "generic"
        assert await tx.questionnaires.for_event("other", "workshop") is None
