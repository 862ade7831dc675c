//! Writing the session an agent opens: one row of `agent_session`, on the
//! primary. The demo data and the fixtures write theirs through the same
//! insert ([`insert`]), by way of the row writer.

use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Jsonb, Text};
use otas_ports::{SessionRow, SessionWriter, StoreError};

use crate::pool::{with_connection, PgPool};
use crate::schema::agent_session;

/// Writes the sessions agents open, on PostgreSQL.
#[derive(Clone, Debug)]
pub struct PgSessionWriter {
    pool: PgPool,
}

impl PgSessionWriter {
    /// A writer over the pool's database (the primary's).
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }
}

impl SessionWriter for PgSessionWriter {
    /// Cost: one statement, committed on its own.
    fn insert_session(&self, session: &SessionRow) -> Result<(), StoreError> {
        with_connection(&self.pool, |conn| insert(conn, session))
    }
}

/// Inserts one row of `agent_session`.
pub(crate) fn insert(conn: &mut PgConnection, session: &SessionRow) -> QueryResult<()> {
    // `meta` goes as text and becomes jsonb in the database, so that
    // numbers keep every digit (a JSON value in Rust would not).
    diesel::insert_into(agent_session::table)
        .values((
            agent_session::id.eq(*session.id.as_uuid()),
            agent_session::created_at.eq(session.created_at.as_datetime()),
            agent_session::meta.eq(sql::<Jsonb>("CAST(")
                .bind::<Text, _>(session.meta.clone())
                .sql(" AS jsonb)")),
            agent_session::agent_id.eq(*session.agent.as_uuid()),
            agent_session::agent_key_id.eq(session.agent_key.map(|k| *k.as_uuid())),
        ))
        .execute(conn)?;
    Ok(())
}
