//! The store contract (`otas-store-contract`) run against PostgreSQL: a
//! database of each test's own, both stores over a pool as the server builds
//! them, and rows written with `test_support`, as UASAM writes them.

mod common;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use common::Stores;
use otas_ports::{AccessStore, SessionStore};
use otas_postgres_adapter::test_support;
use otas_postgres_adapter::PgSessionStore;
use otas_store_contract::Fixture;
use uuid::Uuid;

impl Fixture for Stores {
    fn migrated() -> Self {
        Stores::new()
    }

    fn access_store(&self) -> &dyn AccessStore {
        &self.access
    }

    fn session_store(&self) -> &dyn SessionStore {
        &self.sessions
    }

    fn insert_user(&mut self, id: Uuid, email: &str) {
        test_support::insert_user(&mut self.conn, id, email);
    }

    fn insert_project(&mut self, id: Uuid, owner: Uuid, is_active: bool) {
        test_support::insert_project(&mut self.conn, id, owner, is_active);
    }

    fn insert_membership(&mut self, user: Uuid, project: Uuid, is_active: bool) {
        test_support::insert_membership(&mut self.conn, user, project, is_active);
    }

    fn insert_agent(&mut self, id: Uuid, project: Uuid, owner: Uuid, is_active: bool) {
        test_support::insert_agent(&mut self.conn, id, project, owner, is_active);
    }

    fn insert_agent_key(&mut self, id: Uuid, agent: Uuid) {
        test_support::insert_agent_key(&mut self.conn, id, agent);
    }

    fn insert_session(
        &mut self,
        id: Uuid,
        agent: Uuid,
        agent_key: Option<Uuid>,
        created_at: DateTime<Utc>,
        meta: &str,
    ) {
        test_support::insert_session(&mut self.conn, id, agent, agent_key, created_at, meta);
    }

    fn delete_session(&mut self, id: Uuid) {
        test_support::delete_session(&mut self.conn, id);
    }

    fn session_store_pausing(&self, between: Arc<dyn Fn() + Send + Sync>) -> Box<dyn SessionStore> {
        let store = PgSessionStore::new(common::pool(self.db.url()));
        Box::new(store.with_hook_between_reads(between))
    }

    fn concurrent_writer(&self) -> Arc<dyn Fn(Uuid, Uuid, DateTime<Utc>) + Send + Sync> {
        let url = self.db.url().to_owned();
        Arc::new(move |id, agent, created_at| {
            let mut conn = test_support::connect_to(&url);
            test_support::insert_session(&mut conn, id, agent, None, created_at, "{}");
        })
    }
}

otas_store_contract::store_contract_tests!(Stores);
