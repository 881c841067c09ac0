-- Grows a register about 100-fold for bench/run.sh's "large" section: synthetic forums, persons
-- and appointments written straight into the tables (through the API this would take minutes).
--
--   psql -v persons=10000 -v forums=20 -f bench/large_register.sql DATABASE-URL
--
-- Two appointments per person, in two different forums, so no (person, forum) pair repeats and
-- appointment_person_no_overlap holds whatever the dates; every role is 'member', so the
-- one-officer rules do not apply. Kommune codes cycle through the seeded kommuner.
\set ON_ERROR_STOP on
BEGIN;
SET LOCAL kkr.actor = 'bench';

INSERT INTO regional_forum (name, kind, kkr_action)
SELECT format('Testforum %s (syntetisk)', f), 'agreement', 'appoints'
FROM generate_series(1, :forums) AS f;

INSERT INTO person (name, kommune_code, party)
SELECT format('Testperson %s', i), k.codes[1 + i % cardinality(k.codes)], 'A'
FROM generate_series(1, :persons) AS i,
     (SELECT array_agg(code ORDER BY code) AS codes FROM kommune) AS k;

WITH forum AS (
  SELECT id, row_number() OVER (ORDER BY id) - 1 AS n
  FROM regional_forum WHERE name LIKE 'Testforum % (syntetisk)'
), testperson AS (
  SELECT id, row_number() OVER (ORDER BY id) AS n FROM person WHERE name LIKE 'Testperson %'
)
INSERT INTO appointment (forum_id, person_id, period_id, role, status, start_date)
SELECT forum.id, testperson.id, '2022-2026', 'member', 'appointed', DATE '2022-03-01'
FROM testperson
CROSS JOIN generate_series(0, 1) AS j
JOIN forum ON forum.n = (testperson.n + j) % :forums;

COMMIT;
