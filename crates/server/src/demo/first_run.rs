//! What `seed-demo` prints for a first run: a curl command that lists the
//! demo agent's sessions, one that opens a session with its key, and one
//! that asks whose key it is, as OTAS's events service does on every event.

use super::{DEMO_AGENTS, DEMO_AGENT_KEY, DEMO_PROJECT};

/// How long the token in the printed command is valid, in days.
pub const DEMO_TOKEN_DAYS: i64 = 30;

/// The three commands, with the text around them, for a server listening on
/// `host`:`port` and a user token `token` of the demo user. A server bound
/// to every address (`0.0.0.0`, `::`) is called on the loopback address.
pub fn first_run_commands(host: &str, port: u16, token: &str) -> String {
    let host = match host {
        "0.0.0.0" | "::" => "127.0.0.1",
        host => host,
    };
    let agent = DEMO_AGENTS[0];
    format!(
        "List the demo agent's sessions (the token is valid for {DEMO_TOKEN_DAYS} days):

curl -s 'http://{host}:{port}/api/agent/v1/sessions/list/?agent_id={agent}&limit=5' \\
  -H 'X-OTAS-USER-TOKEN: {token}' \\
  -H 'X-OTAS-PROJECT-ID: {DEMO_PROJECT}'

Open a session as that agent with its key (demo data: never use this key elsewhere),
then run the command above again: the new session heads the list.

curl -s -X POST 'http://{host}:{port}/api/agent/v1/session/create/' \\
  -H 'X-OTAS-AGENT-KEY: {DEMO_AGENT_KEY}' \\
  -d '{{\"meta\": {{\"task\": \"first-run\"}}}}'

Ask whose key it is, as OTAS's events service does on every agent event:

curl -s -X POST 'http://{host}:{port}/api/agent/v1/auth/verify/' \\
  -H 'X-OTAS-AGENT-KEY: {DEMO_AGENT_KEY}' \\
  -d '{{}}'

"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_commands_call_the_configured_address_with_the_token_and_the_demo_ids() {
        let text = first_run_commands("10.0.0.5", 8080, "the-token");

        assert!(text.contains(&format!(
            "'http://10.0.0.5:8080/api/agent/v1/sessions/list/?agent_id={}&limit=5'",
            DEMO_AGENTS[0]
        )));
        assert!(text.contains("-H 'X-OTAS-USER-TOKEN: the-token'"));
        assert!(text.contains(&format!("-H 'X-OTAS-PROJECT-ID: {DEMO_PROJECT}'")));
        assert!(text.contains(&format!("-H 'X-OTAS-AGENT-KEY: {DEMO_AGENT_KEY}'")));
        assert!(text.contains(r#"-d '{"meta": {"task": "first-run"}}'"#));
        assert!(text.contains("'http://10.0.0.5:8080/api/agent/v1/auth/verify/'"));
    }

    #[test]
    fn a_server_bound_to_every_address_is_called_on_the_loopback_address() {
        for every in ["0.0.0.0", "::"] {
            let text = first_run_commands(every, 8000, "t");

            assert!(text.contains("'http://127.0.0.1:8000/api/agent/v1/session/create/'"));
            assert!(!text.contains(&format!("http://{every}")));
        }
    }
}
