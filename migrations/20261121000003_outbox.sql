-- The mail outbox: mail is written here in the same transaction as the change that causes it
-- (an invitation, a reminder), and a worker on any app instance sends it. A row is claimed for a
-- while (`claimed_until`) before it is sent, so that two workers never send the same mail.
CREATE TABLE outbox (
    id              uuid PRIMARY KEY,
    -- No foreign key: the record of a mail outlives the CAN it was about.
    can_id          uuid,
    to_address      text NOT NULL,
    subject         text NOT NULL,
    body_text       text NOT NULL,
    -- Set by callers that must write a mail at most once (e.g. one per invitation).
    dedupe_key      text,
    status          text NOT NULL DEFAULT 'pending',
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    claimed_until   timestamptz,
    last_error      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz,
    CONSTRAINT outbox_dedupe_key_key UNIQUE (dedupe_key),
    CONSTRAINT outbox_status CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    CONSTRAINT outbox_sent_at CHECK ((status = 'sent') = (sent_at IS NOT NULL)),
    CONSTRAINT outbox_attempts CHECK (attempts >= 0)
);
CREATE INDEX outbox_can_id_idx ON outbox (can_id);
-- The worker's claim query looks only at mail not yet done, oldest first.
CREATE INDEX outbox_due_idx ON outbox (created_at, id) WHERE status IN ('pending', 'sending');
