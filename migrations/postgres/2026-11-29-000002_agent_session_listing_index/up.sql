-- Serves "sessions of one agent in (created_at, id) order" from the index, in
-- both directions and from any keyset position; UASAM has no such index and
-- sorts all of an agent's rows on every list.
--
-- CONCURRENTLY (see metadata.toml: this migration runs outside a transaction)
-- so that building it on a live UASAM table does not block UASAM's writes.
CREATE INDEX CONCURRENTLY IF NOT EXISTS agent_session_agent_created_id_idx
    ON public.agent_session (agent_id, created_at DESC, id DESC);
