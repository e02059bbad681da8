-- Meetings people and calendars can live with (issue 14): meetings open to the neighbourhood, and
-- members who are willing to facilitate or take notes (rotation suggests among them).

-- A listed CAN can open a whole series, or one meeting, to the neighbourhood: it then appears on
-- the CAN's public page and in its public feed, with what a newcomer can expect. A series'
-- occurrences are open when the series is; a meeting can also be opened on its own. Whether the
-- CAN is listed is checked when the public page or feed is read, so an invite-only CAN never
-- exposes anything even with the flag set.
ALTER TABLE meeting_series
    ADD COLUMN open_to_public boolean NOT NULL DEFAULT false,
    ADD COLUMN what_to_expect text NOT NULL DEFAULT '',
    ADD CONSTRAINT meeting_series_what_to_expect_len CHECK (char_length(what_to_expect) <= 2000);
ALTER TABLE meetings
    ADD COLUMN open_to_public boolean NOT NULL DEFAULT false,
    ADD COLUMN what_to_expect text NOT NULL DEFAULT '',
    ADD CONSTRAINT meetings_what_to_expect_len CHECK (char_length(what_to_expect) <= 2000);

-- The public page and feed read only open rows, through these.
CREATE INDEX meeting_series_open_idx ON meeting_series (can_id) WHERE open_to_public;
CREATE INDEX meetings_open_idx ON meetings (can_id, starts_at) WHERE open_to_public;

-- A choice on one's membership: "I am willing to facilitate / to take notes". Rotation suggests
-- among the willing (and those holding the facilitator role), not only role holders.
ALTER TABLE memberships
    ADD COLUMN willing_to_facilitate boolean NOT NULL DEFAULT false,
    ADD COLUMN willing_to_take_notes boolean NOT NULL DEFAULT false;
