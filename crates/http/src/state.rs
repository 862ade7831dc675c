//! What every handler shares.

use std::sync::Arc;

use otas_use_cases::ListSessionsUseCase;

/// The use cases the routes call.
#[derive(Clone)]
pub(crate) struct AppState {
    pub(crate) list_sessions: Arc<dyn ListSessionsUseCase>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState").finish_non_exhaustive()
    }
}
