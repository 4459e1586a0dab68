"""Numbered schema migrations; the database records the last one applied in ``PRAGMA user_version``.
A migration is SQL, and may add a Python step (a data backfill) that runs after it in the same transaction."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import aiosqlite


@dataclass(frozen=True)
class Migration:
    description: str
    sql: str
    backfill: Callable[[aiosqlite.Connection], Awaitable[None]] | None = None


# A response's answers as one text: a value for each question of its questionnaire in the order of their ids,
# unit separator (char 31) between them; the value is the number, the text (any unit separator in it made a
# space), the ids of the choices picked, comma-separated, or '' for a question skipped or not answered. The
# values are laid out in the order of the subquery (SQLite concatenates in the order rows come; the tests check
# it). storage.feedback_results reads rows of these as fields split by unit separators. {response} is the id.
_ANSWERS_ROW = """(SELECT group_concat(value, char(31)) FROM (SELECT coalesce((SELECT coalesce(a.number,
        replace(a.text, char(31), ' '), (SELECT group_concat(ac.choice_id) FROM answer_choice ac
         WHERE ac.response_id = a.response_id AND ac.question_id = a.question_id))
        FROM answer a WHERE a.response_id = {response} AND a.question_id = q.id AND a.skipped = 0), '') AS value
    FROM question q WHERE q.questionnaire_id = (SELECT questionnaire_id FROM response WHERE id = {response})
    ORDER BY q.id))"""

MIGRATIONS: tuple[Migration, ...] = (
    Migration("people and the agenda", """
    CREATE TABLE participant (
        telegram_id   INTEGER PRIMARY KEY,
        language      TEXT CHECK (language IN ('it', 'en')),
        display_name  TEXT,
        city          TEXT CHECK (city IN ('torino', 'baltimore', 'elsewhere')),
        timezone      TEXT,
        consent_at    TEXT,
        awaiting      TEXT,
        created_at    TEXT NOT NULL,
        updated_at    TEXT NOT NULL
    );
    CREATE TABLE event (
        id              INTEGER PRIMARY KEY,
        slug            TEXT NOT NULL UNIQUE,
        kind            TEXT NOT NULL,
        title_it        TEXT NOT NULL,
        title_en        TEXT NOT NULL,
        description_it  TEXT NOT NULL,
        description_en  TEXT NOT NULL,
        venue_it        TEXT NOT NULL,
        venue_en        TEXT NOT NULL,
        address         TEXT NOT NULL DEFAULT '',
        map_url         TEXT,
        starts_at       TEXT NOT NULL,
        ends_at         TEXT NOT NULL,
        timezone        TEXT NOT NULL,
        capacity        INTEGER CHECK (capacity IS NULL OR capacity >= 0),
        signup_closes_at TEXT,
        status          TEXT NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'cancelled')),
        speakers        TEXT NOT NULL DEFAULT '[]',
        position        INTEGER NOT NULL DEFAULT 0,
        updated_at      TEXT NOT NULL,
        CHECK (ends_at > starts_at)
    );
    CREATE INDEX event_starts_at ON event (starts_at);
    """),
    Migration("sign-ups, and the outbox of messages the bot sends on its own", """
    CREATE TABLE registration (
        id              INTEGER PRIMARY KEY,
        event_id        INTEGER NOT NULL REFERENCES event (id) ON DELETE CASCADE,
        participant_id  INTEGER NOT NULL REFERENCES participant (telegram_id) ON DELETE CASCADE,
        status          TEXT NOT NULL CHECK (status IN ('confirmed', 'waitlisted', 'cancelled')),
        queued_seq      INTEGER,
        claim_token     INTEGER,
        created_at      TEXT NOT NULL,
        updated_at      TEXT NOT NULL,
        UNIQUE (event_id, participant_id)
    );
    CREATE INDEX registration_queue ON registration (event_id, status, queued_seq);
    CREATE INDEX registration_sequence ON registration (event_id, queued_seq);
    CREATE INDEX registration_person ON registration (participant_id, status);
    CREATE TABLE outbox (
        id            INTEGER PRIMARY KEY,
        recipient_id  INTEGER NOT NULL REFERENCES participant (telegram_id) ON DELETE CASCADE,
        kind          TEXT NOT NULL,
        event_id      INTEGER REFERENCES event (id) ON DELETE CASCADE,
        payload       TEXT NOT NULL DEFAULT '{}',
        due_at        TEXT NOT NULL,
        status        TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'skipped', 'failed')),
        attempts      INTEGER NOT NULL DEFAULT 0,
        last_error    TEXT,
        sent_at       TEXT,
        dedupe_key    TEXT UNIQUE,
        created_at    TEXT NOT NULL
    );
    CREATE INDEX outbox_due ON outbox (status, due_at);
    """),
    Migration("the inbox: updates stored before Telegram is told they arrived", """
    CREATE TABLE inbox (
        update_id    INTEGER PRIMARY KEY,
        payload      TEXT,
        received_at  TEXT NOT NULL,
        handled_at   TEXT
    );
    CREATE INDEX inbox_unhandled ON inbox (update_id) WHERE handled_at IS NULL;
    """),
    # The groups Ponte has already pointed to its private chat (it does so once per group).
    Migration("groups pointed to the private chat", """
    CREATE TABLE group_pointer (
        chat_id     INTEGER PRIMARY KEY,
        pointed_at  TEXT NOT NULL
    );
    """),
    Migration("each person's Telegram @username, so that organisers can reach the people coming", """
    ALTER TABLE participant ADD COLUMN username TEXT;
    """),
    # SQLite cannot change a CHECK constraint in place: the table is rebuilt, its rows copied as they are.
    Migration("the outbox in two lanes (personal before bulk), with rows marked while being sent", """
    CREATE TABLE outbox_lanes (
        id            INTEGER PRIMARY KEY,
        recipient_id  INTEGER NOT NULL REFERENCES participant (telegram_id) ON DELETE CASCADE,
        kind          TEXT NOT NULL,
        lane          TEXT NOT NULL DEFAULT 'personal' CHECK (lane IN ('personal', 'bulk')),
        event_id      INTEGER REFERENCES event (id) ON DELETE CASCADE,
        payload       TEXT NOT NULL DEFAULT '{}',
        batch         TEXT,
        due_at        TEXT NOT NULL,
        status        TEXT NOT NULL DEFAULT 'pending'
                      CHECK (status IN ('pending', 'sending', 'sent', 'skipped', 'failed', 'uncertain')),
        attempts      INTEGER NOT NULL DEFAULT 0,
        last_error    TEXT,
        sent_at       TEXT,
        dedupe_key    TEXT UNIQUE,
        created_at    TEXT NOT NULL
    );
    INSERT INTO outbox_lanes (id, recipient_id, kind, event_id, payload, due_at, status, attempts, last_error,
                              sent_at, dedupe_key, created_at)
        SELECT id, recipient_id, kind, event_id, payload, due_at, status, attempts, last_error, sent_at,
               dedupe_key, created_at FROM outbox;
    DROP TABLE outbox;
    ALTER TABLE outbox_lanes RENAME TO outbox;
    CREATE INDEX outbox_lane_due ON outbox (lane, status, due_at);
    CREATE INDEX outbox_sending ON outbox (status) WHERE status = 'sending';
    CREATE INDEX outbox_batch ON outbox (batch, status) WHERE batch IS NOT NULL;
    """),
    Migration("broadcasts from the organisers, and who has blocked the bot", """
    ALTER TABLE participant ADD COLUMN unreachable_at TEXT;
    CREATE TABLE broadcast (
        id                   INTEGER PRIMARY KEY,
        author_id            INTEGER NOT NULL,
        audience             TEXT NOT NULL CHECK (audience IN
                             ('everyone', 'torino', 'baltimore', 'elsewhere', 'confirmed', 'signed_up')),
        event_id             INTEGER REFERENCES event (id) ON DELETE SET NULL,
        event_title_it       TEXT,
        event_title_en       TEXT,
        one_text             INTEGER NOT NULL DEFAULT 0,
        text_it              TEXT,
        text_en              TEXT,
        status               TEXT NOT NULL DEFAULT 'draft'
                             CHECK (status IN ('draft', 'cancelled', 'sending', 'done')),
        audience_size        INTEGER NOT NULL DEFAULT 0,
        blocked_before       INTEGER NOT NULL DEFAULT 0,
        created_at           TEXT NOT NULL,
        started_at           TEXT,
        finished_at          TEXT,
        progress_chat_id     INTEGER,
        progress_message_id  INTEGER,
        progress_text        TEXT,
        progress_at          TEXT
    );
    CREATE INDEX broadcast_author ON broadcast (author_id, status);
    CREATE INDEX broadcast_status ON broadcast (status);
    """),
    Migration("reminders, online events, change notices and agenda files sent to the bot", """
    ALTER TABLE event ADD COLUMN online_url TEXT;
    ALTER TABLE event ADD COLUMN reminders TEXT;
    ALTER TABLE event ADD COLUMN sequence INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE event ADD COLUMN moved_at TEXT;
    ALTER TABLE participant ADD COLUMN reminders INTEGER NOT NULL DEFAULT 1;
    CREATE TABLE event_change (
        event_id    INTEGER PRIMARY KEY REFERENCES event (id) ON DELETE CASCADE,
        before      TEXT NOT NULL,
        changed_at  TEXT NOT NULL,
        due_at      TEXT NOT NULL
    );
    CREATE TABLE agenda_draft (
        id            INTEGER PRIMARY KEY,
        organiser_id  INTEGER NOT NULL,
        content       TEXT NOT NULL,
        created_at    TEXT NOT NULL,
        applied_at    TEXT,
        dropped_at    TEXT
    );
    """),
    Migration("questionnaires after the visits, and the answers people give", """
    CREATE TABLE questionnaire (
        id               INTEGER PRIMARY KEY,
        slug             TEXT NOT NULL UNIQUE,
        title_it         TEXT NOT NULL,
        title_en         TEXT NOT NULL,
        intro_it         TEXT NOT NULL DEFAULT '',
        intro_en         TEXT NOT NULL DEFAULT '',
        kinds            TEXT NOT NULL DEFAULT '[]',  -- JSON: the event kinds it is asked after
        events           TEXT NOT NULL DEFAULT '[]',  -- JSON: the event slugs it is asked after
        anonymous        INTEGER NOT NULL DEFAULT 1,  -- 0: coordinators see who answered
        open_seconds     INTEGER NOT NULL,            -- how long a request stays open once sent
        updated_at       TEXT NOT NULL
    );
    CREATE TABLE question (
        id                INTEGER PRIMARY KEY,
        questionnaire_id  INTEGER NOT NULL REFERENCES questionnaire (id) ON DELETE CASCADE,
        key               TEXT NOT NULL,              -- stable: answers stay comparable across re-imports
        position          INTEGER NOT NULL,
        kind              TEXT NOT NULL CHECK (kind IN ('rating', 'scale', 'single', 'multiple', 'text')),
        required          INTEGER NOT NULL DEFAULT 1,
        text_it           TEXT NOT NULL,
        text_en           TEXT NOT NULL,
        low_it            TEXT NOT NULL DEFAULT '',   -- the labelled ends of a rating or a scale
        low_en            TEXT NOT NULL DEFAULT '',
        high_it           TEXT NOT NULL DEFAULT '',
        high_en           TEXT NOT NULL DEFAULT '',
        max_length        INTEGER,                    -- free text only
        UNIQUE (questionnaire_id, key)
    );
    CREATE TABLE choice (
        id           INTEGER PRIMARY KEY,
        question_id  INTEGER NOT NULL REFERENCES question (id) ON DELETE CASCADE,
        key          TEXT NOT NULL,
        position     INTEGER NOT NULL,
        label_it     TEXT NOT NULL,
        label_en     TEXT NOT NULL,
        UNIQUE (question_id, key)
    );
    -- One person asked about one event. participant_id becomes NULL when the person deletes their data:
    -- the answers stay in the report, detached; language and city are kept as the report groups by them.
    CREATE TABLE response (
        id                INTEGER PRIMARY KEY,
        questionnaire_id  INTEGER NOT NULL REFERENCES questionnaire (id),
        event_id          INTEGER NOT NULL REFERENCES event (id),
        participant_id    INTEGER REFERENCES participant (telegram_id) ON DELETE SET NULL,
        language          TEXT NOT NULL CHECK (language IN ('it', 'en')),
        city              TEXT CHECK (city IN ('torino', 'baltimore', 'elsewhere')),
        asked_at          TEXT NOT NULL,
        reminded_at       TEXT,
        closes_at         TEXT NOT NULL,
        position          INTEGER NOT NULL DEFAULT 0,  -- the question the person is at, to resume there
        message_id        INTEGER,                     -- the message edited in place, question after question
        submitted_at      TEXT,
        UNIQUE (event_id, participant_id)
    );
    CREATE INDEX response_event ON response (event_id);
    CREATE INDEX response_participant ON response (participant_id);
    -- One row per question answered (or skipped); the choices picked are in answer_choice.
    CREATE TABLE answer (
        response_id  INTEGER NOT NULL REFERENCES response (id) ON DELETE CASCADE,
        question_id  INTEGER NOT NULL REFERENCES question (id),
        number       INTEGER,                          -- rating 1-5, scale 0-10
        text         TEXT,                             -- free text
        skipped      INTEGER NOT NULL DEFAULT 0,
        answered_at  TEXT NOT NULL,
        PRIMARY KEY (response_id, question_id)
    ) WITHOUT ROWID;
    CREATE INDEX answer_question ON answer (question_id);
    CREATE TABLE answer_choice (
        response_id  INTEGER NOT NULL,
        question_id  INTEGER NOT NULL,
        choice_id    INTEGER NOT NULL REFERENCES choice (id),
        PRIMARY KEY (response_id, question_id, choice_id),
        FOREIGN KEY (response_id, question_id) REFERENCES answer (response_id, question_id) ON DELETE CASCADE
    ) WITHOUT ROWID;
    CREATE INDEX answer_choice_choice ON answer_choice (choice_id);
    """),
    # Check-in at the venue. The token lives apart from the event row, so re-importing the agenda (which
    # rewrites the event's columns) keeps the printed posters working. A check-in row goes with the person
    # (ON DELETE CASCADE): deleting one's data leaves no trace of having been there. `walk_in` is 1 for a
    # person who was not confirmed when they came; `by_hand` for one an organiser checked in (whose id is
    # not kept, so that an organiser who deletes their own data leaves nothing here either).
    Migration("check-in at the venue: a code per event, and who came", """
    CREATE TABLE checkin_code (
        event_id    INTEGER PRIMARY KEY REFERENCES event (id) ON DELETE CASCADE,
        token       TEXT NOT NULL UNIQUE,
        created_at  TEXT NOT NULL
    );
    CREATE TABLE checkin (
        event_id        INTEGER NOT NULL REFERENCES event (id) ON DELETE CASCADE,
        participant_id  INTEGER NOT NULL REFERENCES participant (telegram_id) ON DELETE CASCADE,
        walk_in         INTEGER NOT NULL CHECK (walk_in IN (0, 1)),
        by_hand         INTEGER NOT NULL DEFAULT 0 CHECK (by_hand IN (0, 1)),
        checked_in_at   TEXT NOT NULL,
        PRIMARY KEY (event_id, participant_id)
    ) WITHOUT ROWID;
    CREATE INDEX checkin_participant ON checkin (participant_id);
    """),
    Migration("roles granted by invitation and by the settings, invitations, and the audit log", """
    -- One row per person and role. by_settings: PONTE_ADMINS or PONTE_COORDINATORS grant it (written at every
    -- start); granted_by: the organiser whose invitation granted it. A role the settings stop granting stays
    -- when an invitation granted it too.
    CREATE TABLE role_grant (
        telegram_id  INTEGER NOT NULL,
        role         TEXT NOT NULL CHECK (role IN ('organiser', 'coordinator')),
        by_settings  INTEGER NOT NULL DEFAULT 0,
        granted_by   INTEGER,
        granted_at   TEXT NOT NULL,
        PRIMARY KEY (telegram_id, role)
    ) WITHOUT ROWID;
    -- Only a hash of the link's token is kept: the database alone cannot open the door.
    CREATE TABLE invite (
        id          INTEGER PRIMARY KEY,
        token_hash  TEXT NOT NULL UNIQUE,
        role        TEXT NOT NULL CHECK (role IN ('organiser', 'coordinator')),
        created_by  INTEGER NOT NULL,
        created_at  TEXT NOT NULL,
        expires_at  TEXT NOT NULL,
        used_by     INTEGER,
        used_at     TEXT,
        revoked_at  TEXT
    );
    CREATE INDEX invite_creator ON invite (created_by);
    -- Who did what, when: privileged actions only. actor_id NULL is the command line; detail is JSON holding
    -- ids and counts, never names.
    CREATE TABLE audit (
        id        INTEGER PRIMARY KEY,
        at        TEXT NOT NULL,
        actor_id  INTEGER,
        action    TEXT NOT NULL,
        detail    TEXT NOT NULL DEFAULT '{}'
    );
    """),
    Migration("feedback requests: an event's own delay before asking, and a response under review", """
    ALTER TABLE event ADD COLUMN feedback_delay INTEGER;  -- seconds after its end; NULL: PONTE_FEEDBACK_DELAY
    -- 1 once the person has reached the summary: from then on an answer changed leads back to it.
    ALTER TABLE response ADD COLUMN reviewing INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX response_open ON response (submitted_at, closes_at);
    """),
    # A broadcast outlives its author: an organiser who deletes their data leaves the record of what was sent
    # to whom (the outbox batch) with no author. SQLite cannot drop a NOT NULL in place: the table is rebuilt.
    Migration("broadcasts that outlive the organiser who wrote them", """
    CREATE TABLE broadcast_detachable (
        id                   INTEGER PRIMARY KEY,
        author_id            INTEGER,
        audience             TEXT NOT NULL CHECK (audience IN
                             ('everyone', 'torino', 'baltimore', 'elsewhere', 'confirmed', 'signed_up')),
        event_id             INTEGER REFERENCES event (id) ON DELETE SET NULL,
        event_title_it       TEXT,
        event_title_en       TEXT,
        one_text             INTEGER NOT NULL DEFAULT 0,
        text_it              TEXT,
        text_en              TEXT,
        status               TEXT NOT NULL DEFAULT 'draft'
                             CHECK (status IN ('draft', 'cancelled', 'sending', 'done')),
        audience_size        INTEGER NOT NULL DEFAULT 0,
        blocked_before       INTEGER NOT NULL DEFAULT 0,
        created_at           TEXT NOT NULL,
        started_at           TEXT,
        finished_at          TEXT,
        progress_chat_id     INTEGER,
        progress_message_id  INTEGER,
        progress_text        TEXT,
        progress_at          TEXT
    );
    INSERT INTO broadcast_detachable SELECT id, author_id, audience, event_id, event_title_it, event_title_en,
        one_text, text_it, text_en, status, audience_size, blocked_before, created_at, started_at, finished_at,
        progress_chat_id, progress_message_id, progress_text, progress_at FROM broadcast;
    DROP TABLE broadcast;
    ALTER TABLE broadcast_detachable RENAME TO broadcast;
    CREATE INDEX broadcast_author ON broadcast (author_id, status);
    CREATE INDEX broadcast_status ON broadcast (status);
    """),
    # Errors the running bot met, for `ponte status`: where and of which type, and the update's id; no
    # message text and no person, so nothing here outlives a person's request to be forgotten.
    Migration("errors the running bot met, for ponte status", """
    CREATE TABLE problem (
        id         INTEGER PRIMARY KEY,
        at         TEXT NOT NULL,
        kind       TEXT NOT NULL,
        place      TEXT NOT NULL,
        update_id  INTEGER
    );
    """),
    # The report's counts, kept as the answers come: every write to response, answer and answer_choice updates
    # them in the same transaction (the triggers below), whichever code writes, so that a report reads a few
    # hundred rows instead of a pass over every answer (bench/report.py). city '' is a person who never said
    # where they are; number -1 an answer that is not a number. A count can fall to 0: readers skip those.
    # A response keeps the questionnaire, event and city it was asked with, and is never deleted (deleting
    # one's data detaches it): both are refused, so that the counts can never drift from the answers.
    Migration("running counts of the answers for the coordinators' report", """
    CREATE TABLE answer_tally (
        question_id  INTEGER NOT NULL,
        event_id     INTEGER NOT NULL,
        city         TEXT NOT NULL,
        skipped      INTEGER NOT NULL,
        number       INTEGER NOT NULL,
        count        INTEGER NOT NULL,
        PRIMARY KEY (question_id, event_id, city, skipped, number)
    ) WITHOUT ROWID;
    CREATE TABLE choice_tally (
        question_id  INTEGER NOT NULL,
        event_id     INTEGER NOT NULL,
        city         TEXT NOT NULL,
        choice_id    INTEGER NOT NULL,
        count        INTEGER NOT NULL,
        PRIMARY KEY (question_id, event_id, city, choice_id)
    ) WITHOUT ROWID;
    CREATE TABLE response_tally (
        questionnaire_id  INTEGER NOT NULL,
        event_id          INTEGER NOT NULL,
        city              TEXT NOT NULL,
        asked             INTEGER NOT NULL,
        finished          INTEGER NOT NULL,
        partly            INTEGER NOT NULL,  -- answered at least one question, not submitted
        PRIMARY KEY (questionnaire_id, event_id, city)
    ) WITHOUT ROWID;
    ALTER TABLE response ADD COLUMN started INTEGER NOT NULL DEFAULT 0;  -- 1 while it holds an answer
    UPDATE response SET started = EXISTS (SELECT 1 FROM answer a WHERE a.response_id = response.id);
    INSERT INTO answer_tally SELECT a.question_id, r.event_id, coalesce(r.city, ''), a.skipped,
        coalesce(a.number, -1), count(*) FROM answer a JOIN response r ON r.id = a.response_id GROUP BY 1, 2, 3, 4, 5;
    INSERT INTO choice_tally SELECT ac.question_id, r.event_id, coalesce(r.city, ''), ac.choice_id, count(*)
        FROM answer_choice ac JOIN response r ON r.id = ac.response_id GROUP BY 1, 2, 3, 4;
    INSERT INTO response_tally SELECT questionnaire_id, event_id, coalesce(city, ''), count(*), count(submitted_at),
        sum(submitted_at IS NULL AND started) FROM response GROUP BY 1, 2, 3;
    -- The latest free-text answers to a question, for the chat, without sorting them all.
    CREATE INDEX answer_text_recent ON answer (question_id, answered_at) WHERE skipped = 0 AND text IS NOT NULL;

    CREATE TRIGGER response_asked AFTER INSERT ON response BEGIN
        INSERT INTO response_tally (questionnaire_id, event_id, city, asked, finished, partly)
        VALUES (NEW.questionnaire_id, NEW.event_id, coalesce(NEW.city, ''), 1, NEW.submitted_at IS NOT NULL,
                NEW.submitted_at IS NULL AND NEW.started)
        ON CONFLICT DO UPDATE SET asked = asked + 1, finished = finished + excluded.finished,
                                  partly = partly + excluded.partly;
    END;
    CREATE TRIGGER response_progressed AFTER UPDATE OF submitted_at, started ON response
    WHEN (OLD.submitted_at IS NULL) IS NOT (NEW.submitted_at IS NULL) OR OLD.started IS NOT NEW.started BEGIN
        UPDATE response_tally SET
            finished = finished + (NEW.submitted_at IS NOT NULL) - (OLD.submitted_at IS NOT NULL),
            partly = partly + (NEW.submitted_at IS NULL AND NEW.started) - (OLD.submitted_at IS NULL AND OLD.started)
        WHERE questionnaire_id = NEW.questionnaire_id AND event_id = NEW.event_id AND city = coalesce(NEW.city, '');
    END;
    CREATE TRIGGER response_kept_where_asked BEFORE UPDATE OF questionnaire_id, event_id, city ON response
    WHEN OLD.questionnaire_id IS NOT NEW.questionnaire_id OR OLD.event_id IS NOT NEW.event_id
         OR OLD.city IS NOT NEW.city BEGIN
        SELECT RAISE(ABORT, 'a response keeps the questionnaire, event and city it was asked with');
    END;
    CREATE TRIGGER response_kept BEFORE DELETE ON response BEGIN
        SELECT RAISE(ABORT, 'a response is never deleted: deleting one''s data detaches it');
    END;

    CREATE TRIGGER answer_given AFTER INSERT ON answer BEGIN
        INSERT INTO answer_tally (question_id, event_id, city, skipped, number, count)
        SELECT NEW.question_id, r.event_id, coalesce(r.city, ''), NEW.skipped, coalesce(NEW.number, -1), 1
        FROM response r WHERE r.id = NEW.response_id
        ON CONFLICT DO UPDATE SET count = count + 1;
        UPDATE response SET started = 1 WHERE id = NEW.response_id AND started = 0;
    END;
    CREATE TRIGGER answer_changed AFTER UPDATE OF response_id, question_id, number, skipped ON answer
    WHEN OLD.response_id IS NOT NEW.response_id OR OLD.question_id IS NOT NEW.question_id
         OR OLD.number IS NOT NEW.number OR OLD.skipped IS NOT NEW.skipped BEGIN
        UPDATE answer_tally SET count = count - 1
        WHERE (question_id, event_id, city, skipped, number) = (SELECT OLD.question_id, r.event_id,
               coalesce(r.city, ''), OLD.skipped, coalesce(OLD.number, -1)
               FROM response r WHERE r.id = OLD.response_id);
        INSERT INTO answer_tally (question_id, event_id, city, skipped, number, count)
        SELECT NEW.question_id, r.event_id, coalesce(r.city, ''), NEW.skipped, coalesce(NEW.number, -1), 1
        FROM response r WHERE r.id = NEW.response_id
        ON CONFLICT DO UPDATE SET count = count + 1;
    END;
    CREATE TRIGGER answer_taken_back AFTER DELETE ON answer BEGIN
        UPDATE answer_tally SET count = count - 1
        WHERE (question_id, event_id, city, skipped, number) = (SELECT OLD.question_id, r.event_id,
               coalesce(r.city, ''), OLD.skipped, coalesce(OLD.number, -1)
               FROM response r WHERE r.id = OLD.response_id);
        UPDATE response SET started = EXISTS (SELECT 1 FROM answer a WHERE a.response_id = OLD.response_id)
        WHERE id = OLD.response_id;
    END;

    CREATE TRIGGER choice_picked AFTER INSERT ON answer_choice BEGIN
        INSERT INTO choice_tally (question_id, event_id, city, choice_id, count)
        SELECT NEW.question_id, r.event_id, coalesce(r.city, ''), NEW.choice_id, 1
        FROM response r WHERE r.id = NEW.response_id
        ON CONFLICT DO UPDATE SET count = count + 1;
    END;
    CREATE TRIGGER choice_changed AFTER UPDATE ON answer_choice
    WHEN OLD.response_id IS NOT NEW.response_id OR OLD.question_id IS NOT NEW.question_id
         OR OLD.choice_id IS NOT NEW.choice_id BEGIN
        UPDATE choice_tally SET count = count - 1
        WHERE (question_id, event_id, city, choice_id) = (SELECT OLD.question_id, r.event_id, coalesce(r.city, ''),
               OLD.choice_id FROM response r WHERE r.id = OLD.response_id);
        INSERT INTO choice_tally (question_id, event_id, city, choice_id, count)
        SELECT NEW.question_id, r.event_id, coalesce(r.city, ''), NEW.choice_id, 1
        FROM response r WHERE r.id = NEW.response_id
        ON CONFLICT DO UPDATE SET count = count + 1;
    END;
    CREATE TRIGGER choice_unpicked AFTER DELETE ON answer_choice BEGIN
        UPDATE choice_tally SET count = count - 1
        WHERE (question_id, event_id, city, choice_id) = (SELECT OLD.question_id, r.event_id, coalesce(r.city, ''),
               OLD.choice_id FROM response r WHERE r.id = OLD.response_id);
    END;
    """),
    # Each response's answers side by side, kept on the response by the triggers below as answers are written,
    # so that the spreadsheet reads one row per response instead of setting every answer side by side (a
    # GROUP BY over all of them) each time (see _ANSWERS_ROW for the form); and the free texts in the order the
    # report document lists them.
    Migration("each response's answers side by side, and the free texts in order, for the coordinators' files",
              f"""
    ALTER TABLE response ADD COLUMN answers TEXT;
    -- An event's responses with what the report document lists beside each free text, read from the index
    -- alone (the response rows themselves are wide).
    DROP INDEX response_event;
    CREATE INDEX response_event ON response (event_id, language, city);
    UPDATE response SET answers = {_ANSWERS_ROW.format(response="response.id")} WHERE started;
    CREATE TRIGGER answer_row_given AFTER INSERT ON answer BEGIN
        UPDATE response SET answers = {_ANSWERS_ROW.format(response="NEW.response_id")} WHERE id = NEW.response_id;
    END;
    CREATE TRIGGER answer_row_changed AFTER UPDATE OF number, text, skipped ON answer BEGIN
        UPDATE response SET answers = {_ANSWERS_ROW.format(response="NEW.response_id")} WHERE id = NEW.response_id;
    END;
    CREATE TRIGGER answer_row_taken_back AFTER DELETE ON answer BEGIN
        UPDATE response SET answers = {_ANSWERS_ROW.format(response="OLD.response_id")} WHERE id = OLD.response_id;
    END;
    CREATE TRIGGER choice_row_picked AFTER INSERT ON answer_choice BEGIN
        UPDATE response SET answers = {_ANSWERS_ROW.format(response="NEW.response_id")} WHERE id = NEW.response_id;
    END;
    CREATE TRIGGER choice_row_unpicked AFTER DELETE ON answer_choice BEGIN
        UPDATE response SET answers = {_ANSWERS_ROW.format(response="OLD.response_id")} WHERE id = OLD.response_id;
    END;
    -- The free-text answers again, kept in the order the report document lists them (question, event, when),
    -- so that it reads each event's texts as one stretch of the table instead of looking up every answer.
    CREATE TABLE answer_text (
        question_id  INTEGER NOT NULL,
        event_id     INTEGER NOT NULL,
        answered_at  TEXT NOT NULL,
        response_id  INTEGER NOT NULL,
        language     TEXT NOT NULL,
        city         TEXT,
        text         TEXT NOT NULL,
        PRIMARY KEY (question_id, event_id, answered_at, response_id)
    ) WITHOUT ROWID;
    INSERT INTO answer_text SELECT a.question_id, r.event_id, a.answered_at, a.response_id, r.language, r.city, a.text
        FROM answer a JOIN response r ON r.id = a.response_id WHERE a.skipped = 0 AND a.text IS NOT NULL;
    CREATE TRIGGER answer_text_given AFTER INSERT ON answer WHEN NEW.skipped = 0 AND NEW.text IS NOT NULL BEGIN
        INSERT INTO answer_text SELECT NEW.question_id, r.event_id, NEW.answered_at, NEW.response_id, r.language,
            r.city, NEW.text FROM response r WHERE r.id = NEW.response_id;
    END;
    CREATE TRIGGER answer_text_changed AFTER UPDATE OF question_id, response_id, text, skipped, answered_at ON answer
    BEGIN
        DELETE FROM answer_text WHERE (question_id, event_id, answered_at, response_id) =
            (SELECT OLD.question_id, r.event_id, OLD.answered_at, OLD.response_id FROM response r
             WHERE r.id = OLD.response_id);
        INSERT INTO answer_text SELECT NEW.question_id, r.event_id, NEW.answered_at, NEW.response_id, r.language,
            r.city, NEW.text FROM response r WHERE r.id = NEW.response_id AND NEW.skipped = 0 AND NEW.text IS NOT NULL;
    END;
    CREATE TRIGGER answer_text_taken_back AFTER DELETE ON answer WHEN OLD.text IS NOT NULL BEGIN
        DELETE FROM answer_text WHERE (question_id, event_id, answered_at, response_id) =
            (SELECT OLD.question_id, r.event_id, OLD.answered_at, OLD.response_id FROM response r
             WHERE r.id = OLD.response_id);
    END;
    -- A question added to or taken from a questionnaire: every answered response gets a place for it, or loses it.
    CREATE TRIGGER question_row_added AFTER INSERT ON question BEGIN
        UPDATE response SET answers = {_ANSWERS_ROW.format(response="response.id")}
        WHERE questionnaire_id = NEW.questionnaire_id AND started;
    END;
    CREATE TRIGGER question_row_removed AFTER DELETE ON question BEGIN
        UPDATE response SET answers = {_ANSWERS_ROW.format(response="response.id")}
        WHERE questionnaire_id = OLD.questionnaire_id AND started;
    END;
    """),
)
