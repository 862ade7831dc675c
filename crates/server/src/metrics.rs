//! The process's Prometheus recorder: installed once, rendered by
//! `GET /metrics`.

use otas_http::MetricsText;
use std::sync::OnceLock;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// Request latencies, in seconds: from a cached page to a long whole list.
const LATENCY_BUCKETS: [f64; 13] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// How often recorded histogram samples are folded into their buckets.
const UPKEEP_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// A renderer of every metric recorded in this process, installing the
/// recorder on first use (later calls, as in-process tests make, share it).
/// Renders nothing when another recorder was installed first.
pub fn renderer() -> MetricsText {
    let handle = HANDLE.get_or_init(|| {
        let builder = PrometheusBuilder::new()
            .set_buckets_for_metric(
                Matcher::Full("otas_http_request_duration_seconds".to_owned()),
                &LATENCY_BUCKETS,
            )
            .ok()?;
        match builder.install_recorder() {
            Ok(handle) => {
                keep_up(handle.clone());
                Some(handle)
            }
            Err(error) => {
                tracing::warn!(%error, "metrics recorder not installed");
                None
            }
        }
    });
    match handle.clone() {
        Some(handle) => MetricsText::new(move || handle.render()),
        None => MetricsText::new(String::new),
    }
}

/// Folds the samples recorded since the last time into the histograms'
/// buckets, every [`UPKEEP_EVERY`], on a thread of its own. The recorder
/// queues each sample until then: without this, a service that nobody
/// scrapes would hold every latency it ever measured.
fn keep_up(handle: PrometheusHandle) {
    let started = std::thread::Builder::new()
        .name("metrics-upkeep".to_owned())
        .spawn(move || loop {
            std::thread::sleep(UPKEEP_EVERY);
            handle.run_upkeep();
        });
    if let Err(error) = started {
        tracing::warn!(%error, "metrics upkeep not started: samples are folded only when scraped");
    }
}
