-- Benchmark data: one user, one project, three agents with 100, 10,000 and
-- 1,000,000 sessions, and an agent of another project (for the 403 path).
-- psql variables: none. Ids are fixed so that the driver script knows them.
BEGIN;
INSERT INTO users VALUES ('11111111-1111-1111-1111-111111111111', 'Ada', NULL, 'Lovelace', 'ada@example.com', 'pbkdf2_sha256$720000$x$y', now(), now());
INSERT INTO users VALUES ('22222222-2222-2222-2222-222222222222', 'Bob', NULL, 'B', 'bob@example.com', 'pbkdf2_sha256$720000$x$y', now(), now());
INSERT INTO project VALUES ('b0000000-0000-4000-8000-000000000001', 'Bench', '', now(), now(), true, '11111111-1111-1111-1111-111111111111', NULL);
INSERT INTO project VALUES ('b0000000-0000-4000-8000-000000000002', 'Other', '', now(), now(), true, '22222222-2222-2222-2222-222222222222', NULL);
INSERT INTO user_project_mapping (privilege, created_at, updated_at, is_active, project_id, user_id)
  VALUES (1, now(), now(), true, 'b0000000-0000-4000-8000-000000000001', '11111111-1111-1111-1111-111111111111'),
         (1, now(), now(), true, 'b0000000-0000-4000-8000-000000000002', '22222222-2222-2222-2222-222222222222');
INSERT INTO agent VALUES
  ('a0000000-0000-4000-8000-000000000100', 'small', '', 'anthropic', now(), now(), true, '11111111-1111-1111-1111-111111111111', 'b0000000-0000-4000-8000-000000000001'),
  ('a0000000-0000-4000-8000-000000010000', 'medium', '', 'anthropic', now(), now(), true, '11111111-1111-1111-1111-111111111111', 'b0000000-0000-4000-8000-000000000001'),
  ('a0000000-0000-4000-8000-000001000000', 'scheduler', '', 'anthropic', now(), now(), true, '11111111-1111-1111-1111-111111111111', 'b0000000-0000-4000-8000-000000000001'),
  ('a0000000-0000-4000-8000-0000000000ff', 'foreign', '', 'openai', now(), now(), true, '22222222-2222-2222-2222-222222222222', 'b0000000-0000-4000-8000-000000000002');
INSERT INTO agent_key (id, prefix, hashed_key, name, created_at, active, agent_id)
  VALUES ('c0000000-0000-4000-8000-000000000001', 'Q2xhdWRlLXR', 'pbkdf2_sha256$720000$x$y', 'scheduler', now(), true, 'a0000000-0000-4000-8000-000001000000');

-- Realistic meta: a task, sizes, a model, tags and a trace id; times spread
-- over the last year, several sessions per second at the busiest. `source`
-- is the same for every session (a meta filter that keeps all of them) and
-- `seq` numbers each agent's sessions (`{"seq": 500000}` keeps one session of
-- the million).
INSERT INTO agent_session (id, created_at, meta, agent_id, agent_key_id)
SELECT gen_random_uuid(),
       timestamptz '2026-01-01' + (i * interval '31 seconds') + ((i::bigint * 7919) % 1000000) * interval '1 microsecond',
       jsonb_build_object(
         'task', (ARRAY['summarize', 'classify', 'translate', 'extract', 'answer'])[1 + i % 5],
         'input_length', (i * 37) % 8192,
         'model', (ARRAY['claude-sonnet-4', 'claude-haiku-4', 'gpt-4.1'])[1 + i % 3],
         'tags', jsonb_build_array('nightly', 'batch-' || (i % 17)),
         'trace', jsonb_build_object('id', md5(i::text), 'retries', i % 3),
         'ok', i % 11 <> 0,
         'source', 'nightly',
         'seq', i),
       agent.id,
       CASE WHEN i % 4 = 0 THEN NULL ELSE 'c0000000-0000-4000-8000-000000000001'::uuid END
FROM (VALUES ('a0000000-0000-4000-8000-000000000100'::uuid, 100),
             ('a0000000-0000-4000-8000-000000010000'::uuid, 10000),
             ('a0000000-0000-4000-8000-000001000000'::uuid, 1000000),
             ('a0000000-0000-4000-8000-0000000000ff'::uuid, 100)) AS agent(id, n),
     LATERAL generate_series(1, agent.n) AS i;
COMMIT;
VACUUM ANALYZE agent_session;
