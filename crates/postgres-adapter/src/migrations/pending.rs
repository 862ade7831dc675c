//! Which migrations a database still lacks, read without changing it:
//! diesel's own `pending_migrations` first creates its bookkeeping table,
//! which `check-config` and `serve`'s start must not do (nor can, on a
//! standby). A plain read of the versions recorded stands in for it.

use std::time::Duration;

use diesel::dsl::{select, sql};
use diesel::migration::MigrationSource;
use diesel::pg::Pg;
use diesel::sql_types::Bool;
use diesel::{Connection, PgConnection, RunQueryDsl};

use super::{MigrationError, Name, MIGRATIONS};
use crate::pool::with_network_timeouts;

/// The names of the migrations not applied to the database `database_url`
/// names, oldest first; all of them when diesel's bookkeeping table is not
/// there. Creates and changes nothing. The connection attempt gives up
/// after `connect_timeout` (at least libpq's 2 s floor); the reads are one
/// catalog lookup and one scan of the bookkeeping table (a row per
/// migration, a handful).
pub fn pending_migrations(
    database_url: &str,
    connect_timeout: Duration,
) -> Result<Vec<String>, MigrationError> {
    let mut conn = PgConnection::establish(&with_network_timeouts(database_url, connect_timeout))
        .map_err(|e| MigrationError::Connect(e.to_string()))?;
    let read =
        |e: diesel::result::Error| MigrationError::Apply(format!("cannot read the schema: {e}"));
    let bookkeeping = select(sql::<Bool>(
        "to_regclass('public.__diesel_schema_migrations') IS NOT NULL",
    ))
    .get_result::<bool>(&mut conn)
    .map_err(read)?;
    let applied: Vec<String> = if bookkeeping {
        diesel::sql_query("SELECT version AS name FROM public.__diesel_schema_migrations")
            .load::<Name>(&mut conn)
            .map_err(read)?
            .into_iter()
            .map(|row| row.name)
            .collect()
    } else {
        Vec::new()
    };
    not_in(&applied)
}

/// The embedded migrations whose version `applied` does not hold.
fn not_in(applied: &[String]) -> Result<Vec<String>, MigrationError> {
    let all = MigrationSource::<Pg>::migrations(&MIGRATIONS)
        .map_err(|e| MigrationError::Apply(e.to_string()))?;
    Ok(all
        .iter()
        .filter(|m| !applied.contains(&m.name().version().to_string()))
        .map(|m| m.name().to_string())
        .collect())
}
