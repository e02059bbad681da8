-- Distributed responsibilities: who carries what, with backups, hand-offs kept as history, a load
-- estimate per responsibility, progress notes, and reminder bookkeeping.

CREATE TABLE responsibilities (
    id                      uuid PRIMARY KEY,
    can_id                  uuid NOT NULL REFERENCES cans (id),
    title                   text NOT NULL,
    description             text NOT NULL DEFAULT '',
    kind                    text NOT NULL,
    goal_id                 uuid,
    cadence                 text NOT NULL DEFAULT '',
    due_on                  date,
    term_ends_on            date,
    effort                  smallint NOT NULL DEFAULT 1,
    status                  text NOT NULL DEFAULT 'open',
    version                 integer NOT NULL DEFAULT 0,
    action_item_id          uuid REFERENCES action_items (id),
    created_by              uuid NOT NULL REFERENCES members (id),
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now(),
    due_reminder_sent_at    timestamptz,
    overdue_reminder_sent_at timestamptz,
    term_reminder_sent_at   timestamptz,
    CONSTRAINT responsibilities_id_can_key UNIQUE (id, can_id),
    CONSTRAINT responsibilities_goal_fkey FOREIGN KEY (goal_id, can_id) REFERENCES goals (id, can_id),
    CONSTRAINT responsibilities_kind CHECK (kind IN ('ongoing', 'task')),
    CONSTRAINT responsibilities_status CHECK (status IN ('open', 'active', 'done', 'dropped')),
    CONSTRAINT responsibilities_effort CHECK (effort BETWEEN 1 AND 5),
    CONSTRAINT responsibilities_title_length CHECK (char_length(title) BETWEEN 3 AND 120),
    CONSTRAINT responsibilities_action_item_key UNIQUE (action_item_id)
);
CREATE INDEX responsibilities_can_idx ON responsibilities (can_id, status);
CREATE TRIGGER responsibilities_updated_at BEFORE UPDATE ON responsibilities
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- Every holding of a responsibility, current or past. A hand-off with overlap ends the old holding
-- in the future; "current" means started and not yet ended.
CREATE TABLE carriers (
    id                uuid PRIMARY KEY,
    can_id            uuid NOT NULL,
    responsibility_id uuid NOT NULL,
    member_id         uuid NOT NULL,
    kind              text NOT NULL,
    from_at           timestamptz NOT NULL DEFAULT now(),
    until_at          timestamptz,
    arranged_by       uuid REFERENCES members (id),
    assigned          boolean NOT NULL DEFAULT false,
    ended_how         text,
    note              text NOT NULL DEFAULT '',
    CONSTRAINT carriers_responsibility_fkey FOREIGN KEY (responsibility_id, can_id)
        REFERENCES responsibilities (id, can_id),
    CONSTRAINT carriers_membership_fkey FOREIGN KEY (can_id, member_id)
        REFERENCES memberships (can_id, member_id),
    CONSTRAINT carriers_kind CHECK (kind IN ('carrier', 'backup')),
    CONSTRAINT carriers_ended_how CHECK (ended_how IS NULL OR ended_how IN ('declined', 'handed_off', 'stepped_down', 'finished', 'left')),
    CONSTRAINT carriers_until_after_from CHECK (until_at IS NULL OR until_at >= from_at)
);
CREATE UNIQUE INDEX carriers_one_open_key ON carriers (responsibility_id, member_id) WHERE until_at IS NULL;
CREATE INDEX carriers_member_idx ON carriers (can_id, member_id);

CREATE TABLE progress_notes (
    id                uuid PRIMARY KEY,
    can_id            uuid NOT NULL,
    responsibility_id uuid NOT NULL,
    author_id         uuid NOT NULL REFERENCES members (id),
    body              text NOT NULL,
    status_change     text,
    created_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT progress_notes_responsibility_fkey FOREIGN KEY (responsibility_id, can_id)
        REFERENCES responsibilities (id, can_id)
);
CREATE INDEX progress_notes_responsibility_idx ON progress_notes (responsibility_id, created_at);
