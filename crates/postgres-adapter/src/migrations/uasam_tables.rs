//! UASAM's tables are created only where none of them is: a database UASAM
//! already built (all of them) is attached to as it is, and one holding some
//! but not all is refused. Creating the missing ones there would make
//! UASAM's own (Django) migrations fail on tables they expect to create.

use diesel::dsl::{select, sql};
use diesel::sql_types::{Array, Bool, Text};
use diesel::{PgConnection, RunQueryDsl};

use super::{MigrationError, Name};

/// Every table of UASAM's schema, in `public`.
const UASAM_TABLES: [&str; 7] = [
    "agent",
    "agent_key",
    "agent_session",
    "backend_api_keys",
    "project",
    "user_project_mapping",
    "users",
];

/// Whether diesel's bookkeeping records `version` as applied (false when
/// the bookkeeping table is not there yet; it is not created here).
pub(super) fn recorded(conn: &mut PgConnection, version: &str) -> Result<bool, MigrationError> {
    let read =
        |e: diesel::result::Error| MigrationError::Apply(format!("cannot read the schema: {e}"));
    let bookkeeping = select(sql::<Bool>(
        "to_regclass('public.__diesel_schema_migrations') IS NOT NULL",
    ))
    .get_result::<bool>(conn)
    .map_err(read)?;
    if !bookkeeping {
        return Ok(false);
    }
    select(
        sql::<Bool>("EXISTS (SELECT 1 FROM public.__diesel_schema_migrations WHERE version = ")
            .bind::<Text, _>(version)
            .sql(")"),
    )
    .get_result::<bool>(conn)
    .map_err(read)
}

/// Refuses a database holding some of UASAM's tables but not all, naming
/// those present and those missing.
pub(super) fn refuse_partial(conn: &mut PgConnection) -> Result<(), MigrationError> {
    let present: Vec<String> = diesel::sql_query(
        "SELECT t AS name FROM unnest($1::text[]) AS t \
         WHERE to_regclass('public.' || quote_ident(t)) IS NOT NULL ORDER BY 1",
    )
    .bind::<Array<Text>, _>(UASAM_TABLES.to_vec())
    .load::<Name>(conn)
    .map_err(|e| MigrationError::Apply(format!("cannot read the schema: {e}")))?
    .into_iter()
    .map(|row| row.name)
    .collect();
    if present.is_empty() || present.len() == UASAM_TABLES.len() {
        return Ok(());
    }
    let missing = UASAM_TABLES
        .iter()
        .filter(|table| !present.iter().any(|p| p == *table))
        .map(|table| (*table).to_owned())
        .collect();
    Err(MigrationError::PartialSchema { present, missing })
}
