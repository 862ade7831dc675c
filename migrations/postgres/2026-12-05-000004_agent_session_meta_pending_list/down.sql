ALTER INDEX IF EXISTS public.agent_session_meta_idx RESET (gin_pending_list_limit);
