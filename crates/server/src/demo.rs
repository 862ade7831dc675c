//! Demonstration data for a first run: a user, a project, the membership, two
//! agents and a few hundred sessions with varied `meta` and times, and the
//! commands `seed-demo` prints to try them (`first_run`).
//!
//! Every id is fixed, so that the command a newcomer is shown keeps working
//! from one run to the next.

use otas_domain::{AgentId, AgentKeyId, ProjectId, SessionId, Timestamp, UserId};
use otas_ports::{
    AgentKeyRow, AgentRow, MembershipRow, ProjectRow, Row, RowWriter, SessionRow, StoreError,
    UserDirectory, UserRow,
};
use uuid::Uuid;

mod first_run;
pub use first_run::{first_run_commands, DEMO_TOKEN_DAYS};

/// The demo user.
pub const DEMO_USER: UserId =
    UserId::from_uuid(Uuid::from_u128(0xde30_0000_0000_4000_8000_0000_0000_0001));
/// The demo user's email.
pub const DEMO_EMAIL: &str = "demo@otas.example";
/// The demo project.
pub const DEMO_PROJECT: ProjectId =
    ProjectId::from_uuid(Uuid::from_u128(0xde30_0000_0000_4000_8000_0000_0000_0002));
/// The demo agents: a summarizer with many sessions and a classifier with fewer.
pub const DEMO_AGENTS: [AgentId; 2] = [
    AgentId::from_uuid(Uuid::from_u128(0xde30_0000_0000_4000_8000_0000_0000_00a1)),
    AgentId::from_uuid(Uuid::from_u128(0xde30_0000_0000_4000_8000_0000_0000_00a2)),
];
/// The demo agent's key, in clear: demo data, printed for the first run's
/// second command; never use it anywhere else.
pub const DEMO_AGENT_KEY: &str = "agent_demodemo000_RGVtb0tleS1Pbmx5LUZvclRoZUZpcnN0UnVuLTAwMDE";
/// Its prefix, as stored.
const DEMO_KEY_PREFIX: &str = "demodemo000";
/// The salt of its stored hash.
const DEMO_KEY_SALT: &str = "otasdemosalt0001";

/// The key the demo sessions were opened with.
pub const DEMO_KEY: AgentKeyId =
    AgentKeyId::from_uuid(Uuid::from_u128(0xde30_0000_0000_4000_8000_0000_0000_00c1));

/// One demo agent.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoAgent {
    pub id: AgentId,
    pub name: &'static str,
    pub provider: &'static str,
}

/// One demo session.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoSession {
    pub id: SessionId,
    pub agent: AgentId,
    pub agent_key: Option<AgentKeyId>,
    pub created_at: Timestamp,
    /// JSON object text.
    pub meta: String,
}

/// Everything the demo writes.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoData {
    pub user: UserId,
    pub email: &'static str,
    pub project: ProjectId,
    pub agents: Vec<DemoAgent>,
    pub key: AgentKeyId,
    pub sessions: Vec<DemoSession>,
    /// When the rows say they were created.
    pub now: Timestamp,
}

impl DemoData {
    /// The demo, with sessions spread over the 30 days before `now`.
    pub fn generate(now: Timestamp) -> Self {
        const TASKS: [&str; 5] = ["summarize", "classify", "translate", "extract", "answer"];
        const MODELS: [&str; 3] = ["claude-sonnet-4", "claude-haiku-4", "gpt-4.1"];
        let mut sessions = Vec::new();
        for n in 0..360u32 {
            let agent = DEMO_AGENTS[usize::from(n % 3 == 2)];
            // Pairs of sessions a few milliseconds apart, a pair every four hours.
            let age_micros = i64::from(n / 2 * 2) * 7_200_000_000 + i64::from(n % 7) * 1_000;
            let created_at = Timestamp::from_micros(now.as_micros() - age_micros).unwrap_or(now);
            let meta = format!(
                r#"{{"task": "{}", "input_length": {}, "model": "{}", "ok": {}, "tags": ["demo", "batch-{}"], "trace": {{"retries": {}}}}}"#,
                TASKS[n as usize % TASKS.len()],
                (n * 137) % 4096,
                MODELS[n as usize % MODELS.len()],
                n % 11 != 0,
                n % 4,
                n % 3
            );
            sessions.push(DemoSession {
                id: SessionId::from_uuid(Uuid::from_u128(
                    0xde30_0000_0000_4000_8000_0001_0000_0000 + u128::from(n),
                )),
                agent,
                agent_key: (n % 5 != 0).then_some(DEMO_KEY),
                created_at,
                meta,
            });
        }
        Self {
            user: DEMO_USER,
            email: DEMO_EMAIL,
            project: DEMO_PROJECT,
            agents: vec![
                DemoAgent {
                    id: DEMO_AGENTS[0],
                    name: "demo-summarizer",
                    provider: "anthropic",
                },
                DemoAgent {
                    id: DEMO_AGENTS[1],
                    name: "demo-classifier",
                    provider: "openai",
                },
            ],
            key: DEMO_KEY,
            sessions,
            now,
        }
    }
}

/// A password hash no password verifies: the demo user logs in with tokens only.
const NO_PASSWORD: &str = "!demo-user-without-password";

impl DemoData {
    /// The rows to write, each after the rows it refers to.
    pub fn rows(&self) -> Vec<Row> {
        let now = self.now;
        let mut rows = vec![
            Row::User(UserRow {
                id: self.user,
                first_name: "Demo".to_owned(),
                last_name: "User".to_owned(),
                email: self.email.to_owned(),
                password: NO_PASSWORD.to_owned(),
                created_at: now,
            }),
            Row::Project(ProjectRow {
                id: self.project,
                name: "Demo project".to_owned(),
                description: "Created by otas-server seed-demo".to_owned(),
                owner: self.user,
                is_active: true,
                created_at: now,
            }),
            Row::Membership(MembershipRow {
                user: self.user,
                project: self.project,
                privilege: 1,
                is_active: true,
                created_at: now,
            }),
        ];
        rows.extend(self.agents.iter().map(|agent| {
            Row::Agent(AgentRow {
                id: agent.id,
                project: self.project,
                owner: self.user,
                name: agent.name.to_owned(),
                description: "Demo agent".to_owned(),
                provider: agent.provider.to_owned(),
                is_active: true,
                created_at: now,
            })
        }));
        if let Some(first) = self.agents.first() {
            rows.push(Row::AgentKey(AgentKeyRow {
                id: self.key,
                agent: first.id,
                prefix: DEMO_KEY_PREFIX.to_owned(),
                // Hashed as UASAM hashes keys (Django, 720,000 rounds).
                hashed_key: otas_auth_adapter::django_pbkdf2_sha256(
                    DEMO_AGENT_KEY,
                    DEMO_KEY_SALT,
                    720_000,
                ),
                name: Some("demo key".to_owned()),
                active: true,
                created_at: now,
                revoked_at: None,
                expires_at: None,
            }));
        }
        rows.extend(self.sessions.iter().map(|session| {
            Row::Session(SessionRow {
                id: session.id,
                agent: session.agent,
                agent_key: session.agent_key,
                created_at: session.created_at,
                meta: session.meta.clone(),
            })
        }));
        rows
    }
}

/// Writes the demo, in one transaction, into a store that has no user yet.
/// Returns whether it wrote it: a store with users (a real UASAM database, or
/// a second run) is left as it is.
pub fn seed_demo(
    users: &dyn UserDirectory,
    rows: &dyn RowWriter,
    now: Timestamp,
) -> Result<bool, StoreError> {
    if users.has_users()? {
        return Ok(false);
    }
    rows.write(&DemoData::generate(now).rows())?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use otas_ports::{MockRowWriter, MockUserDirectory};

    use super::*;

    fn now() -> Timestamp {
        Timestamp::from_micros(1_776_349_800_000_000).expect("in range")
    }

    #[test]
    fn the_demo_has_hundreds_of_sessions_for_two_agents_with_valid_meta() {
        let demo = DemoData::generate(now());
        assert!(demo.sessions.len() >= 300);
        for agent in DEMO_AGENTS {
            assert!(demo.sessions.iter().filter(|s| s.agent == agent).count() >= 100);
        }
        for session in &demo.sessions {
            let meta: serde_json::Value = serde_json::from_str(&session.meta).expect("JSON");
            assert!(meta.is_object());
            assert!(session.created_at <= now());
        }
        let mut ids: Vec<_> = demo.sessions.iter().map(|s| s.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), demo.sessions.len(), "ids are unique");
    }

    #[test]
    fn the_demo_key_is_stored_as_uasam_stores_keys_and_verifies() {
        use otas_ports::AgentKeyHasher;
        let rows = DemoData::generate(now()).rows();
        let Some(Row::AgentKey(key)) = rows.iter().find(|r| matches!(r, Row::AgentKey(_))) else {
            panic!("a demo key row");
        };
        assert!(DEMO_AGENT_KEY.starts_with(&format!("agent_{}_", key.prefix)));
        assert!(otas_auth_adapter::DjangoKeyHasher::new([0; 32])
            .verify(DEMO_AGENT_KEY, &key.hashed_key));
    }

    #[test]
    fn a_store_without_users_gets_every_demo_row_in_one_write() {
        let mut users = MockUserDirectory::new();
        users.expect_has_users().return_once(|| Ok(false));
        let mut rows = MockRowWriter::new();
        rows.expect_write()
            .withf(|rows| {
                matches!(rows.first(), Some(Row::User(user)) if user.id == DEMO_USER)
                    && rows.iter().filter(|r| matches!(r, Row::Session(_))).count() >= 300
            })
            .times(1)
            .return_once(|_| Ok(()));

        assert_eq!(seed_demo(&users, &rows, now()), Ok(true));
    }

    #[test]
    fn a_store_with_users_is_left_alone() {
        let mut users = MockUserDirectory::new();
        users.expect_has_users().return_once(|| Ok(true));

        assert_eq!(seed_demo(&users, &MockRowWriter::new(), now()), Ok(false));
    }
}
