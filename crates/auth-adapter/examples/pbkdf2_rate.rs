//! Django's pbkdf2_sha256 at 720,000 rounds, run on its own: the reference
//! `make bench` sets a cold key verification against (the same code the
//! service runs, without the service around it).
//!
//! `cargo run --release -p otas-auth-adapter --example pbkdf2_rate -- THREADS SECONDS`
//! prints `hashes/s` over THREADS threads hashing for SECONDS seconds.

use std::time::{Duration, Instant};

use otas_auth_adapter::{django_pbkdf2_sha256, ISSUED_KEY_ITERATIONS};

fn main() {
    let mut args = std::env::args().skip(1);
    let threads: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(2);
    let seconds: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(10);
    let until = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let counts: Vec<u64> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|n| {
                scope.spawn(move || {
                    let key =
                        format!("otas_benchsdk{n:04}_QmVuY2hTZGtLZXktTm90Rm9yUHJvZHVjdGlvbi0wMDA");
                    let mut hashed = 0;
                    while Instant::now() < until {
                        std::hint::black_box(django_pbkdf2_sha256(
                            &key,
                            "benchsalt0000001",
                            ISSUED_KEY_ITERATIONS,
                        ));
                        hashed += 1;
                    }
                    hashed
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap_or(0)).collect()
    });
    let total: u64 = counts.iter().sum();
    println!("{:.1}", total as f64 / started.elapsed().as_secs_f64());
}
