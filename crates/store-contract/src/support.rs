//! What the contract's tests share: times, and the project and agents most
//! of them start from.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::Fixture;

/// Parses an RFC 3339 time.
pub(crate) fn at(rfc3339: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(rfc3339)
        .expect("an RFC 3339 time")
        .with_timezone(&Utc)
}

/// A fresh store with an active project and two active agents of it, the
/// second one there to prove that the first one's listing leaves it out.
pub(crate) struct TwoAgents<F> {
    pub(crate) fixture: F,
    pub(crate) agent: Uuid,
    pub(crate) other_agent: Uuid,
}

impl<F: Fixture> TwoAgents<F> {
    pub(crate) fn new() -> Self {
        let mut fixture = F::migrated();
        let owner = Uuid::new_v4();
        let project = Uuid::new_v4();
        let agent = Uuid::new_v4();
        let other_agent = Uuid::new_v4();
        fixture.insert_user(owner, "owner@example.com");
        fixture.insert_project(project, owner, true);
        fixture.insert_agent(agent, project, owner, true);
        fixture.insert_agent(other_agent, project, owner, true);
        Self {
            fixture,
            agent,
            other_agent,
        }
    }
}
