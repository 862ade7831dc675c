//! The UASAM tables this service reads and writes, as diesel sees them in SQLite.
//! Written by hand to match `migrations/sqlite`: ids are `Text` (lower-case
//! hyphenated UUIDs), times `BigInt` (microseconds since the Unix epoch),
//! booleans `Bool` (INTEGER 0/1) and `meta` `Text` (the JSON as written).

diesel::table! {
    users (id) {
        id -> Text,
        first_name -> Text,
        middle_name -> Nullable<Text>,
        last_name -> Text,
        email -> Text,
        password -> Text,
        created_at -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    project (id) {
        id -> Text,
        name -> Text,
        description -> Text,
        created_at -> BigInt,
        updated_at -> BigInt,
        is_active -> Bool,
        created_by_id -> Text,
        domain -> Nullable<Text>,
    }
}

diesel::table! {
    user_project_mapping (id) {
        id -> BigInt,
        privilege -> Integer,
        created_at -> BigInt,
        updated_at -> BigInt,
        is_active -> Bool,
        project_id -> Text,
        user_id -> Text,
    }
}

diesel::table! {
    agent (id) {
        id -> Text,
        name -> Text,
        description -> Text,
        provider -> Text,
        created_at -> BigInt,
        updated_at -> BigInt,
        is_active -> Bool,
        created_by_id -> Text,
        project_id -> Text,
    }
}

diesel::table! {
    agent_key (id) {
        id -> Text,
        prefix -> Text,
        hashed_key -> Text,
        name -> Nullable<Text>,
        created_at -> BigInt,
        last_used_at -> Nullable<BigInt>,
        revoked_at -> Nullable<BigInt>,
        expires_at -> Nullable<BigInt>,
        active -> Bool,
        agent_id -> Text,
    }
}

diesel::table! {
    agent_session (id) {
        id -> Text,
        created_at -> BigInt,
        meta -> Text,
        agent_id -> Text,
        agent_key_id -> Nullable<Text>,
    }
}

diesel::table! {
    backend_api_keys (id) {
        id -> Text,
        prefix -> Text,
        hashed_key -> Text,
        name -> Nullable<Text>,
        created_at -> BigInt,
        last_used_at -> Nullable<BigInt>,
        revoked_at -> Nullable<BigInt>,
        expires_at -> Nullable<BigInt>,
        active -> Bool,
        project_id -> Text,
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
