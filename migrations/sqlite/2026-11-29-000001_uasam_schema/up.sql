-- The OTAS UASAM schema in SQLite: the same 7 tables and columns as UASAM's
-- PostgreSQL schema (shared/spec/uasam-schema.md), in SQLite's types.
--
-- * ids (uuid) are TEXT holding lower-case hyphenated UUIDs, so that their
--   byte order is PostgreSQL's uuid order (a CHECK keeps them so);
-- * times (timestamptz) are INTEGER microseconds since the Unix epoch: exact
--   to the microsecond, like timestamptz, and sorted as numbers;
-- * booleans are INTEGER 0 or 1;
-- * meta (jsonb) is TEXT holding the JSON exactly as written, so it comes
--   back byte for byte (jsonb would normalize it); it must be valid JSON;
-- * varchar(n) is TEXT with a CHECK on its length, as PostgreSQL enforces it.
--
-- STRICT tables refuse a value of any other type. Foreign keys are enforced
-- when the connection sets `PRAGMA foreign_keys = ON` (the adapter's pool
-- does) and, as UASAM declares them, DEFERRABLE INITIALLY DEFERRED without
-- ON DELETE. UASAM generates every id itself: no column has a default but
-- user_project_mapping.id, an identity (here the rowid).

CREATE TABLE users (
    id          TEXT PRIMARY KEY NOT NULL
        CHECK (id GLOB '????????-????-????-????-????????????' AND id NOT GLOB '*[^0-9a-f-]*'),
    first_name  TEXT NOT NULL CHECK (length(first_name) <= 100),
    middle_name TEXT CHECK (length(middle_name) <= 100),
    last_name   TEXT NOT NULL CHECK (length(last_name) <= 100),
    email       TEXT NOT NULL UNIQUE CHECK (length(email) <= 254),
    password    TEXT NOT NULL CHECK (length(password) <= 128),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE project (
    id            TEXT PRIMARY KEY NOT NULL
        CHECK (id GLOB '????????-????-????-????-????????????' AND id NOT GLOB '*[^0-9a-f-]*'),
    name          TEXT NOT NULL CHECK (length(name) <= 255),
    description   TEXT NOT NULL CHECK (length(description) <= 300),
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    is_active     INTEGER NOT NULL CHECK (is_active IN (0, 1)),
    created_by_id TEXT NOT NULL
        REFERENCES users (id) DEFERRABLE INITIALLY DEFERRED,
    domain        TEXT CHECK (length(domain) <= 200)
) STRICT;
CREATE INDEX project_created_at_idx ON project (created_at);
CREATE INDEX project_created_by_id_idx ON project (created_by_id);

CREATE TABLE user_project_mapping (
    id         INTEGER PRIMARY KEY NOT NULL,
    privilege  INTEGER NOT NULL CHECK (privilege >= 0 AND privilege <= 32767),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    is_active  INTEGER NOT NULL CHECK (is_active IN (0, 1)),
    project_id TEXT NOT NULL
        REFERENCES project (id) DEFERRABLE INITIALLY DEFERRED,
    user_id    TEXT NOT NULL
        REFERENCES users (id) DEFERRABLE INITIALLY DEFERRED,
    CONSTRAINT user_project_mapping_user_id_project_id_uniq UNIQUE (user_id, project_id)
) STRICT;
CREATE INDEX user_project_mapping_user_id_idx ON user_project_mapping (user_id);
CREATE INDEX user_project_mapping_project_id_idx ON user_project_mapping (project_id);

CREATE TABLE agent (
    id            TEXT PRIMARY KEY NOT NULL
        CHECK (id GLOB '????????-????-????-????-????????????' AND id NOT GLOB '*[^0-9a-f-]*'),
    name          TEXT NOT NULL,
    description   TEXT NOT NULL,
    provider      TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    is_active     INTEGER NOT NULL CHECK (is_active IN (0, 1)),
    created_by_id TEXT NOT NULL
        REFERENCES users (id) DEFERRABLE INITIALLY DEFERRED,
    project_id    TEXT NOT NULL
        REFERENCES project (id) DEFERRABLE INITIALLY DEFERRED
) STRICT;
CREATE INDEX agent_project_id_idx ON agent (project_id);
CREATE INDEX agent_provider_idx ON agent (provider);
CREATE INDEX agent_created_by_id_idx ON agent (created_by_id);

CREATE TABLE agent_key (
    id           TEXT PRIMARY KEY NOT NULL
        CHECK (id GLOB '????????-????-????-????-????????????' AND id NOT GLOB '*[^0-9a-f-]*'),
    prefix       TEXT NOT NULL CHECK (length(prefix) <= 255),
    hashed_key   TEXT NOT NULL,
    name         TEXT CHECK (length(name) <= 255),
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at   INTEGER,
    expires_at   INTEGER,
    active       INTEGER NOT NULL CHECK (active IN (0, 1)),
    agent_id     TEXT NOT NULL
        REFERENCES agent (id) DEFERRABLE INITIALLY DEFERRED
) STRICT;
CREATE INDEX agent_key_agent_id_idx ON agent_key (agent_id);
CREATE INDEX agent_key_prefix_idx ON agent_key (prefix);
CREATE INDEX agent_key_active_idx ON agent_key (active);

CREATE TABLE agent_session (
    id           TEXT PRIMARY KEY NOT NULL
        CHECK (id GLOB '????????-????-????-????-????????????' AND id NOT GLOB '*[^0-9a-f-]*'),
    created_at   INTEGER NOT NULL,
    meta         TEXT NOT NULL CHECK (json_valid(meta)),
    agent_id     TEXT NOT NULL
        REFERENCES agent (id) DEFERRABLE INITIALLY DEFERRED,
    agent_key_id TEXT
        REFERENCES agent_key (id) DEFERRABLE INITIALLY DEFERRED
) STRICT;
CREATE INDEX agent_session_agent_id_idx ON agent_session (agent_id);
CREATE INDEX agent_session_agent_key_id_idx ON agent_session (agent_key_id);
-- Serves "sessions of one agent in (created_at, id) order" from the index, in
-- both directions and from any keyset position (PostgreSQL gets the same
-- index from its second migration).
CREATE INDEX agent_session_agent_created_id_idx
    ON agent_session (agent_id, created_at DESC, id DESC);

CREATE TABLE backend_api_keys (
    id           TEXT PRIMARY KEY NOT NULL
        CHECK (id GLOB '????????-????-????-????-????????????' AND id NOT GLOB '*[^0-9a-f-]*'),
    prefix       TEXT NOT NULL CHECK (length(prefix) <= 255),
    hashed_key   TEXT NOT NULL,
    name         TEXT CHECK (length(name) <= 255),
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at   INTEGER,
    expires_at   INTEGER,
    active       INTEGER NOT NULL CHECK (active IN (0, 1)),
    project_id   TEXT NOT NULL
        REFERENCES project (id) DEFERRABLE INITIALLY DEFERRED
) STRICT;
CREATE INDEX backend_api_keys_project_id_idx ON backend_api_keys (project_id);
CREATE INDEX backend_api_keys_prefix_idx ON backend_api_keys (prefix);
CREATE INDEX backend_api_keys_active_idx ON backend_api_keys (active);
