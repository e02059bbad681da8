-- Role terms are enforced: a reminder before a term ends, the grant ended by the clock once its
-- term has passed (kept, with the organisers told, when it is the CAN's last active organiser),
-- and renewal as a new grant carrying the next term, so each term stays a row of history.

ALTER TABLE role_grants
    ADD COLUMN term_reminder_sent_at timestamptz,
    -- When the clock found the term passed but kept the grant (the last active organiser).
    ADD COLUMN term_kept_at timestamptz,
    -- How a grant ended when no one ended it by hand: NULL for an organiser ending it or its
    -- holder leaving; 'term_ended' by the clock (ended_by NULL); 'renewed' by a new grant.
    ADD COLUMN ended_how text,
    ADD CONSTRAINT role_grants_ended_how
        CHECK (ended_how IS NULL OR ended_how IN ('term_ended', 'renewed')),
    ADD CONSTRAINT role_grants_ended_how_only_when_ended
        CHECK (ended_how IS NULL OR ended_at IS NOT NULL),
    ADD CONSTRAINT role_grants_kept_only_with_a_term
        CHECK (term_kept_at IS NULL OR term_ends_on IS NOT NULL);

-- What the clock filters on: active grants by the day their term ends.
CREATE INDEX role_grants_term_ends_idx ON role_grants (term_ends_on)
    WHERE ended_at IS NULL AND term_ends_on IS NOT NULL;
