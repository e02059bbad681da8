-- Meetings: regular series (an RFC 5545 RRULE in the CAN's zone) materialised into occurrences a
-- bounded horizon ahead, one-off meetings, agendas, RSVPs, attendance, minutes, decisions, action
-- items, time polls for finding a slot, and private calendar feed tokens.

CREATE TABLE meeting_series (
    id                 uuid PRIMARY KEY,
    can_id             uuid NOT NULL REFERENCES cans (id),
    title              text NOT NULL,
    rrule              text NOT NULL,
    starts_on          date NOT NULL,
    until_on           date,
    start_time         time NOT NULL,
    duration_minutes   integer NOT NULL,
    time_zone          text NOT NULL,
    location           text NOT NULL DEFAULT '',
    agenda_template    text NOT NULL DEFAULT '',
    rotate_roles       boolean NOT NULL DEFAULT true,
    materialised_until date,
    created_by         uuid NOT NULL REFERENCES members (id),
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT meeting_series_id_can_key UNIQUE (id, can_id),
    CONSTRAINT meeting_series_duration CHECK (duration_minutes BETWEEN 5 AND 720),
    CONSTRAINT meeting_series_until CHECK (until_on IS NULL OR until_on >= starts_on)
);
CREATE TRIGGER meeting_series_updated_at BEFORE UPDATE ON meeting_series
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE meetings (
    id                       uuid PRIMARY KEY,
    can_id                   uuid NOT NULL REFERENCES cans (id),
    series_id                uuid,
    occurrence_on            date,
    title                    text NOT NULL,
    starts_at                timestamptz NOT NULL,
    ends_at                  timestamptz NOT NULL,
    location                 text NOT NULL DEFAULT '',
    status                   text NOT NULL DEFAULT 'scheduled',
    moved                    boolean NOT NULL DEFAULT false,
    sequence                 integer NOT NULL DEFAULT 0,
    facilitator_id           uuid REFERENCES members (id),
    note_taker_id            uuid REFERENCES members (id),
    minutes                  text NOT NULL DEFAULT '',
    minutes_version          integer NOT NULL DEFAULT 0,
    minutes_updated_by       uuid REFERENCES members (id),
    minutes_updated_at       timestamptz,
    carried_forward          boolean NOT NULL DEFAULT false,
    reminder_sent_at         timestamptz,
    minutes_reminder_sent_at timestamptz,
    created_at               timestamptz NOT NULL DEFAULT now(),
    updated_at               timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT meetings_series_fkey FOREIGN KEY (series_id, can_id)
        REFERENCES meeting_series (id, can_id),
    CONSTRAINT meetings_id_can_key UNIQUE (id, can_id),
    CONSTRAINT meetings_occurrence_key UNIQUE (series_id, occurrence_on),
    CONSTRAINT meetings_status CHECK (status IN ('scheduled', 'cancelled', 'held')),
    CONSTRAINT meetings_ends_after_start CHECK (ends_at > starts_at),
    CONSTRAINT meetings_not_too_long CHECK (ends_at - starts_at <= interval '12 hours')
);
CREATE INDEX meetings_can_time_idx ON meetings (can_id, starts_at);
CREATE INDEX meetings_due_idx ON meetings (starts_at) WHERE status = 'scheduled';
CREATE TRIGGER meetings_updated_at BEFORE UPDATE ON meetings
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE agenda_items (
    id             uuid PRIMARY KEY,
    can_id         uuid NOT NULL,
    meeting_id     uuid NOT NULL,
    position       integer NOT NULL,
    title          text NOT NULL,
    owner_id       uuid REFERENCES members (id),
    minutes_budget integer,
    status         text NOT NULL DEFAULT 'open',
    proposed_by    uuid NOT NULL REFERENCES members (id),
    carried_from   uuid REFERENCES agenda_items (id),
    created_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT agenda_items_meeting_fkey FOREIGN KEY (meeting_id, can_id)
        REFERENCES meetings (id, can_id) ON DELETE CASCADE,
    CONSTRAINT agenda_items_status CHECK (status IN ('open', 'done', 'dropped')),
    CONSTRAINT agenda_items_budget CHECK (minutes_budget IS NULL OR minutes_budget BETWEEN 1 AND 480)
);
CREATE INDEX agenda_items_meeting_idx ON agenda_items (meeting_id, position);

CREATE TABLE rsvps (
    meeting_id uuid NOT NULL,
    can_id     uuid NOT NULL,
    member_id  uuid NOT NULL,
    answer     text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (meeting_id, member_id),
    CONSTRAINT rsvps_meeting_fkey FOREIGN KEY (meeting_id, can_id)
        REFERENCES meetings (id, can_id) ON DELETE CASCADE,
    CONSTRAINT rsvps_membership_fkey FOREIGN KEY (can_id, member_id)
        REFERENCES memberships (can_id, member_id),
    CONSTRAINT rsvps_answer CHECK (answer IN ('yes', 'no', 'maybe'))
);

CREATE TABLE attendance (
    meeting_id  uuid NOT NULL,
    can_id      uuid NOT NULL,
    member_id   uuid NOT NULL,
    recorded_by uuid NOT NULL REFERENCES members (id),
    recorded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (meeting_id, member_id),
    CONSTRAINT attendance_meeting_fkey FOREIGN KEY (meeting_id, can_id)
        REFERENCES meetings (id, can_id) ON DELETE CASCADE,
    CONSTRAINT attendance_membership_fkey FOREIGN KEY (can_id, member_id)
        REFERENCES memberships (can_id, member_id)
);

CREATE TABLE decisions (
    id          uuid PRIMARY KEY,
    can_id      uuid NOT NULL,
    meeting_id  uuid NOT NULL,
    body        text NOT NULL,
    recorded_by uuid NOT NULL REFERENCES members (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT decisions_meeting_fkey FOREIGN KEY (meeting_id, can_id)
        REFERENCES meetings (id, can_id) ON DELETE CASCADE
);

CREATE TABLE action_items (
    id          uuid PRIMARY KEY,
    can_id      uuid NOT NULL,
    meeting_id  uuid NOT NULL,
    title       text NOT NULL,
    owner_id    uuid REFERENCES members (id),
    due_on      date,
    status      text NOT NULL DEFAULT 'open',
    created_by  uuid NOT NULL REFERENCES members (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    done_at     timestamptz,
    CONSTRAINT action_items_meeting_fkey FOREIGN KEY (meeting_id, can_id)
        REFERENCES meetings (id, can_id) ON DELETE CASCADE,
    CONSTRAINT action_items_status CHECK (status IN ('open', 'done'))
);
CREATE INDEX action_items_can_idx ON action_items (can_id, status);

CREATE TABLE time_polls (
    id         uuid PRIMARY KEY,
    can_id     uuid NOT NULL REFERENCES cans (id),
    title      text NOT NULL,
    duration_minutes integer NOT NULL DEFAULT 90,
    created_by uuid NOT NULL REFERENCES members (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    closed_at  timestamptz,
    series_id  uuid,
    CONSTRAINT time_polls_id_can_key UNIQUE (id, can_id),
    CONSTRAINT time_polls_series_fkey FOREIGN KEY (series_id, can_id)
        REFERENCES meeting_series (id, can_id)
);

CREATE TABLE time_poll_options (
    id         uuid PRIMARY KEY,
    can_id     uuid NOT NULL,
    poll_id    uuid NOT NULL,
    weekday    smallint NOT NULL,
    start_time time NOT NULL,
    position   integer NOT NULL,
    CONSTRAINT time_poll_options_poll_fkey FOREIGN KEY (poll_id, can_id)
        REFERENCES time_polls (id, can_id),
    CONSTRAINT time_poll_options_id_poll_key UNIQUE (id, poll_id),
    CONSTRAINT time_poll_options_weekday CHECK (weekday BETWEEN 1 AND 7)
);

CREATE TABLE time_poll_answers (
    option_id uuid NOT NULL,
    poll_id   uuid NOT NULL,
    can_id    uuid NOT NULL,
    member_id uuid NOT NULL,
    answer    text NOT NULL,
    PRIMARY KEY (option_id, member_id),
    CONSTRAINT time_poll_answers_option_fkey FOREIGN KEY (option_id, poll_id)
        REFERENCES time_poll_options (id, poll_id),
    CONSTRAINT time_poll_answers_membership_fkey FOREIGN KEY (can_id, member_id)
        REFERENCES memberships (can_id, member_id),
    CONSTRAINT time_poll_answers_answer CHECK (answer IN ('yes', 'if_need_be', 'no'))
);

-- A member's private calendar feed: the URL carries a token; only its hash is kept.
CREATE TABLE calendar_tokens (
    member_id  uuid PRIMARY KEY REFERENCES members (id),
    token_hash bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT calendar_tokens_token_hash_key UNIQUE (token_hash)
);
