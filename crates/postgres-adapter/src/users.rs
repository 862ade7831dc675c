//! UASAM's `users`, for the operators' commands.

use diesel::prelude::*;
use otas_domain::UserId;
use otas_ports::{StoreError, UserDirectory};

use crate::pool::{with_connection, PgPool};
use crate::schema::users;

/// Looks users up in UASAM's `users` on PostgreSQL.
#[derive(Clone, Debug)]
pub struct PgUserDirectory {
    pool: PgPool,
}

impl PgUserDirectory {
    /// A directory over the pool's database.
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }
}

impl UserDirectory for PgUserDirectory {
    fn user_email(&self, user: UserId) -> Result<Option<String>, StoreError> {
        // One primary-key lookup.
        with_connection(&self.pool, |conn| {
            users::table
                .filter(users::id.eq(*user.as_uuid()))
                .select(users::email)
                .first::<String>(conn)
                .optional()
        })
    }

    fn has_users(&self) -> Result<bool, StoreError> {
        // EXISTS stops at the first row.
        with_connection(&self.pool, |conn| {
            diesel::select(diesel::dsl::exists(users::table.select(users::id))).get_result(conn)
        })
    }
}
