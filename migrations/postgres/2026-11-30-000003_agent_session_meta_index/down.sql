DROP INDEX CONCURRENTLY IF EXISTS public.agent_session_meta_idx;
