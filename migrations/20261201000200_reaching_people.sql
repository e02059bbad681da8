-- Reaching people: asks that can be answered (offers), one notification per person per event with
-- an inbox, per-kind mail preferences, and the record of which notification mails went out (for
-- the hourly limit). Mails become multipart with a one-click unsubscribe link.

-- An ask to carry or back up a responsibility, or a carrier's hand-off, waiting for the person
-- asked to accept or decline. Until accepted nothing changes on the board but "offered to …".
CREATE TABLE offers (
    id                uuid PRIMARY KEY,
    can_id            uuid NOT NULL,
    responsibility_id uuid NOT NULL,
    -- 'carrier' / 'backup': a coordinator's ask; 'handoff': the carrier hands it on.
    kind              text NOT NULL,
    from_member       uuid NOT NULL,
    to_member         uuid NOT NULL,
    -- The asker's word to them (a hand-off's note goes to the receiver's holding).
    note              text NOT NULL DEFAULT '',
    -- A hand-off's days of carrying it together, counted from the day it is accepted.
    overlap_days      smallint NOT NULL DEFAULT 0,
    status            text NOT NULL DEFAULT 'open',
    -- The answer's reason (a decline's "why"), optional.
    reason            text NOT NULL DEFAULT '',
    created_at        timestamptz NOT NULL DEFAULT now(),
    expires_at        timestamptz NOT NULL,
    answered_at       timestamptz,
    CONSTRAINT offers_responsibility_fkey FOREIGN KEY (responsibility_id, can_id)
        REFERENCES responsibilities (id, can_id),
    CONSTRAINT offers_from_fkey FOREIGN KEY (can_id, from_member)
        REFERENCES memberships (can_id, member_id),
    CONSTRAINT offers_to_fkey FOREIGN KEY (can_id, to_member)
        REFERENCES memberships (can_id, member_id),
    CONSTRAINT offers_kind CHECK (kind IN ('carrier', 'backup', 'handoff')),
    CONSTRAINT offers_status CHECK (status IN ('open', 'accepted', 'declined', 'withdrawn', 'expired')),
    CONSTRAINT offers_overlap_days CHECK (overlap_days BETWEEN 0 AND 60),
    CONSTRAINT offers_note_length CHECK (char_length(note) <= 1000),
    CONSTRAINT offers_reason_length CHECK (char_length(reason) <= 1000),
    CONSTRAINT offers_answered CHECK ((status = 'open') = (answered_at IS NULL)),
    CONSTRAINT offers_expires_after_created CHECK (expires_at > created_at)
);
-- One open ask per responsibility and person: asking twice is the same ask.
CREATE UNIQUE INDEX offers_one_open_key ON offers (responsibility_id, to_member) WHERE status = 'open';
CREATE INDEX offers_responsibility_idx ON offers (responsibility_id, can_id);
-- "Waiting on you" and the inbox of asks: what is offered to this person.
CREATE INDEX offers_to_idx ON offers (can_id, to_member, status);
CREATE INDEX offers_from_idx ON offers (can_id, from_member);
-- The expiry clock looks only at open offers.
CREATE INDEX offers_expiry_idx ON offers (expires_at) WHERE status = 'open';

-- One row per recipient per event, written in the transaction of the change.
CREATE TABLE notifications (
    id          uuid PRIMARY KEY,
    member_id   uuid NOT NULL REFERENCES members (id),
    -- No foreign key to the CAN's rows beyond the CAN: the line and link are what is kept.
    can_id      uuid REFERENCES cans (id),
    kind        text NOT NULL,
    -- What the inbox shows and the mail's subject says, e.g. "Ana asked you to carry “Flyers”".
    line        text NOT NULL,
    -- A path on this site.
    link        text NOT NULL,
    -- How it reaches them by mail, decided from their preferences when it was written.
    delivery    text NOT NULL,
    -- Makes a retried change write nothing twice for the same person.
    dedupe_key  text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    read_at     timestamptz,
    -- When it went out by mail (alone or folded into a "meanwhile" mail or a digest).
    mailed_at   timestamptz,
    CONSTRAINT notifications_dedupe_key UNIQUE (member_id, dedupe_key),
    CONSTRAINT notifications_kind CHECK (kind IN (
        'join_requested', 'join_answered',
        'offer_made', 'offer_answered', 'offer_expired',
        'poll_opened', 'poll_closed',
        'meeting_moved', 'meeting_cancelled', 'series_changed',
        'round_opened', 'round_closing', 'round_closed',
        'role_granted', 'role_term',
        'reach_out')),
    CONSTRAINT notifications_delivery CHECK (delivery IN ('now', 'digest', 'off')),
    CONSTRAINT notifications_line_length CHECK (char_length(line) BETWEEN 1 AND 300),
    CONSTRAINT notifications_link_path CHECK (link LIKE '/%')
);
-- The inbox, newest first.
CREATE INDEX notifications_member_idx ON notifications (member_id, created_at DESC);
-- The header's unread count, read with every signed-in page.
CREATE INDEX notifications_unread_idx ON notifications (member_id) WHERE read_at IS NULL;
-- Immediate mails held back by the hourly limit, for the "meanwhile" clock.
CREATE INDEX notifications_waiting_idx ON notifications (member_id, created_at)
    WHERE delivery = 'now' AND mailed_at IS NULL;
CREATE INDEX notifications_can_idx ON notifications (can_id);

-- A member's choice per kind; no row means the kind's default (see src/notifications/kind.rs).
CREATE TABLE notification_prefs (
    member_id  uuid NOT NULL REFERENCES members (id),
    kind       text NOT NULL,
    delivery   text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT notification_prefs_pkey PRIMARY KEY (member_id, kind),
    CONSTRAINT notification_prefs_delivery CHECK (delivery IN ('now', 'digest', 'off'))
);

-- Each notification mail sent to a person (alone or a "meanwhile" fold): the hourly limit counts
-- these.
CREATE TABLE notification_mails (
    id        uuid PRIMARY KEY,
    member_id uuid NOT NULL REFERENCES members (id),
    sent_at   timestamptz NOT NULL DEFAULT now(),
    -- How many notifications the mail carried (1 alone, more when folded).
    carried   integer NOT NULL DEFAULT 1,
    CONSTRAINT notification_mails_carried CHECK (carried >= 1)
);
CREATE INDEX notification_mails_member_idx ON notification_mails (member_id, sent_at);

-- Multipart mail: an HTML part beside the text, and the one-click unsubscribe address (RFC 8058).
ALTER TABLE outbox ADD COLUMN body_html text;
ALTER TABLE outbox ADD COLUMN unsubscribe_url text;

-- The key that signs unsubscribe links, shared by every instance (like the CSRF key).
INSERT INTO app_secrets (name, secret)
VALUES ('mail_links', decode(replace(gen_random_uuid()::text || gen_random_uuid()::text
                                     || gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 'hex'));
