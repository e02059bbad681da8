-- The person asked hears when an ask to them is taken back (withdrawn by the asker, or void
-- because the responsibility was closed or the asker left): a new notification kind.
ALTER TABLE notifications DROP CONSTRAINT notifications_kind;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind CHECK (kind IN (
    'join_requested', 'join_answered',
    'offer_made', 'offer_answered', 'offer_expired', 'offer_withdrawn',
    'poll_opened', 'poll_closed',
    'meeting_moved', 'meeting_cancelled', 'series_changed',
    'round_opened', 'round_closing', 'round_closed',
    'role_granted', 'role_term',
    'reach_out'));

-- The fuller text a notification was written with (a reach-out's word, a moved meeting's time in
-- the recipient's zone), kept so the inbox shows it whether or not it went out by mail.
ALTER TABLE notifications ADD COLUMN detail text;
ALTER TABLE notifications ADD CONSTRAINT notifications_detail_length
    CHECK (detail IS NULL OR char_length(detail) <= 4000);
