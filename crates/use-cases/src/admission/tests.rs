use std::sync::atomic::{AtomicIsize, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::thread;

use super::*;

/// Waits until `count` callers wait for room in `admission`.
fn until_waiting(admission: &Admission, count: usize) {
    let started = Instant::now();
    while admission.shared.lock().waiting < count {
        assert!(started.elapsed() < Duration::from_secs(5), "nobody waits");
        thread::sleep(Duration::from_millis(1));
    }
}

#[test]
fn beyond_the_bound_a_taker_is_refused_and_a_returned_share_makes_room() {
    let admission = Admission::new(2);
    let first = admission.try_take().expect("room");
    let _second = admission.try_take().expect("room");

    assert!(admission.try_take().is_none());
    assert!(!admission.has_room());
    assert_eq!(admission.held(), 2, "a refused taker holds nothing");
    drop(first);
    assert!(admission.has_room());
    assert!(admission.try_take().is_some());
}

#[test]
fn a_bound_of_none_is_a_bound_of_one() {
    let admission = Admission::new(0);

    let only = admission.try_take();
    assert!(only.is_some());
    assert!(admission.try_take().is_none());
}

#[test]
fn a_weighted_share_beyond_the_bound_is_refused_and_a_smaller_one_still_fits() {
    let bytes = Admission::new(100);
    let big = bytes.try_take_weighted(80).expect("fits");

    assert!(bytes.try_take_weighted(30).is_none());
    assert_eq!(bytes.held(), 80, "a refused share holds nothing");
    let small = bytes
        .try_take_weighted(20)
        .expect("a small share still fits");
    assert_eq!(small.weight(), 20);
    drop(big);
    drop(small);
    assert_eq!(bytes.held(), 0);
    assert!(bytes.has_room());
}

#[test]
fn a_share_taken_anyway_passes_the_bound_and_keeps_new_work_out_until_given_back() {
    let bytes = Admission::new(100);
    let under_way = bytes.take_anyway(150);

    assert_eq!(bytes.held(), 150);
    assert!(!bytes.has_room());
    assert!(bytes.try_take_weighted(1).is_none());
    drop(under_way);
    assert!(bytes.try_take_weighted(100).is_some());
}

#[test]
fn many_threads_never_hold_more_than_the_bound() {
    const BOUND: usize = 3;
    let admission = Admission::new(BOUND);
    let inside = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let admitted = Arc::new(AtomicUsize::new(0));
    let start = Arc::new(Barrier::new(16));

    let threads: Vec<_> = (0..16)
        .map(|_| {
            let (admission, inside, most, admitted, start) = (
                admission.clone(),
                inside.clone(),
                most.clone(),
                admitted.clone(),
                start.clone(),
            );
            thread::spawn(move || {
                start.wait();
                for _ in 0..200 {
                    if let Some(_share) = admission.try_take() {
                        let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        admitted.fetch_add(1, Ordering::SeqCst);
                        thread::yield_now();
                        inside.fetch_sub(1, Ordering::SeqCst);
                    }
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().expect("a taker");
    }

    assert!(most.load(Ordering::SeqCst) <= BOUND, "never past the bound");
    assert!(admitted.load(Ordering::SeqCst) > 0);
    assert_eq!(admission.held(), 0, "every share given back");
}

#[test]
fn a_share_moved_into_work_that_panics_is_given_back() {
    let admission = Admission::new(1);
    let share = admission.try_take().expect("room");

    let work = thread::spawn(move || {
        let _held_until_the_work_ends = share;
        panic!("the work fails");
    });
    assert!(work.join().is_err(), "the work panicked");
    assert_eq!(admission.held(), 0);
    assert!(admission.try_take().is_some());
}

#[test]
fn beyond_the_bound_a_taker_waits_then_gives_up_at_its_patience() {
    let slots = Admission::new(1).queueing(4);
    let first = slots.take_within(Duration::ZERO).expect("room");

    let started = Instant::now();
    assert!(slots.take_within(Duration::from_millis(50)).is_none());
    let waited = started.elapsed();
    assert!(waited >= Duration::from_millis(50), "waited its patience");
    assert!(waited < Duration::from_secs(2), "then gave up");
    assert_eq!(slots.shared.lock().waiting, 0, "and left the queue");
    drop(first);
    assert!(slots.take_within(Duration::ZERO).is_some());
}

#[test]
fn a_waiter_takes_the_share_given_back_while_it_waits() {
    let slots = Admission::new(1).queueing(1);
    let held = slots.take_within(Duration::ZERO).expect("room");
    let waiter = {
        let slots = slots.clone();
        thread::spawn(move || slots.take_within(Duration::from_secs(5)).is_some())
    };
    until_waiting(&slots, 1);

    let started = Instant::now();
    drop(held);
    assert!(waiter.join().expect("the waiter"), "took the freed share");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "at once, not at its patience"
    );
    assert_eq!(slots.held(), 0);
}

#[test]
fn beyond_the_bounded_queue_a_taker_fails_at_once() {
    let slots = Admission::new(1).queueing(1);
    let _held = slots.take_within(Duration::ZERO).expect("room");
    let waiter = {
        let slots = slots.clone();
        thread::spawn(move || slots.take_within(Duration::from_millis(500)).is_some())
    };
    until_waiting(&slots, 1);

    let started = Instant::now();
    assert!(slots.take_within(Duration::from_secs(5)).is_none());
    assert!(started.elapsed() < Duration::from_secs(1), "failed fast");
    assert!(
        !waiter.join().expect("the waiter"),
        "gave up at its patience"
    );
}

#[test]
fn without_a_queue_a_full_bound_refuses_a_patient_taker_at_once() {
    let admission = Admission::new(1);
    let _held = admission.try_take().expect("room");

    let started = Instant::now();
    assert!(admission.take_within(Duration::from_secs(5)).is_none());
    assert!(started.elapsed() < Duration::from_secs(1));
}

static REPORTED: AtomicIsize = AtomicIsize::new(0);

#[test]
fn the_gauge_sees_every_share_taken_and_given_back() {
    let bytes = Admission::new(100).reporting(|change| {
        REPORTED.fetch_add(change, Ordering::SeqCst);
    });

    let first = bytes.try_take_weighted(60).expect("fits");
    let refused = bytes.try_take_weighted(60);
    let anyway = bytes.take_anyway(60);
    assert!(refused.is_none());
    assert_eq!(
        REPORTED.load(Ordering::SeqCst),
        120,
        "a refusal reports nothing"
    );
    drop(first);
    drop(anyway);
    assert_eq!(REPORTED.load(Ordering::SeqCst), 0);
}
