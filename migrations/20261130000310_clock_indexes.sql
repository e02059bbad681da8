-- The clocks select only what is due, through an index, so a tick costs the same with ten CANs
-- as with ten thousand when nothing is due. Each partial index holds exactly the rows a clock is
-- still to act on (the "not yet sent" stamp in its predicate), ordered by the time they fall due;
-- once a row is stamped it leaves the index.

-- A meeting's reminder the day before: scheduled meetings not yet reminded, by start.
CREATE INDEX meetings_reminder_due_idx ON meetings (starts_at)
    WHERE status = 'scheduled' AND reminder_sent_at IS NULL;

-- The note-taker's nudge after a meeting without minutes, by end.
CREATE INDEX meetings_minutes_due_idx ON meetings (ends_at)
    WHERE status IN ('held', 'scheduled') AND minutes_reminder_sent_at IS NULL
      AND btrim(minutes) = '';

-- Series whose occurrences must be extended towards the horizon.
CREATE INDEX meeting_series_materialised_idx ON meeting_series (materialised_until);

-- Responsibility reminders fall due on days in the CAN's zone (two days before a task's date,
-- the day after it, two weeks before a term ends). A responsibility carries the instant each
-- begins — the start of that day in its CAN's zone — kept by triggers below, so the clock finds
-- the due ones by a range on an instant instead of testing every row against its CAN's zone.
ALTER TABLE responsibilities
    ADD COLUMN due_soon_from      timestamptz,
    ADD COLUMN overdue_from       timestamptz,
    ADD COLUMN term_reminder_from timestamptz;

UPDATE responsibilities r
SET due_soon_from      = (r.due_on - 2)::timestamp AT TIME ZONE c.time_zone,
    overdue_from       = (r.due_on + 1)::timestamp AT TIME ZONE c.time_zone,
    term_reminder_from = (r.term_ends_on - 14)::timestamp AT TIME ZONE c.time_zone
FROM cans c WHERE c.id = r.can_id;

CREATE FUNCTION set_reminder_instants() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    zone text := (SELECT time_zone FROM cans WHERE id = NEW.can_id);
BEGIN
    NEW.due_soon_from := (NEW.due_on - 2)::timestamp AT TIME ZONE zone;
    NEW.overdue_from := (NEW.due_on + 1)::timestamp AT TIME ZONE zone;
    NEW.term_reminder_from := (NEW.term_ends_on - 14)::timestamp AT TIME ZONE zone;
    RETURN NEW;
END $$;
CREATE TRIGGER responsibilities_reminder_instants
    BEFORE INSERT OR UPDATE OF can_id, due_on, term_ends_on ON responsibilities
    FOR EACH ROW EXECUTE FUNCTION set_reminder_instants();

-- A CAN moving to another zone moves the instants of its responsibilities with it.
CREATE FUNCTION move_reminder_instants() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE responsibilities
    SET due_soon_from      = (due_on - 2)::timestamp AT TIME ZONE NEW.time_zone,
        overdue_from       = (due_on + 1)::timestamp AT TIME ZONE NEW.time_zone,
        term_reminder_from = (term_ends_on - 14)::timestamp AT TIME ZONE NEW.time_zone
    WHERE can_id = NEW.id;
    RETURN NULL;
END $$;
CREATE TRIGGER cans_zone_moves_reminders AFTER UPDATE OF time_zone ON cans
    FOR EACH ROW WHEN (OLD.time_zone IS DISTINCT FROM NEW.time_zone)
    EXECUTE FUNCTION move_reminder_instants();

-- One index per kind, holding the rows not yet reminded, by the instant the reminder is due.
CREATE INDEX responsibilities_due_soon_idx ON responsibilities (due_soon_from)
    WHERE kind = 'task' AND status IN ('open', 'active') AND due_reminder_sent_at IS NULL;
CREATE INDEX responsibilities_overdue_idx ON responsibilities (overdue_from)
    WHERE kind = 'task' AND status IN ('open', 'active') AND overdue_reminder_sent_at IS NULL;
CREATE INDEX responsibilities_term_due_idx ON responsibilities (term_reminder_from)
    WHERE kind = 'ongoing' AND status IN ('open', 'active') AND term_reminder_sent_at IS NULL;

-- A consent round's reminder a day before it closes.
CREATE INDEX consent_rounds_reminder_due_idx ON consent_rounds (closes_at)
    WHERE closed_at IS NULL AND reminder_sent_at IS NULL;

-- A role term's reminder two weeks before it ends (role_grants_term_ends_idx also holds the
-- grants already reminded).
CREATE INDEX role_grants_term_reminder_due_idx ON role_grants (term_ends_on)
    WHERE ended_at IS NULL AND term_ends_on IS NOT NULL AND term_reminder_sent_at IS NULL;

-- When each CAN's weekly and daily clock work is next due. The rule behind it (a week in UTC, a
-- day in the CAN's zone) cannot be indexed on the CAN itself, so the clock writes the next time
-- down when it has done the work, and finds due CANs by a range on these columns. A table of
-- its own rather than columns of `cans`: the clock's daily writes do not touch the row every
-- page reads, nor its `updated_at`. '-infinity': due at the next tick.
CREATE TABLE can_clocks (
    can_id               uuid PRIMARY KEY REFERENCES cans (id),
    -- The Monday from which the CAN's next weekly digest is due.
    digest_due_on        date NOT NULL DEFAULT '-infinity',
    -- The start of the CAN's next day (in its zone), when its next load snapshot is due.
    load_snapshot_due_at timestamptz NOT NULL DEFAULT '-infinity'
);
CREATE INDEX can_clocks_digest_due_idx ON can_clocks (digest_due_on);
CREATE INDEX can_clocks_load_snapshot_due_idx ON can_clocks (load_snapshot_due_at);

INSERT INTO can_clocks (can_id) SELECT id FROM cans;

-- Every CAN has its clock row from the moment it exists, however it was made (founding, seed).
CREATE FUNCTION add_can_clocks() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO can_clocks (can_id) VALUES (NEW.id);
    RETURN NULL;
END $$;
CREATE TRIGGER cans_add_clocks AFTER INSERT ON cans
    FOR EACH ROW EXECUTE FUNCTION add_can_clocks();
