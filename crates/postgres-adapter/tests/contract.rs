//! The store contract (`otas-store-contract`) run against PostgreSQL, through
//! this adapter's fixture: a database of each test's own, the stores over a
//! pool as the server builds them, rows written by the adapter's row writer.

otas_store_contract::store_contract_tests!(otas_postgres_adapter::test_support::PgFixture);
