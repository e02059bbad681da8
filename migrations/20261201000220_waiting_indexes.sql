-- "Waiting on you" (issue 15) reads, for one person, what is open in each of their CANs; each part
-- reaches its rows through an index on the CAN or on (CAN, person). Two parts were served only by
-- an index holding every row of their history; these hold just the rows still waiting.

-- A CAN's polls still open (a CAN keeps every poll it ever ran).
CREATE INDEX time_polls_open_idx ON time_polls (can_id) WHERE closed_at IS NULL;
-- Meetings whose minutes are still empty, by note-taker and end (a note-taker's history grows).
CREATE INDEX meetings_minutes_missing_idx ON meetings (note_taker_id, ends_at)
    WHERE btrim(minutes) = '';

-- The weekly digest for everyone who wants it (issue 15): one mail per person per week for all
-- their CANs. The row claims the week, so two instances never send it twice.
CREATE TABLE weekly_digests (
    member_id uuid NOT NULL REFERENCES members (id),
    week_of   date NOT NULL,
    sent_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT weekly_digests_pkey PRIMARY KEY (member_id, week_of)
);
-- What the digest tells: notifications a person chose to get in it, not mailed yet.
CREATE INDEX notifications_digest_idx ON notifications (member_id, created_at)
    WHERE delivery = 'digest' AND mailed_at IS NULL;
