-- Running a meeting from its agenda (issue 14, part 3): each item keeps when it was taken up and
-- when it was finished (the run view's clock), and a short note; decisions and action items
-- recorded while an item is under way belong to it.

-- At most one item of a meeting is under way (started, still open): the run view's "current item".
ALTER TABLE agenda_items
    ADD COLUMN started_at timestamptz,
    ADD COLUMN done_at    timestamptz,
    ADD COLUMN notes      text NOT NULL DEFAULT '',
    ADD CONSTRAINT agenda_items_notes_len CHECK (char_length(notes) <= 4000),
    ADD CONSTRAINT agenda_items_done_after_start CHECK (done_at IS NULL OR started_at IS NULL OR done_at >= started_at);
CREATE UNIQUE INDEX agenda_items_running_idx ON agenda_items (meeting_id)
    WHERE started_at IS NOT NULL AND status = 'open';

-- An item's decisions and actions outlive it as the meeting's (the link is cleared, not the row).
ALTER TABLE decisions
    ADD COLUMN agenda_item_id uuid CONSTRAINT decisions_agenda_item_fkey
        REFERENCES agenda_items (id) ON DELETE SET NULL;
CREATE INDEX decisions_agenda_item_idx ON decisions (agenda_item_id);
ALTER TABLE action_items
    ADD COLUMN agenda_item_id uuid CONSTRAINT action_items_agenda_item_fkey
        REFERENCES agenda_items (id) ON DELETE SET NULL;
CREATE INDEX action_items_agenda_item_idx ON action_items (agenda_item_id);
