-- Visioning: hopes, numbered vision versions drawing on hopes, consent rounds with answers and
-- their history, the adopted vision, and goals derived from it.

-- Quorum for adoption as a fraction of active members (default two thirds), kept exact.
ALTER TABLE cans
    ADD COLUMN quorum_num smallint NOT NULL DEFAULT 2,
    ADD COLUMN quorum_den smallint NOT NULL DEFAULT 3,
    ADD CONSTRAINT cans_quorum CHECK (quorum_den BETWEEN 1 AND 100 AND quorum_num BETWEEN 1 AND quorum_den);

CREATE TABLE hopes (
    id           uuid PRIMARY KEY,
    can_id       uuid NOT NULL,
    author_id    uuid NOT NULL,
    body         text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    withdrawn_at timestamptz,
    CONSTRAINT hopes_membership_fkey FOREIGN KEY (can_id, author_id)
        REFERENCES memberships (can_id, member_id),
    CONSTRAINT hopes_body_length CHECK (char_length(body) BETWEEN 1 AND 500),
    CONSTRAINT hopes_id_can_key UNIQUE (id, can_id)
);
CREATE INDEX hopes_can_idx ON hopes (can_id, created_at);
CREATE TRIGGER hopes_updated_at BEFORE UPDATE ON hopes
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE vision_versions (
    id          uuid PRIMARY KEY,
    can_id      uuid NOT NULL REFERENCES cans (id),
    number      integer NOT NULL,
    body        text NOT NULL,
    note        text NOT NULL DEFAULT '',
    author_id   uuid NOT NULL REFERENCES members (id),
    based_on    integer,
    created_at  timestamptz NOT NULL DEFAULT now(),
    adopted_at  timestamptz,
    CONSTRAINT vision_versions_number_key UNIQUE (can_id, number),
    CONSTRAINT vision_versions_id_can_key UNIQUE (id, can_id),
    CONSTRAINT vision_versions_body_length CHECK (char_length(body) BETWEEN 1 AND 10000)
);

-- Which hopes a version draws on (both of the same CAN, enforced by the composite keys).
CREATE TABLE vision_version_hopes (
    version_id uuid NOT NULL,
    hope_id    uuid NOT NULL,
    can_id     uuid NOT NULL,
    PRIMARY KEY (version_id, hope_id),
    CONSTRAINT vision_version_hopes_version_fkey FOREIGN KEY (version_id, can_id)
        REFERENCES vision_versions (id, can_id),
    CONSTRAINT vision_version_hopes_hope_fkey FOREIGN KEY (hope_id, can_id)
        REFERENCES hopes (id, can_id)
);

CREATE TABLE consent_rounds (
    id                  uuid PRIMARY KEY,
    can_id              uuid NOT NULL,
    version_id          uuid NOT NULL,
    opened_by           uuid NOT NULL REFERENCES members (id),
    opened_at           timestamptz NOT NULL DEFAULT now(),
    closes_at           timestamptz NOT NULL,
    closed_at           timestamptz,
    closed_by           uuid REFERENCES members (id),
    outcome             text,
    quorum_num          smallint NOT NULL,
    quorum_den          smallint NOT NULL,
    active_at_close     integer,
    answered_at_close   integer,
    endorse_at_close    integer,
    stand_aside_at_close integer,
    object_at_close     integer,
    reminder_sent_at    timestamptz,
    CONSTRAINT consent_rounds_version_fkey FOREIGN KEY (version_id, can_id)
        REFERENCES vision_versions (id, can_id),
    CONSTRAINT consent_rounds_id_can_key UNIQUE (id, can_id),
    CONSTRAINT consent_rounds_outcome CHECK (
        (closed_at IS NULL AND outcome IS NULL)
        OR (closed_at IS NOT NULL AND outcome IN ('adopted', 'blocked', 'no_quorum'))),
    CONSTRAINT consent_rounds_closes_after_opening CHECK (closes_at > opened_at)
);
-- One open round per CAN at a time.
CREATE UNIQUE INDEX consent_rounds_one_open_key ON consent_rounds (can_id) WHERE closed_at IS NULL;
CREATE INDEX consent_rounds_due_idx ON consent_rounds (closes_at) WHERE closed_at IS NULL;

CREATE TABLE consent_answers (
    round_id    uuid NOT NULL,
    can_id      uuid NOT NULL,
    member_id   uuid NOT NULL,
    answer      text NOT NULL,
    reason      text NOT NULL DEFAULT '',
    answered_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (round_id, member_id),
    CONSTRAINT consent_answers_round_fkey FOREIGN KEY (round_id, can_id)
        REFERENCES consent_rounds (id, can_id),
    CONSTRAINT consent_answers_membership_fkey FOREIGN KEY (can_id, member_id)
        REFERENCES memberships (can_id, member_id),
    CONSTRAINT consent_answers_answer CHECK (answer IN ('endorse', 'stand_aside', 'object')),
    CONSTRAINT consent_answers_objection_reason CHECK (answer <> 'object' OR char_length(btrim(reason)) > 0)
);

-- Every answer ever given, so a withdrawn objection stays on the record.
CREATE TABLE consent_answer_history (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    round_id    uuid NOT NULL,
    can_id      uuid NOT NULL,
    member_id   uuid NOT NULL,
    answer      text NOT NULL,
    reason      text NOT NULL DEFAULT '',
    answered_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT consent_answer_history_round_fkey FOREIGN KEY (round_id, can_id)
        REFERENCES consent_rounds (id, can_id)
);
CREATE INDEX consent_answer_history_round_idx ON consent_answer_history (round_id, id);

ALTER TABLE cans
    ADD COLUMN vision_version_id uuid,
    ADD COLUMN vision_adopted_at timestamptz,
    ADD COLUMN vision_review_on date,
    ADD CONSTRAINT cans_vision_version_fkey FOREIGN KEY (vision_version_id, id)
        REFERENCES vision_versions (id, can_id);

CREATE TABLE goals (
    id                uuid PRIMARY KEY,
    can_id            uuid NOT NULL REFERENCES cans (id),
    title             text NOT NULL,
    description       text NOT NULL DEFAULT '',
    status            text NOT NULL DEFAULT 'active',
    vision_version_id uuid,
    created_by        uuid NOT NULL REFERENCES members (id),
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT goals_status CHECK (status IN ('active', 'achieved', 'set_aside')),
    CONSTRAINT goals_title_length CHECK (char_length(title) BETWEEN 1 AND 120),
    CONSTRAINT goals_vision_fkey FOREIGN KEY (vision_version_id, can_id)
        REFERENCES vision_versions (id, can_id),
    CONSTRAINT goals_id_can_key UNIQUE (id, can_id)
);
CREATE INDEX goals_can_idx ON goals (can_id, created_at);
CREATE TRIGGER goals_updated_at BEFORE UPDATE ON goals
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
