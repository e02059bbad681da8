-- When someone who runs the meeting last ordered its agenda (moved, settled an item, or said the
-- order is right): "agenda proposals to order" on their waiting list counts only proposals made
-- after it, so the item goes away once answered.
ALTER TABLE meetings ADD COLUMN agenda_reviewed_at timestamptz;
