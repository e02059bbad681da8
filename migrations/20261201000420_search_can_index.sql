-- The search index's CAN key gets a plain btree too: the GIN index serves word searches, but a
-- CAN's rows are also read by CAN alone (re-indexing when its language changes, and the foreign
-- key's check when a CAN goes), which a btree answers without scanning GIN posting lists.
CREATE INDEX search_entries_can_idx ON search_entries (can_id, created_at DESC);
