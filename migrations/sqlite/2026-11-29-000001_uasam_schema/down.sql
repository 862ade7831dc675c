-- This database belongs to the service alone (unlike UASAM's PostgreSQL
-- database): reverting the migration drops its tables, children first.
DROP TABLE backend_api_keys;
DROP TABLE agent_session;
DROP TABLE agent_key;
DROP TABLE agent;
DROP TABLE user_project_mapping;
DROP TABLE project;
DROP TABLE users;
