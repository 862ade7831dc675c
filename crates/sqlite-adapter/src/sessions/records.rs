//! The rows the session store reads, as diesel selects them, and what they
//! become in the domain: ids are lower-case hyphenated text, times
//! microseconds since the Unix epoch, `meta` the JSON text as written.

use diesel::prelude::*;
use diesel::sqlite::Sqlite;
use otas_domain::{AgentKeyId, Meta, Session, SessionId, SessionKey, Timestamp};
use otas_ports::StoreError;
use uuid::Uuid;

use crate::schema::agent_session;

/// One session as read.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = agent_session, check_for_backend(Sqlite))]
pub(crate) struct SessionRecord {
    id: String,
    agent_key_id: Option<String>,
    created_at: i64,
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
            id: SessionId::from_uuid(uuid(&record.id)?),
            agent_key_id: record
                .agent_key_id
                .map(|key| uuid(&key).map(AgentKeyId::from_uuid))
                .transpose()?,
            created_at: timestamp(record.created_at, &record.id)?,
            meta,
        })
    }
}

/// A session's place in the listing order, as read from the index.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = agent_session, check_for_backend(Sqlite))]
pub(crate) struct KeyRecord {
    created_at: i64,
    id: String,
}

impl TryFrom<KeyRecord> for SessionKey {
    type Error = StoreError;

    fn try_from(record: KeyRecord) -> Result<Self, StoreError> {
        Ok(Self {
            created_at: timestamp(record.created_at, &record.id)?,
            id: SessionId::from_uuid(uuid(&record.id)?),
        })
    }
}

/// A stored id, which the schema keeps a lower-case hyphenated UUID.
fn uuid(text: &str) -> Result<Uuid, StoreError> {
    Uuid::try_parse(text).map_err(|_| StoreError::Failure(format!("{text:?} is not a UUID")))
}

/// A stored time in microseconds since the Unix epoch.
fn timestamp(micros: i64, id: &str) -> Result<Timestamp, StoreError> {
    Timestamp::from_micros(micros).ok_or_else(|| {
        StoreError::Failure(format!(
            "session {id}: created_at {micros} µs is out of range"
        ))
    })
}
