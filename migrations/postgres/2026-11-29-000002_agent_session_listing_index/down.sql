DROP INDEX CONCURRENTLY IF EXISTS public.agent_session_agent_created_id_idx;
