-- Visitors who say "I'll come" to a meeting a listed CAN has opened to the neighbourhood (issue 14).
-- No account: a name and an email address, confirmed through a single-use link mailed to that
-- address (only the link's SHA-256 hash is kept, as for password resets and calendar links). The
-- rows are personal data of people who are not members, so the clock deletes them some weeks
-- after the meeting (`src/meetings/guests.rs`, GUEST_DATA_KEPT_DAYS).
CREATE TABLE meeting_guests (
    id               uuid NOT NULL,
    can_id           uuid NOT NULL,
    meeting_id       uuid NOT NULL,
    name             text NOT NULL,
    email            text NOT NULL,
    token_hash       bytea NOT NULL,
    confirmed_at     timestamptz,
    cancelled_at     timestamptz,
    reminder_sent_at timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT meeting_guests_pkey PRIMARY KEY (id),
    CONSTRAINT meeting_guests_meeting_fkey FOREIGN KEY (meeting_id, can_id)
        REFERENCES meetings (id, can_id) ON DELETE CASCADE,
    CONSTRAINT meeting_guests_token_hash_key UNIQUE (token_hash),
    CONSTRAINT meeting_guests_name_len CHECK (char_length(btrim(name)) BETWEEN 1 AND 100),
    CONSTRAINT meeting_guests_email_len CHECK (char_length(email) BETWEEN 3 AND 254),
    CONSTRAINT meeting_guests_token_hash_len CHECK (octet_length(token_hash) = 32)
);

-- One guest per address per meeting: asking twice re-sends the confirmation. The index also
-- serves the foreign key (it leads with meeting_id) and the meeting page's list of guests.
CREATE UNIQUE INDEX meeting_guests_meeting_email_key ON meeting_guests (meeting_id, lower(email));

-- The reminder job's work: confirmed guests not yet reminded (a handful at any time).
CREATE INDEX meeting_guests_due_reminder_idx ON meeting_guests (meeting_id)
    WHERE confirmed_at IS NOT NULL AND cancelled_at IS NULL AND reminder_sent_at IS NULL;

-- Guests' sign-ups are rate limited like sign-ups (src/rate.rs): per client address and per
-- email address.
ALTER TABLE rate_events DROP CONSTRAINT rate_events_scope;
ALTER TABLE rate_events ADD CONSTRAINT rate_events_scope CHECK (scope IN (
    'sign_in_account',          -- failed sign-ins for an account, from anywhere
    'sign_in_account_address',  -- failed sign-ins for an account from one address
    'sign_in_address',          -- failed sign-ins from one address, for any account
    'sign_up_address',          -- accounts made from one address
    'sign_up',                  -- accounts made, from anywhere
    'guest_address',            -- "I'll come" sign-ups from one client address
    'guest_email'               -- "I'll come" sign-ups for one email address
));
