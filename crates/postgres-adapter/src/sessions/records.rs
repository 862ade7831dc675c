//! The rows the session store reads, as diesel selects them, and what they
//! become in the domain.

use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use otas_domain::{AgentKeyId, Meta, Session, SessionId, SessionKey, Timestamp};
use otas_ports::StoreError;
use uuid::Uuid;

use crate::schema::agent_session;

diesel::define_sql_function! {
    /// PostgreSQL's `concat` of one jsonb value: its text, as `meta::text`
    /// prints it, but as a function call rather than SQL text, so that diesel
    /// keeps the statement prepared (an unfiltered read from the start, the
    /// original API's and every dashboard's first request, has no SQL text).
    #[sql_name = "concat"]
    fn jsonb_text(value: diesel::sql_types::Jsonb) -> diesel::sql_types::Text;
}

/// One session as read: `meta` comes as the text PostgreSQL prints for the
/// jsonb value, kept as it is.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = agent_session, check_for_backend(Pg))]
pub(crate) struct SessionRecord {
    id: Uuid,
    agent_key_id: Option<Uuid>,
    created_at: DateTime<Utc>,
    #[diesel(select_expression = jsonb_text(agent_session::meta))]
    #[diesel(select_expression_type = jsonb_text<agent_session::meta>)]
    meta: String,
}

impl SessionRecord {
    /// The length of its `meta` text, what bounds a read in bytes.
    pub(crate) fn meta_len(&self) -> usize {
        self.meta.len()
    }
}

impl TryFrom<SessionRecord> for Session {
    type Error = StoreError;

    fn try_from(record: SessionRecord) -> Result<Self, StoreError> {
        let meta = Meta::from_json(record.meta)
            .map_err(|e| StoreError::Failure(format!("session {}: {e}", record.id)))?;
        Ok(Self {
            id: SessionId::from_uuid(record.id),
            agent_key_id: record.agent_key_id.map(AgentKeyId::from_uuid),
            created_at: Timestamp::new(record.created_at),
            meta,
        })
    }
}

/// A session's place in the listing order, as read from the index.
#[derive(Debug, Clone, Copy, Queryable, Selectable)]
#[diesel(table_name = agent_session, check_for_backend(Pg))]
pub(crate) struct KeyRecord {
    created_at: DateTime<Utc>,
    id: Uuid,
}

impl From<KeyRecord> for SessionKey {
    fn from(record: KeyRecord) -> Self {
        Self {
            created_at: Timestamp::new(record.created_at),
            id: SessionId::from_uuid(record.id),
        }
    }
}
