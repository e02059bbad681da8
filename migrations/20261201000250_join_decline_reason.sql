-- Organisers may say why they declined a request to join; the person who asked reads it in their
-- notification.
ALTER TABLE join_requests ADD COLUMN decline_reason text NOT NULL DEFAULT '';
ALTER TABLE join_requests ADD CONSTRAINT join_requests_decline_reason_length
    CHECK (char_length(decline_reason) <= 500);
