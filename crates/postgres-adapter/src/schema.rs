//! The UASAM tables this service reads and writes, as diesel sees them.
//! Written by hand to match `migrations/postgres` (and UASAM's own schema).

diesel::table! {
    users (id) {
        id -> Uuid,
        first_name -> Varchar,
        middle_name -> Nullable<Varchar>,
        last_name -> Varchar,
        email -> Varchar,
        password -> Varchar,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    project (id) {
        id -> Uuid,
        name -> Varchar,
        description -> Varchar,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        is_active -> Bool,
        created_by_id -> Uuid,
        domain -> Nullable<Varchar>,
    }
}

diesel::table! {
    user_project_mapping (id) {
        id -> Int8,
        privilege -> Int2,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        is_active -> Bool,
        project_id -> Uuid,
        user_id -> Uuid,
    }
}

diesel::table! {
    agent (id) {
        id -> Uuid,
        name -> Text,
        description -> Text,
        provider -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        is_active -> Bool,
        created_by_id -> Uuid,
        project_id -> Uuid,
    }
}

diesel::table! {
    agent_key (id) {
        id -> Uuid,
        prefix -> Varchar,
        hashed_key -> Text,
        name -> Nullable<Varchar>,
        created_at -> Timestamptz,
        last_used_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
        expires_at -> Nullable<Timestamptz>,
        active -> Bool,
        agent_id -> Uuid,
    }
}

diesel::table! {
    agent_session (id) {
        id -> Uuid,
        created_at -> Timestamptz,
        meta -> Jsonb,
        agent_id -> Uuid,
        agent_key_id -> Nullable<Uuid>,
    }
}

diesel::table! {
    backend_api_keys (id) {
        id -> Uuid,
        prefix -> Varchar,
        hashed_key -> Text,
        name -> Nullable<Varchar>,
        created_at -> Timestamptz,
        last_used_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
        expires_at -> Nullable<Timestamptz>,
        active -> Bool,
        project_id -> Uuid,
    }
}

diesel::joinable!(user_project_mapping -> project (project_id));
diesel::joinable!(backend_api_keys -> project (project_id));
diesel::joinable!(agent_session -> agent (agent_id));
diesel::joinable!(agent_key -> agent (agent_id));

diesel::allow_tables_to_appear_in_same_query!(
    users,
    project,
    user_project_mapping,
    agent,
    agent_key,
    agent_session,
    backend_api_keys
);
