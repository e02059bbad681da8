-- The stage guide and health: configurable thresholds per CAN, the stage transition log, check-ins
-- after meetings, reaching out to drifting members, load snapshots over time, and the weekly digest.

ALTER TABLE cans
    ADD COLUMN hope_share_percent smallint NOT NULL DEFAULT 50,
    ADD COLUMN hope_min smallint NOT NULL DEFAULT 3,
    ADD COLUMN held_meetings_min smallint NOT NULL DEFAULT 3,
    ADD COLUMN drift_missed smallint NOT NULL DEFAULT 3,
    ADD COLUMN drift_weeks smallint NOT NULL DEFAULT 6,
    ADD CONSTRAINT cans_thresholds CHECK (
        hope_share_percent BETWEEN 1 AND 100 AND hope_min BETWEEN 1 AND 50
        AND held_meetings_min BETWEEN 1 AND 50 AND drift_missed BETWEEN 1 AND 20
        AND drift_weeks BETWEEN 1 AND 52);

ALTER TABLE members ADD COLUMN weekly_digest boolean NOT NULL DEFAULT true;

CREATE TABLE stage_transitions (
    id           uuid PRIMARY KEY,
    can_id       uuid NOT NULL REFERENCES cans (id),
    from_stage   text NOT NULL,
    to_stage     text NOT NULL,
    moved_by     uuid NOT NULL REFERENCES members (id),
    moved_at     timestamptz NOT NULL DEFAULT now(),
    note         text NOT NULL DEFAULT '',
    criteria_met boolean NOT NULL,
    CONSTRAINT stage_transitions_stages CHECK (
        from_stage IN ('visioning', 'organizing', 'sustaining') AND to_stage IN ('visioning', 'organizing', 'sustaining'))
);
CREATE INDEX stage_transitions_can_idx ON stage_transitions (can_id, moved_at);

-- Five 1-5 scores after a held meeting, from someone who was there; shown only as averages.
CREATE TABLE check_ins (
    meeting_id  uuid NOT NULL,
    can_id      uuid NOT NULL,
    member_id   uuid NOT NULL,
    zest        smallint NOT NULL,
    able_to_act smallint NOT NULL,
    clarity     smallint NOT NULL,
    worth       smallint NOT NULL,
    connection  smallint NOT NULL,
    note        text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (meeting_id, member_id),
    CONSTRAINT check_ins_attendee_fkey FOREIGN KEY (meeting_id, member_id)
        REFERENCES attendance (meeting_id, member_id) ON DELETE CASCADE,
    CONSTRAINT check_ins_meeting_fkey FOREIGN KEY (meeting_id, can_id) REFERENCES meetings (id, can_id),
    CONSTRAINT check_ins_scores CHECK (
        zest BETWEEN 1 AND 5 AND able_to_act BETWEEN 1 AND 5 AND clarity BETWEEN 1 AND 5
        AND worth BETWEEN 1 AND 5 AND connection BETWEEN 1 AND 5)
);

CREATE TABLE reach_outs (
    id         uuid PRIMARY KEY,
    can_id     uuid NOT NULL,
    member_id  uuid NOT NULL,
    by_id      uuid NOT NULL REFERENCES members (id),
    at         timestamptz NOT NULL DEFAULT now(),
    note       text NOT NULL DEFAULT '',
    CONSTRAINT reach_outs_membership_fkey FOREIGN KEY (can_id, member_id)
        REFERENCES memberships (can_id, member_id)
);
CREATE INDEX reach_outs_member_idx ON reach_outs (can_id, member_id, at DESC);

CREATE TABLE load_snapshots (
    can_id       uuid NOT NULL REFERENCES cans (id),
    taken_on     date NOT NULL,
    median       double precision NOT NULL,
    overburdened integer NOT NULL,
    idle         integer NOT NULL,
    single_points integer NOT NULL,
    PRIMARY KEY (can_id, taken_on)
);

-- One digest per recipient per CAN per week.
CREATE TABLE digests (
    can_id    uuid NOT NULL REFERENCES cans (id),
    member_id uuid NOT NULL REFERENCES members (id),
    week_of   date NOT NULL,
    sent_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (can_id, member_id, week_of)
);
