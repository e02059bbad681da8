-- "Waiting on you" (issue 15) reads, for one person, what is open in each of their CANs; each part
-- reaches its rows through an index on the CAN or on (CAN, person). Two parts were served only by
-- an index holding every row of their history; these hold just the rows still waiting.

-- A CAN's polls still open (a CAN keeps every poll it ever ran).
CREATE INDEX time_polls_open_idx ON time_polls (can_id) WHERE closed_at IS NULL;
-- Meetings whose minutes are still empty, by note-taker and end (a note-taker's history grows).
CREATE INDEX meetings_minutes_missing_idx ON meetings (note_taker_id, ends_at)
    WHERE btrim(minutes) = '';
