//! A PostgreSQL restarted while eight clients list without pause: every
//! answer 200 or a JSON 503, none past the deadline, and 200 again once it is
//! back, without restarting the service.

use std::time::{Duration as StdDuration, Instant};

use reqwest::StatusCode;
use serde_json::Value;

use crate::outage::private_cluster_with_world;
use crate::support::cluster::PrivateCluster;
use crate::support::tokens::VALID;
use crate::support::world::*;
use crate::support::{error_body, TestApp};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_restarted_under_load_never_hangs_a_request_and_serving_resumes_on_its_own() {
    let (cluster, url) = private_cluster_with_world();
    let app = TestApp::spawn_with(
        &url,
        &[
            ("OTAS__DATABASE__CONNECTION_TIMEOUT_MS", "1000"),
            ("OTAS__DATABASE__STATEMENT_TIMEOUT_MS", "2000"),
        ],
    )
    .await;
    let (project, query) = (PROJECT_A.to_string(), format!("agent_id={AGENT_A}"));
    let stop = std::sync::atomic::AtomicBool::new(false);
    // Eight clients list without pause while the database stops and starts.
    let clients = futures_util::future::join_all((0..8).map(|_| {
        let (app, project, query, stop) = (&app, &project, &query, &stop);
        async move {
            let mut answers = Vec::new();
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let started = Instant::now();
                let response = app.list(Some(VALID), Some(project), query).await;
                let status = response.status();
                let body = response.json::<Value>().await.ok();
                answers.push((Instant::now(), status, started.elapsed(), body));
            }
            answers
        }
    }));
    let cluster = std::sync::Arc::new(cluster);
    let restart = async {
        // pg_ctl blocks: on a thread of its own, while the clients go on.
        let run = |step: fn(&PrivateCluster)| {
            let cluster = cluster.clone();
            tokio::task::spawn_blocking(move || step(&cluster))
        };
        tokio::time::sleep(StdDuration::from_millis(1500)).await;
        run(PrivateCluster::stop).await.expect("stopped");
        tokio::time::sleep(StdDuration::from_millis(1500)).await;
        run(PrivateCluster::start_again).await.expect("started");
        let restarted = Instant::now();
        // Load goes on for a while after the restart.
        tokio::time::sleep(StdDuration::from_secs(6)).await;
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        restarted
    };
    let (answers, restarted) = tokio::join!(clients, restart);
    let answers: Vec<_> = answers.into_iter().flatten().collect();

    let unavailable = answers
        .iter()
        .filter(|(_, status, _, _)| *status == StatusCode::SERVICE_UNAVAILABLE)
        .count();
    assert!(
        unavailable > 0,
        "the outage was seen: {} answers",
        answers.len()
    );
    for (_, status, waited, body) in &answers {
        assert!(
            *status == StatusCode::OK || *status == StatusCode::SERVICE_UNAVAILABLE,
            "{status}"
        );
        if *status == StatusCode::SERVICE_UNAVAILABLE {
            assert_eq!(body.as_ref(), Some(&error_body("service_unavailable")));
        }
        // The deadline is 1 s + 2 s + 0.5 s; never a hang beyond it.
        assert!(
            *waited < StdDuration::from_secs(5),
            "{status} after {waited:?}"
        );
    }
    let recovered = answers
        .iter()
        .filter(|(at, ..)| *at > restarted + StdDuration::from_secs(3))
        .collect::<Vec<_>>();
    assert!(!recovered.is_empty(), "requests after the restart");
    assert!(
        recovered
            .iter()
            .all(|(_, status, ..)| *status == StatusCode::OK),
        "every list 3 s after the restart answers 200, without restarting the service"
    );
}
