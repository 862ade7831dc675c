//! Writing the session an agent opens: one row of `agent_session`. The
//! demo data and the fixtures write theirs through the same insert
//! ([`insert`]), by way of the row writer.

use diesel::prelude::*;
use otas_ports::{SessionRow, SessionWriter, StoreError};

use crate::error::from_query;
use crate::pool::{checkout, SqlitePool};
use crate::schema::agent_session;

/// Writes the sessions agents open, on SQLite.
#[derive(Clone, Debug)]
pub struct SqliteSessionWriter {
    pool: SqlitePool,
}

impl SqliteSessionWriter {
    /// A writer over the pool's database.
    pub fn new(pool: SqlitePool) -> Self {
        Self { pool }
    }
}

impl SessionWriter for SqliteSessionWriter {
    /// Cost: one statement, in a write transaction of its own (taken at
    /// once, as every write here is, so that a busy file waits its turn).
    fn insert_session(&self, session: &SessionRow) -> Result<(), StoreError> {
        let mut conn = checkout(&self.pool)?;
        conn.immediate_transaction(|conn| insert(conn, session))
            .map_err(from_query)
    }
}

/// Inserts one row of `agent_session`: its id as text, its time in
/// microseconds since the Unix epoch, `meta` as the JSON text given (the
/// schema checks it is JSON).
pub(crate) fn insert(conn: &mut SqliteConnection, session: &SessionRow) -> QueryResult<()> {
    diesel::insert_into(agent_session::table)
        .values((
            agent_session::id.eq(session.id.to_string()),
            agent_session::created_at.eq(session.created_at.as_micros()),
            agent_session::meta.eq(&session.meta),
            agent_session::agent_id.eq(session.agent.to_string()),
            agent_session::agent_key_id.eq(session.agent_key.map(|k| k.to_string())),
        ))
        .execute(conn)?;
    Ok(())
}
