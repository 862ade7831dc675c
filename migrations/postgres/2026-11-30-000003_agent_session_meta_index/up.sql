-- Serves a `meta` filter (jsonb containment, `meta @> '{"task": "summarize"}'`)
-- that keeps few of an agent's sessions: PostgreSQL then finds them through
-- this index instead of walking the agent's listing index. A filter that
-- keeps most sessions is still served by walking the listing index; the
-- planner chooses from the column's statistics.
--
-- jsonb_path_ops: smaller and faster than the default operator class, and
-- containment is the only operator the service uses on `meta`.
--
-- CONCURRENTLY (see metadata.toml: this migration runs outside a transaction)
-- so that building it on a live UASAM table does not block UASAM's writes.
--
-- Its pending list is bounded to 256 kB (2026-12-05-000004 says why and sets
-- it on an index built before): here too, so that a build of it (the first,
-- or the rebuild of an index an interrupted build left INVALID) has it.
CREATE INDEX CONCURRENTLY IF NOT EXISTS agent_session_meta_idx
    ON public.agent_session USING gin (meta jsonb_path_ops)
    WITH (gin_pending_list_limit = 256);
