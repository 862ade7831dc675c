//! UASAM's `users`, for the operators' commands.

use diesel::prelude::*;
use otas_domain::UserId;
use otas_ports::{StoreError, UserDirectory};

use crate::error::from_query;
use crate::pool::{checkout, SqlitePool};
use crate::schema::users;

/// Looks users up in UASAM's `users` on SQLite.
#[derive(Clone, Debug)]
pub struct SqliteUserDirectory {
    pool: SqlitePool,
}

impl SqliteUserDirectory {
    /// A directory over the pool's database.
    pub fn new(pool: SqlitePool) -> Self {
        Self { pool }
    }
}

impl UserDirectory for SqliteUserDirectory {
    fn user_email(&self, user: UserId) -> Result<Option<String>, StoreError> {
        // One primary-key lookup.
        let mut conn = checkout(&self.pool)?;
        users::table
            .filter(users::id.eq(user.to_string()))
            .select(users::email)
            .first::<String>(&mut conn)
            .optional()
            .map_err(from_query)
    }

    fn has_users(&self) -> Result<bool, StoreError> {
        // EXISTS stops at the first row.
        let mut conn = checkout(&self.pool)?;
        diesel::select(diesel::dsl::exists(users::table.select(users::id)))
            .get_result(&mut conn)
            .map_err(from_query)
    }
}
