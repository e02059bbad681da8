-- Everyday decisions by consent, and talking things through (issue 17).
--
-- Proposals reuse the vision's consent machinery: a proposal's consent round is a row of
-- `consent_rounds` that names the proposal instead of a vision version. A proposal can be amended
-- while its round is open; the round then decides on the newer text (`text_version`), and answers
-- given to an earlier text are kept (marked with the text they answered) but no longer counted.
-- An adopted proposal becomes a row of `decisions` (whose meeting is now optional), so the
-- decisions page lists the minutes' decisions and adopted proposals from one table.
-- Comments hang on exactly one subject of the same CAN (foreign keys with `can_id`, so a comment
-- can never point into another CAN).

CREATE TABLE proposals (
    id                uuid PRIMARY KEY,
    can_id            uuid NOT NULL REFERENCES cans (id),
    author_id         uuid NOT NULL,
    title             text NOT NULL,
    -- The current text; earlier ones are in proposal_versions (version 1 is the first).
    body              text NOT NULL,
    version           integer NOT NULL DEFAULT 1,
    -- open → adopted | not_adopted (an objection stood, or no quorum) | withdrawn (by its author
    -- or a facilitator, with a reason).
    status            text NOT NULL DEFAULT 'open',
    -- Optional links: what the proposal is about, and the meeting (and agenda item) where it was
    -- put; an adopted proposal linked to a meeting is recorded as that meeting's decision.
    goal_id           uuid,
    responsibility_id uuid,
    meeting_id        uuid,
    agenda_item_id    uuid CONSTRAINT proposals_agenda_item_fkey
                          REFERENCES agenda_items (id) ON DELETE SET NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    closed_at         timestamptz,
    withdrawn_by      uuid REFERENCES members (id),
    withdrawn_reason  text NOT NULL DEFAULT '',
    CONSTRAINT proposals_id_can_key UNIQUE (id, can_id),
    CONSTRAINT proposals_author_fkey FOREIGN KEY (can_id, author_id)
        REFERENCES memberships (can_id, member_id),
    CONSTRAINT proposals_goal_fkey FOREIGN KEY (goal_id, can_id) REFERENCES goals (id, can_id),
    CONSTRAINT proposals_responsibility_fkey FOREIGN KEY (responsibility_id, can_id)
        REFERENCES responsibilities (id, can_id),
    CONSTRAINT proposals_meeting_fkey FOREIGN KEY (meeting_id, can_id) REFERENCES meetings (id, can_id),
    CONSTRAINT proposals_title_length CHECK (char_length(btrim(title)) BETWEEN 1 AND 120),
    CONSTRAINT proposals_body_length CHECK (char_length(btrim(body)) BETWEEN 1 AND 5000),
    CONSTRAINT proposals_version_positive CHECK (version >= 1),
    CONSTRAINT proposals_status CHECK (status IN ('open', 'adopted', 'not_adopted', 'withdrawn')),
    CONSTRAINT proposals_closed_when_decided CHECK ((status = 'open') = (closed_at IS NULL)),
    CONSTRAINT proposals_withdrawn_by CHECK ((status = 'withdrawn') = (withdrawn_by IS NOT NULL)),
    CONSTRAINT proposals_agenda_item_with_meeting CHECK (agenda_item_id IS NULL OR meeting_id IS NOT NULL)
);
CREATE INDEX proposals_can_idx ON proposals (can_id, created_at DESC);
CREATE INDEX proposals_open_idx ON proposals (can_id) WHERE status = 'open';
CREATE INDEX proposals_author_idx ON proposals (can_id, author_id);
CREATE INDEX proposals_goal_idx ON proposals (goal_id);
CREATE INDEX proposals_responsibility_idx ON proposals (responsibility_id);
CREATE INDEX proposals_meeting_idx ON proposals (meeting_id);
CREATE INDEX proposals_agenda_item_idx ON proposals (agenda_item_id);
CREATE INDEX proposals_withdrawn_by_idx ON proposals (withdrawn_by);
CREATE TRIGGER proposals_updated_at BEFORE UPDATE ON proposals
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- Every text a proposal has had, with who wrote it and why it was amended.
CREATE TABLE proposal_versions (
    proposal_id uuid NOT NULL,
    can_id      uuid NOT NULL,
    number      integer NOT NULL,
    title       text NOT NULL,
    body        text NOT NULL,
    author_id   uuid NOT NULL REFERENCES members (id),
    -- What changed and why (empty for the first text).
    note        text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (proposal_id, number),
    CONSTRAINT proposal_versions_proposal_fkey FOREIGN KEY (proposal_id, can_id)
        REFERENCES proposals (id, can_id),
    CONSTRAINT proposal_versions_note_length CHECK (char_length(note) <= 1000)
);
CREATE INDEX proposal_versions_author_idx ON proposal_versions (author_id);
CREATE INDEX proposal_versions_can_idx ON proposal_versions (can_id);

-- A consent round is on a vision version or on a proposal, never both.
ALTER TABLE consent_rounds
    ALTER COLUMN version_id DROP NOT NULL,
    ADD COLUMN proposal_id uuid,
    -- The text being decided: a proposal's current version (always 1 for a vision round, whose
    -- version is fixed). Answers count only when given to this text.
    ADD COLUMN text_version integer NOT NULL DEFAULT 1,
    ADD CONSTRAINT consent_rounds_proposal_fkey FOREIGN KEY (proposal_id, can_id)
        REFERENCES proposals (id, can_id),
    ADD CONSTRAINT consent_rounds_subject CHECK ((version_id IS NULL) <> (proposal_id IS NULL)),
    DROP CONSTRAINT consent_rounds_outcome,
    -- 'withdrawn' ends a proposal's round without a decision.
    ADD CONSTRAINT consent_rounds_outcome CHECK (
        (closed_at IS NULL AND outcome IS NULL)
        OR (closed_at IS NOT NULL AND outcome IN ('adopted', 'blocked', 'no_quorum', 'withdrawn')));
-- One open VISION round per CAN; proposals run side by side, one round each.
DROP INDEX consent_rounds_one_open_key;
CREATE UNIQUE INDEX consent_rounds_one_open_key ON consent_rounds (can_id)
    WHERE closed_at IS NULL AND version_id IS NOT NULL;
CREATE UNIQUE INDEX consent_rounds_proposal_key ON consent_rounds (proposal_id);

-- The text version an answer was given to (kept when the proposal is amended: shown as an answer
-- to an earlier text, and its author asked to answer again).
ALTER TABLE consent_answers ADD COLUMN text_version integer NOT NULL DEFAULT 1;
ALTER TABLE consent_answer_history ADD COLUMN text_version integer NOT NULL DEFAULT 1;

-- The CAN's decisions: those recorded in a meeting's minutes, and adopted proposals (with or
-- without a meeting).
ALTER TABLE decisions
    ALTER COLUMN meeting_id DROP NOT NULL,
    ADD COLUMN proposal_id uuid,
    ADD CONSTRAINT decisions_proposal_fkey FOREIGN KEY (proposal_id, can_id)
        REFERENCES proposals (id, can_id),
    ADD CONSTRAINT decisions_proposal_key UNIQUE (proposal_id),
    ADD CONSTRAINT decisions_has_origin CHECK (meeting_id IS NOT NULL OR proposal_id IS NOT NULL);
CREATE INDEX decisions_can_idx ON decisions (can_id, created_at DESC);

-- Plain-text comments, each on exactly one thing of its CAN. A thread per objection is keyed by
-- the objector's answer in the round (vision or proposal).
CREATE TABLE comments (
    id                  uuid PRIMARY KEY,
    can_id              uuid NOT NULL REFERENCES cans (id),
    author_id           uuid NOT NULL,
    proposal_id         uuid,
    objection_round_id  uuid,
    objection_member_id uuid,
    hope_id             uuid,
    responsibility_id   uuid,
    meeting_id          uuid,
    body                text NOT NULL,
    created_at          timestamptz NOT NULL DEFAULT now(),
    -- The last edit; earlier texts are in comment_edits.
    edited_at           timestamptz,
    -- Deleted by its author: the body is kept for the log but shown as "comment removed".
    deleted_at          timestamptz,
    -- Hidden by an organiser for breaking the rules for participation, with the reason shown to
    -- the author; other members no longer see it; the row stays for the log.
    hidden_at           timestamptz,
    hidden_by           uuid REFERENCES members (id),
    hidden_reason       text NOT NULL DEFAULT '',
    CONSTRAINT comments_id_can_key UNIQUE (id, can_id),
    CONSTRAINT comments_author_fkey FOREIGN KEY (can_id, author_id)
        REFERENCES memberships (can_id, member_id),
    CONSTRAINT comments_proposal_fkey FOREIGN KEY (proposal_id, can_id)
        REFERENCES proposals (id, can_id),
    CONSTRAINT comments_objection_round_fkey FOREIGN KEY (objection_round_id, can_id)
        REFERENCES consent_rounds (id, can_id),
    CONSTRAINT comments_objection_fkey FOREIGN KEY (objection_round_id, objection_member_id)
        REFERENCES consent_answers (round_id, member_id),
    CONSTRAINT comments_hope_fkey FOREIGN KEY (hope_id, can_id) REFERENCES hopes (id, can_id),
    CONSTRAINT comments_responsibility_fkey FOREIGN KEY (responsibility_id, can_id)
        REFERENCES responsibilities (id, can_id),
    CONSTRAINT comments_meeting_fkey FOREIGN KEY (meeting_id, can_id)
        REFERENCES meetings (id, can_id) ON DELETE CASCADE,
    CONSTRAINT comments_one_subject CHECK (
        num_nonnulls(proposal_id, objection_round_id, hope_id, responsibility_id, meeting_id) = 1),
    CONSTRAINT comments_objection_pair CHECK ((objection_round_id IS NULL) = (objection_member_id IS NULL)),
    CONSTRAINT comments_body_length CHECK (char_length(btrim(body)) BETWEEN 1 AND 4000),
    CONSTRAINT comments_hidden CHECK (
        (hidden_at IS NULL AND hidden_by IS NULL)
        OR (hidden_at IS NOT NULL AND hidden_by IS NOT NULL AND char_length(btrim(hidden_reason)) BETWEEN 1 AND 500))
);
CREATE INDEX comments_proposal_idx ON comments (proposal_id, created_at);
CREATE INDEX comments_objection_idx ON comments (objection_round_id, objection_member_id, created_at);
CREATE INDEX comments_hope_idx ON comments (hope_id, created_at);
CREATE INDEX comments_responsibility_idx ON comments (responsibility_id, created_at);
CREATE INDEX comments_meeting_idx ON comments (meeting_id, created_at);
CREATE INDEX comments_author_idx ON comments (can_id, author_id);
CREATE INDEX comments_hidden_by_idx ON comments (hidden_by);

-- A comment's earlier texts, one row per edit (the text as it was before the edit).
CREATE TABLE comment_edits (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    comment_id uuid NOT NULL,
    can_id     uuid NOT NULL,
    body       text NOT NULL,
    written_at timestamptz NOT NULL,
    replaced_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT comment_edits_comment_fkey FOREIGN KEY (comment_id, can_id)
        REFERENCES comments (id, can_id) ON DELETE CASCADE
);
CREATE INDEX comment_edits_comment_idx ON comment_edits (comment_id, id);

-- "This resonates": a member's word of recognition on someone's hope (one per member and hope).
CREATE TABLE hope_resonances (
    hope_id    uuid NOT NULL,
    can_id     uuid NOT NULL,
    member_id  uuid NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (hope_id, member_id),
    CONSTRAINT hope_resonances_hope_fkey FOREIGN KEY (hope_id, can_id) REFERENCES hopes (id, can_id),
    CONSTRAINT hope_resonances_membership_fkey FOREIGN KEY (can_id, member_id)
        REFERENCES memberships (can_id, member_id)
);
CREATE INDEX hope_resonances_member_idx ON hope_resonances (can_id, member_id);

-- Four new kinds: a proposal you answered was amended (answer again), someone replied in a
-- discussion you are part of, someone mentioned you, an organiser hid your comment (with why).
ALTER TABLE notifications DROP CONSTRAINT notifications_kind;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind CHECK (kind IN (
    'join_requested', 'join_answered',
    'offer_made', 'offer_answered', 'offer_expired', 'offer_withdrawn',
    'poll_opened', 'poll_closed',
    'meeting_moved', 'meeting_cancelled', 'series_changed',
    'round_opened', 'round_closing', 'round_closed', 'proposal_amended',
    'role_granted', 'role_term',
    'reach_out',
    'support_asked', 'support_offered', 'support_closed',
    'companion_chosen', 'member_left', 'away_ended',
    'comment_reply', 'mentioned', 'comment_hidden'));
