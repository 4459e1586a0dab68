"""A questionnaire for the tests of feedback, asked after the site visits, and the moments around the first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage.questionnaires import Choice, Question, QuestionKind, Questionnaire
from storage.records import Texts
from tests.conftest import BEFORE_THE_WEEK
from tests.harness import Harness

VISIT = "roccafranca-visit"
VISIT_END = datetime(2027, 1, 20, 9, 45, tzinfo=UTC)  # 10:45 in Turin
ASKED = VISIT_END + timedelta(hours=1)  # PONTE_FEEDBACK_DELAY's default
WORKSHOP = "collaborative-services"

USEFUL = Question("useful", QuestionKind.RATING,
                  Texts("Quanto ti è stata utile la visita?", "How useful was the visit?"),
                  low=Texts("per niente", "not at all"), high=Texts("moltissimo", "extremely"))
TRANSFER = Question("transfer", QuestionKind.SCALE,
                    Texts("Quanto è trasferibile a Baltimora?", "How transferable is it to Baltimore?"),
                    low=Texts("per nulla", "not at all"), high=Texts("del tutto", "entirely"))
BLOCKER = Question("blocker", QuestionKind.SINGLE, Texts("Cosa lo bloccherebbe?", "What would block it?"),
                   choices=(Choice("money", Texts("I fondi", "Funding")),
                            Choice("rules", Texts("Le regole", "Rules")),
                            Choice("people", Texts("Le persone", "People"))))
ACTORS = Question("actors", QuestionKind.MULTIPLE, Texts("Chi lo gestisce?", "Who co-manages it?"), required=False,
                  choices=(Choice("city", Texts("Il Comune", "The city")),
                           Choice("residents", Texts("Gli abitanti", "Residents")),
                           Choice("ngo", Texts("Le associazioni", "Nonprofits"))))
IDEA = Question("idea", QuestionKind.TEXT, Texts("Un'idea da portare a casa?", "One idea to take home?"),
                required=False, max_length=40)


def visit_questionnaire(**changes: object) -> Questionnaire:
    values = dict(slug="after-visits", title=Texts("Dopo la visita", "After the visit"),
                  intro=Texts("Cinque domande, due minuti.", "Five questions, two minutes."),
                  questions=(USEFUL, TRANSFER, BLOCKER, ACTORS, IDEA), kinds=frozenset({"site_visit"}))
    return Questionnaire(**(values | changes))


async def with_questionnaire(bot: Harness, questionnaire: Questionnaire | None = None) -> Questionnaire:
    async with bot.services.db.transaction() as tx:
        await tx.questionnaires.save(questionnaire or visit_questionnaire(), BEFORE_THE_WEEK)
        return await tx.questionnaires.by_slug((questionnaire or visit_questionnaire()).slug)


async def at(bot: Harness, moment: datetime) -> int:
    bot.services.clock.set(moment)
    return await bot.services.dispatcher.dispatch_due()
