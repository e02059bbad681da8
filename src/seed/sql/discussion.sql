-- Everyday decisions and talking things through (issue 17): proposals put by core members over the
-- last weeks — most adopted by consent (and so decisions of the CAN), some not adopted because an
-- objection stood, some withdrawn after the objection was talked through, the newest still open —
-- some amended into a second text (a few answers kept as given to the first); comments on the
-- proposals, on the objections, on hopes, responsibilities and recent meetings (one in ten edited, one
-- in thirty removed by its author, one in fifty hidden by an organiser); and "this resonates" on
-- hopes. The search index fills itself: its triggers see these rows as they see the app's.

-- step: -
CREATE OR REPLACE FUNCTION pg_temp.pw(list text) RETURNS text[] LANGUAGE sql IMMUTABLE AS $words$
SELECT CASE list
WHEN 'titles' THEN
ARRAY['Move the meeting to the library on rainy weeks',
      'Buy a second wheelbarrow for the shared plots',
      'Open a small fund for bus fares to meetings',
      'Translate our posters into Polish and Urdu',
      'Start every meeting with ten minutes of tea',
      'Ask the council for the key to the old bowling green',
      'Keep a first-aid kit at every meeting',
      'Write down who holds each spare key',
      'Hold one meeting a month on a Saturday morning',
      'Share the phone tree with every new member',
      'Pay for the hall from the summer fair takings',
      'Lend the gazebo to the school fair']
WHEN 'bodies' THEN
ARRAY['When it rains the park shelter is too cold for older neighbours. From October to March we would meet in the library''s community room, which is free on our evening.',
      'One wheelbarrow is not enough on work days: people wait around. A second one costs about forty pounds; the tool library would look after it.',
      'Some neighbours stay away because the bus is too dear. A small fund, topped up from the fair, would pay fares for anyone who asks, no questions.',
      'Half the street does not read English. The two posters we put up each month would be printed in Polish and Urdu too; Marek and Hamid offered to translate.',
      'We rush into the agenda. Ten minutes of tea first lets people arrive, talk and feel welcome before we decide anything.',
      'The bowling green has been locked for three years. We would ask to look after it, as a garden and a place for children to play.',
      'Twice someone has felt unwell at a meeting and nobody had so much as a plaster. A kit costs little; the note-taker would bring it.',
      'Keys to the hall, the shed and the store go missing. A short list, kept by the coordinators, says who holds which.',
      'Evening meetings shut out parents and shift workers. Once a month we would meet on a Saturday morning instead, with children welcome.',
      'New members do not know who to call. The phone tree, with everyone''s consent, would be shared with them when they join.',
      'The hall costs twelve pounds a week. The summer fair raised enough to pay for it until spring.',
      'The school asked to borrow our gazebo for its fair. We would lend it, with two of us there to put it up and take it down.']
WHEN 'notes' THEN
ARRAY['Clearer about the cost, after the comments.',
      'Answers the objection: it now says who looks after it.',
      'Shorter, and says when we would look at it again.']
WHEN 'comments' THEN
ARRAY['I like this. Can we try it for three months and see?',
      'Who would look after it between meetings?',
      'Happy with it, as long as we say what it costs.',
      'We talked about something like this last spring; it worked well then.',
      'Could the newer members say what they think? It affects them most.',
      'I can help with this on weekends.',
      'Does anyone know if the council needs to be asked first?',
      'Good idea. I would add a date to look at it again.',
      'My neighbour asked about exactly this on Tuesday.',
      'Let us keep it simple and start small.',
      'I am not sure yet, but I will not stand in the way.',
      'Thank you for writing this up so clearly.']
WHEN 'talk' THEN
ARRAY['Thank you for saying it. What would make it work for you?',
      'If we added a line about who carries it, would that answer your objection?',
      'I hear you. Could we try it for a month and look again together?',
      'That is fair. I will redraft it with that in mind.',
      'I would be glad to talk this through over tea before the next meeting.',
      'You are right that we did not think about that. Let me ask around.']
WHEN 'replies' THEN
ARRAY['This resonates with me too. My mother lived alone for years.',
      'Yes! I would love to help make this happen.',
      'I hope so too. It is why I joined.',
      'Same here. Let us bring it to the next meeting.',
      'This is what our street needs.',
      'I felt this when I first moved here.',
      'Beautifully put.',
      'Count me in.']
WHEN 'notes_on_work' THEN
ARRAY['I can cover this for two weeks in the summer.',
      'Where do we keep the list for this?',
      'Thanks for carrying this for so long.',
      'Could someone show me how this is done?']
WHEN 'after_meeting' THEN
ARRAY['Good meeting. Thanks for keeping us to time.',
      'I missed the end: what did we decide about the hall?',
      'The tea at the start helped a lot.',
      'Sorry I could not come; I will read the minutes.']
END
$words$;

-- step: -
-- The proposals: three per CAN and one more per ten members, the newest still open.
CREATE TEMP TABLE seed_proposal ON COMMIT DROP AS
SELECT pg_temp.uuid7(x.created_at) AS id, x.*,
       CASE WHEN x.status = 'open' THEN NULL
            WHEN x.status = 'withdrawn' THEN x.created_at + interval '3 days'
            ELSE x.created_at + interval '7 days' END AS closed_at,
       CASE WHEN x.amended THEN x.created_at + interval '2 days' END AS amended_at
FROM (
    SELECT c.n, c.id AS can_id, c.t0, q, a.member_id AS author_id, a.name AS author, a.slot AS author_slot,
           1 + (c.n * 5 + q * 7) % 12 AS k,
           (pg_temp.pw('titles'))[1 + (c.n * 5 + q * 7) % 12] AS title,
           (pg_temp.pw('bodies'))[1 + (c.n * 5 + q * 7) % 12] AS body,
           c.t0 - (q - 1) * interval '9 days' - interval '2 days' - pg_temp.r(71, c.n, q) * interval '3 days' AS created_at,
           CASE WHEN q = 1 THEN 'open'
                WHEN pg_temp.r(72, c.n, q) < 0.6 THEN 'adopted'
                WHEN pg_temp.r(72, c.n, q) < 0.8 THEN 'not_adopted'
                ELSE 'withdrawn' END AS status,
           q % 3 = 0 AS amended,
           -- Who objected, in a round that did not adopt (slots 1-8 always answer).
           1 + (c.n + q + ((c.n + q) % 8 = (c.n + q * 3) % 8)::int) % 8 AS objector_slot
    FROM seed_can c
    CROSS JOIN LATERAL generate_series(1, 3 + c.m / 10) AS q
    JOIN seed_roster a ON a.n = c.n AND a.slot = 1 + (c.n + q * 3) % 8
) x;

-- step: -
ALTER TABLE seed_proposal ADD COLUMN round_id uuid, ADD COLUMN version int;

-- step: -
UPDATE seed_proposal SET round_id = pg_temp.uuid7(created_at), version = 1 + amended::int;

-- step: proposals
INSERT INTO proposals (id, can_id, author_id, title, body, version, status, created_at, updated_at, closed_at,
                       withdrawn_by, withdrawn_reason)
SELECT id, can_id, author_id, title, body, version, status, created_at, coalesce(closed_at, amended_at, created_at),
       closed_at, CASE WHEN status = 'withdrawn' THEN author_id END,
       CASE WHEN status = 'withdrawn' THEN 'We talked the objection through; I will bring a better version.' ELSE '' END
FROM seed_proposal;

-- step: proposal_versions
INSERT INTO proposal_versions (proposal_id, can_id, number, title, body, author_id, note, created_at)
SELECT id, can_id, 1, title, body, author_id, '', created_at FROM seed_proposal
UNION ALL
SELECT id, can_id, 2, title, body, author_id, (pg_temp.pw('notes'))[1 + n % 3], amended_at
FROM seed_proposal WHERE amended;

-- step: -
-- Everyone who was a member while the round ran answers if in the core, the others by their own
-- reliability; in the open round only some have answered yet. After an amendment, one in four
-- answers stays as given to the first text.
CREATE TEMP TABLE seed_proposal_answer ON COMMIT DROP AS
SELECT p.round_id, p.can_id, p.n, r.member_id, r.name, p.id AS proposal_id,
       CASE WHEN p.status IN ('not_adopted', 'withdrawn') AND r.slot = p.objector_slot THEN 'object'
            WHEN pg_temp.r(74, p.n, r.slot, p.q) < 0.15 THEN 'stand_aside'
            ELSE 'endorse' END AS answer,
       CASE WHEN p.status IN ('not_adopted', 'withdrawn') AND r.slot = p.objector_slot
            THEN (pg_temp.w('objections'))[1 + (p.n + p.q) % 6] ELSE '' END AS reason,
       CASE WHEN p.amended AND pg_temp.r(75, p.n, r.slot, p.q) < 0.25 THEN 1 ELSE p.version END AS text_version,
       CASE WHEN p.amended AND pg_temp.r(75, p.n, r.slot, p.q) < 0.25
            THEN p.created_at + interval '1 day' * pg_temp.r(76, p.n, r.slot, p.q)
            ELSE coalesce(p.amended_at, p.created_at)
                 + interval '1 day' * (0.2 + 1.5 * pg_temp.r(76, p.n, r.slot, p.q)) END AS at
FROM seed_proposal p
JOIN seed_roster r ON r.n = p.n AND r.joined_at < p.created_at
 AND (r.status = 'active' OR r.status_changed_at > coalesce(p.closed_at, p.t0))
WHERE (r.slot <= 8 AND (p.status <> 'open' OR r.slot <= 4 OR pg_temp.r(73, p.n, r.slot, p.q) < 0.5))
   OR (r.slot > 8 AND pg_temp.r(73, p.n, r.slot, p.q) < least(r.reliability, CASE WHEN p.status = 'open' THEN 0.4 ELSE 1 END));

-- step: consent_rounds
INSERT INTO consent_rounds (id, can_id, proposal_id, text_version, opened_by, opened_at, closes_at, closed_at,
                            closed_by, outcome, quorum_num, quorum_den, active_at_close, answered_at_close,
                            endorse_at_close, stand_aside_at_close, object_at_close)
SELECT p.round_id, p.can_id, p.id, p.version, p.author_id, p.created_at, p.created_at + interval '7 days',
       p.closed_at, CASE WHEN p.status = 'withdrawn' THEN p.author_id END,
       CASE p.status WHEN 'adopted' THEN 'adopted' WHEN 'not_adopted' THEN 'blocked'
                     WHEN 'withdrawn' THEN 'withdrawn' END,
       2, 3,
       CASE WHEN p.status IN ('adopted', 'not_adopted') THEN t.active END,
       CASE WHEN p.status IN ('adopted', 'not_adopted') THEN t.answered END,
       CASE WHEN p.status IN ('adopted', 'not_adopted') THEN t.endorse END,
       CASE WHEN p.status IN ('adopted', 'not_adopted') THEN t.stand_aside END,
       CASE WHEN p.status IN ('adopted', 'not_adopted') THEN t.object END
FROM seed_proposal p
CROSS JOIN LATERAL (
    SELECT (SELECT count(*) FROM seed_roster r WHERE r.n = p.n AND r.joined_at < p.created_at + interval '7 days'
              AND (r.status = 'active' OR r.status_changed_at > p.created_at + interval '7 days')) AS active,
           count(*) FILTER (WHERE a.text_version = p.version) AS answered,
           count(*) FILTER (WHERE a.text_version = p.version AND a.answer = 'endorse') AS endorse,
           count(*) FILTER (WHERE a.text_version = p.version AND a.answer = 'stand_aside') AS stand_aside,
           count(*) FILTER (WHERE a.text_version = p.version AND a.answer = 'object') AS object
    FROM seed_proposal_answer a WHERE a.round_id = p.round_id) AS t;

-- step: consent_answers
INSERT INTO consent_answers (round_id, can_id, member_id, answer, reason, answered_at, text_version)
SELECT round_id, can_id, member_id, answer, reason, at, text_version FROM seed_proposal_answer;

-- step: consent_answer_history
INSERT INTO consent_answer_history (round_id, can_id, member_id, answer, reason, answered_at, text_version)
SELECT round_id, can_id, member_id, answer, reason, at, text_version FROM seed_proposal_answer ORDER BY at;

-- step: decisions
-- An adopted proposal is a decision of the CAN, reading as its title.
INSERT INTO decisions (id, can_id, proposal_id, body, recorded_by, created_at)
SELECT pg_temp.uuid7(closed_at), can_id, id, title, author_id, closed_at
FROM seed_proposal WHERE status = 'adopted';

-- step: -
-- Comments: on every proposal one to three; on each standing or withdrawn objection, its author's
-- answer and the objector's reply; replies to two hopes in five; a note on one responsibility in
-- five; a word after one recent held meeting in three.
CREATE TEMP TABLE seed_comment ON COMMIT DROP AS
SELECT pg_temp.uuid7(x.at) AS id, row_number() OVER (PARTITION BY x.n ORDER BY x.at, x.body) AS k, x.* FROM (
    SELECT p.n, p.can_id, r.member_id AS author_id, x.i, p.id AS proposal_id, NULL::uuid AS round_id,
           NULL::uuid AS objector_id, NULL::uuid AS hope_id, NULL::uuid AS responsibility_id,
           NULL::uuid AS meeting_id,
           (pg_temp.pw('comments'))[1 + (p.n + p.q * 5 + x.i * 7) % 12] AS body,
           p.created_at + x.i * interval '5 hours' AS at
    FROM seed_proposal p CROSS JOIN LATERAL generate_series(1, 1 + (p.n + p.q) % 3) AS x (i)
    JOIN seed_roster r ON r.n = p.n AND r.slot = 1 + (p.n + p.q + x.i * 3) % 8
    UNION ALL
    SELECT p.n, p.can_id, CASE x.i WHEN 1 THEN p.author_id ELSE a.member_id END, x.i, NULL, p.round_id,
           a.member_id, NULL, NULL, NULL,
           CASE x.i WHEN 1 THEN (pg_temp.pw('talk'))[1 + (p.n + p.q) % 6]
                    ELSE (pg_temp.pw('talk'))[1 + (p.n + p.q + 3) % 6] END,
           a.at + x.i * interval '3 hours'
    FROM seed_proposal p
    JOIN seed_proposal_answer a ON a.round_id = p.round_id AND a.answer = 'object'
    CROSS JOIN generate_series(1, 2) AS x (i)
    WHERE a.member_id <> p.author_id
    UNION ALL
    SELECT h.n, h.can_id, r.member_id, 1, NULL, NULL, NULL, h.id, NULL, NULL,
           (pg_temp.pw('replies'))[1 + (h.n + h.slot) % 8],
           h.created_at + interval '1 day' + (r.slot % 5) * interval '3 hours'
    FROM seed_hope h
    JOIN seed_roster r ON r.n = h.n AND r.slot = 1 + (h.slot + 2) % 8 AND r.member_id <> h.author_id
    WHERE h.withdrawn_at IS NULL AND pg_temp.r(81, h.n, h.slot, h.i) < 0.4
    UNION ALL
    SELECT s.n, s.can_id, r.member_id, 1, NULL, NULL, NULL, NULL, s.id, NULL,
           (pg_temp.pw('notes_on_work'))[1 + (s.n + s.j) % 4],
           greatest(s.created_at + interval '2 days', s.t0 - interval '20 days')
    FROM seed_resp s JOIN seed_roster r ON r.n = s.n AND r.slot = 1 + (s.j + s.n) % 8
    WHERE pg_temp.r(82, s.n, s.j) < 0.2 AND r.joined_at < greatest(s.created_at + interval '2 days', s.t0 - interval '20 days')
    UNION ALL
    SELECT g.n, g.can_id, r.member_id, 1, NULL, NULL, NULL, NULL, NULL, g.id,
           (pg_temp.pw('after_meeting'))[1 + (g.n + g.wk) % 4],
           g.ends_at + interval '14 hours'
    FROM seed_meeting g JOIN seed_roster r ON r.n = g.n AND r.slot = 1 + (g.wk + g.n + 4) % 8
    WHERE g.status = 'held' AND g.wk > g.w - 4 AND pg_temp.r(83, g.n, g.wk) < 0.33
      AND r.joined_at < g.starts_at
) x
WHERE x.at < (SELECT t0 FROM seed_params);

-- step: comments
INSERT INTO comments (id, can_id, author_id, proposal_id, objection_round_id, objection_member_id, hope_id,
                      responsibility_id, meeting_id, body, created_at, edited_at, deleted_at, hidden_at,
                      hidden_by, hidden_reason)
SELECT s.id, s.can_id, s.author_id, s.proposal_id, s.round_id, s.objector_id, s.hope_id, s.responsibility_id,
       s.meeting_id, s.body, s.at,
       CASE WHEN f.roll >= 0.05 AND f.roll < 0.15 THEN s.at + interval '20 minutes' END,
       CASE WHEN f.roll < 0.033 THEN s.at + interval '1 hour' END,
       CASE WHEN f.roll >= 0.033 AND f.roll < 0.05 THEN s.at + interval '1 day' END,
       CASE WHEN f.roll >= 0.033 AND f.roll < 0.05 THEN o.member_id END,
       CASE WHEN f.roll >= 0.033 AND f.roll < 0.05 THEN 'Please keep to the rules for participation: be kind.' ELSE '' END
FROM seed_comment s
JOIN seed_roster o ON o.n = s.n AND o.slot = 1
CROSS JOIN LATERAL (SELECT pg_temp.r(84, s.n, s.k::int) AS roll) f;

-- step: comment_edits
INSERT INTO comment_edits (comment_id, can_id, body, written_at, replaced_at)
SELECT c.id, c.can_id, 'First thoughts: ' || lower(left(c.body, 1)) || substr(c.body, 2), c.created_at, c.edited_at
FROM comments c JOIN seed_comment s ON s.id = c.id
WHERE c.edited_at IS NOT NULL;

-- step: hope_resonances
-- "This resonates": three or four of the core on most hopes still shared.
INSERT INTO hope_resonances (hope_id, can_id, member_id, created_at)
SELECT h.id, h.can_id, r.member_id, h.created_at + (r.slot + 1) * interval '2 hours'
FROM seed_hope h JOIN seed_roster r ON r.n = h.n AND r.slot <= 8 AND r.member_id <> h.author_id
 AND r.joined_at < h.created_at + (r.slot + 1) * interval '2 hours'
WHERE h.withdrawn_at IS NULL AND pg_temp.r(85, h.n, h.slot * 16 + r.slot, h.i) < 0.45;

-- step: -
INSERT INTO seed_activity (can_id, actor_id, action, subject_type, subject_id, summary, at)
SELECT can_id, author_id, 'proposal.opened', 'proposal', id, author || ' proposed “' || title || '”', created_at
FROM seed_proposal
UNION ALL
SELECT can_id, author_id, 'proposal.amended', 'proposal', id, author || ' amended “' || title || '”', amended_at
FROM seed_proposal WHERE amended
UNION ALL
SELECT can_id, CASE WHEN status = 'withdrawn' THEN author_id END, 'proposal.' || status, 'proposal', id,
       CASE status WHEN 'adopted' THEN '“' || title || '” was adopted by consent'
                   WHEN 'not_adopted' THEN '“' || title || '” was not adopted: an objection stood'
                   ELSE author || ' withdrew “' || title || '”' END,
       closed_at
FROM seed_proposal WHERE status <> 'open';
