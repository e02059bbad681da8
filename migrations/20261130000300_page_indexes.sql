-- Indexes for the pages of one CAN at the scale of a movement (10,000 CANs in one database).
--
-- Two kinds. First, what a page filters or joins on inside one CAN — without these, a page of one
-- CAN read every CAN's rows (attendance by member for "who drifts away", carriers by
-- responsibility for the board, decisions and action items by meeting, polls and series by CAN).
-- Second, every foreign key gets an index whose leading columns are the key's (a CAN-scoped key
-- (x, can_id) is served by an index on x): checking a key when its parent row changes or goes
-- must not scan the child table. tests/it/schema.rs keeps it so for later migrations.
--
-- Plain CREATE INDEX: migrations run in one transaction before the server answers, and at 10,000
-- CANs these take seconds, not minutes (measured in docs/performance.md).

-- Pages: the health view and the member page (who came, and when a member was last seen).
CREATE INDEX attendance_member_idx ON attendance (can_id, member_id);
-- Pages: the board, load view, stage guide and CAN home (a responsibility's carriers).
CREATE INDEX carriers_responsibility_idx ON carriers (responsibility_id);
-- Pages: the meeting page (its decisions and action items).
CREATE INDEX decisions_meeting_idx ON decisions (meeting_id);
CREATE INDEX action_items_meeting_idx ON action_items (meeting_id);
-- Pages: the meetings list (a CAN's polls and series).
CREATE INDEX time_polls_can_idx ON time_polls (can_id, created_at);
CREATE INDEX meeting_series_can_idx ON meeting_series (can_id);
-- Pages: the dashboard and meeting pages (a member's answers), the member page.
CREATE INDEX rsvps_member_idx ON rsvps (can_id, member_id);
CREATE INDEX hopes_author_idx ON hopes (can_id, author_id);
CREATE INDEX role_grants_member_idx ON role_grants (can_id, member_id);
CREATE INDEX consent_answers_member_idx ON consent_answers (can_id, member_id);
CREATE INDEX time_poll_answers_member_idx ON time_poll_answers (can_id, member_id);
CREATE INDEX join_requests_member_idx ON join_requests (member_id);
CREATE INDEX join_requests_can_idx ON join_requests (can_id, created_at);

-- Foreign keys between a CAN's own rows not served by an index yet.
CREATE INDEX cans_vision_version_idx ON cans (vision_version_id);
CREATE INDEX memberships_invitation_idx ON memberships (invitation_id);
CREATE INDEX vision_version_hopes_hope_idx ON vision_version_hopes (hope_id);
CREATE INDEX consent_rounds_version_idx ON consent_rounds (version_id);
CREATE INDEX goals_vision_idx ON goals (vision_version_id);
CREATE INDEX agenda_items_carried_from_idx ON agenda_items (carried_from);
CREATE INDEX time_polls_series_idx ON time_polls (series_id);
CREATE INDEX time_poll_options_poll_idx ON time_poll_options (poll_id);
CREATE INDEX time_poll_answers_option_idx ON time_poll_answers (option_id, poll_id);
CREATE INDEX responsibilities_goal_idx ON responsibilities (goal_id);

-- Foreign keys naming who did something (a member): served, so that checking them never scans.
CREATE INDEX cans_created_by_idx ON cans (created_by);
CREATE INDEX invitations_created_by_idx ON invitations (created_by);
CREATE INDEX invitations_revoked_by_idx ON invitations (revoked_by);
CREATE INDEX role_grants_granted_by_idx ON role_grants (granted_by);
CREATE INDEX role_grants_ended_by_idx ON role_grants (ended_by);
CREATE INDEX join_requests_decided_by_idx ON join_requests (decided_by);
CREATE INDEX activity_log_actor_idx ON activity_log (actor_id);
CREATE INDEX vision_versions_author_idx ON vision_versions (author_id);
CREATE INDEX consent_rounds_opened_by_idx ON consent_rounds (opened_by);
CREATE INDEX consent_rounds_closed_by_idx ON consent_rounds (closed_by);
CREATE INDEX goals_created_by_idx ON goals (created_by);
CREATE INDEX meeting_series_created_by_idx ON meeting_series (created_by);
CREATE INDEX meetings_facilitator_idx ON meetings (facilitator_id);
CREATE INDEX meetings_note_taker_idx ON meetings (note_taker_id);
CREATE INDEX meetings_minutes_updated_by_idx ON meetings (minutes_updated_by);
CREATE INDEX agenda_items_owner_idx ON agenda_items (owner_id);
CREATE INDEX agenda_items_proposed_by_idx ON agenda_items (proposed_by);
CREATE INDEX attendance_recorded_by_idx ON attendance (recorded_by);
CREATE INDEX decisions_recorded_by_idx ON decisions (recorded_by);
CREATE INDEX action_items_created_by_idx ON action_items (created_by);
CREATE INDEX action_items_owner_idx ON action_items (owner_id);
CREATE INDEX time_polls_created_by_idx ON time_polls (created_by);
CREATE INDEX responsibilities_created_by_idx ON responsibilities (created_by);
CREATE INDEX carriers_arranged_by_idx ON carriers (arranged_by);
CREATE INDEX progress_notes_author_idx ON progress_notes (author_id);
CREATE INDEX stage_transitions_moved_by_idx ON stage_transitions (moved_by);
CREATE INDEX reach_outs_by_idx ON reach_outs (by_id);
CREATE INDEX digests_member_idx ON digests (member_id);
