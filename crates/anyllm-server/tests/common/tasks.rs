//! Waiting for the tasks a request started to end (current-thread runtime).

use std::time::Duration;

/// Waits (at most 250 × 20 ms) until no more than `baseline` tasks are alive
/// on the current runtime; returns the number alive when it stopped waiting.
pub async fn alive_tasks_after_settling(baseline: usize) -> usize {
    let metrics = tokio::runtime::Handle::current().metrics();
    let mut alive = metrics.num_alive_tasks();
    for _ in 0..250 {
        if alive <= baseline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        alive = metrics.num_alive_tasks();
    }
    alive
}
