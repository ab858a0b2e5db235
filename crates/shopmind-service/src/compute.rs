//! CPU-heavy work done for a request: a bounded number at a time, each
//! stopped when nobody waits for it any more.
//!
//! A request's computation runs on the blocking pool, where dropping the
//! request's future cannot reach it. So each one gets a
//! [`Cancel`] token that is raised when the request is abandoned (answered
//! `503 timeout`, or the client hung up), when its deadline passes, or when
//! the server shuts down; the engines look at it between folds, items or
//! series and stop. At most [`Compute::limit`] such computations run at once
//! (one per core by default), so heavy requests cannot starve the hot path;
//! past the limit a request is refused at once ([`ServiceError::Busy`]:
//! `503 busy` with `Retry-After` over HTTP)
//! instead of queueing behind work it would time out waiting for. The slot
//! is held until the computation really ends, not until the request does.

use std::sync::Arc;
use std::time::{Duration, Instant};

use shopmind_core::cancel::Cancel;
use tokio::sync::Semaphore;

use crate::ServiceError;

/// The request-side limit on heavy computations.
#[derive(Clone)]
pub struct Compute {
    permits: Arc<Semaphore>,
    limit: usize,
    shutdown: Cancel,
}

/// Raises its token when dropped: the request went away.
struct CancelOnDrop(Cancel);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

impl Compute {
    /// At most `limit` computations at once, all stopped by `shutdown`.
    pub fn new(limit: usize, shutdown: Cancel) -> Self {
        let limit = limit.max(1);
        Compute {
            permits: Arc::new(Semaphore::new(limit)),
            limit,
            shutdown,
        }
    }

    /// One slot per core.
    pub fn per_core(shutdown: Cancel) -> Self {
        Self::new(
            std::thread::available_parallelism().map_or(2, std::num::NonZero::get),
            shutdown,
        )
    }

    /// How many computations may run at once.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// Runs `f` on the blocking pool with a token that stops after
    /// `budget`, when the calling future is dropped, or at shutdown.
    pub async fn run<T: Send + 'static>(
        &self,
        budget: Duration,
        f: impl FnOnce(&Cancel) -> T + Send + 'static,
    ) -> Result<T, ServiceError> {
        let permit = self
            .permits
            .clone()
            .try_acquire_owned()
            .map_err(|_| ServiceError::Busy(self.limit))?;
        let token = self.shutdown.child().with_deadline(Instant::now() + budget);
        let guard = CancelOnDrop(token.clone());
        let out = tokio::task::spawn_blocking(move || {
            let _slot = permit;
            f(&token)
        })
        .await
        .map_err(ServiceError::task_failed)?;
        drop(guard);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shopmind_core::cancel::Cancelled;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn abandoned_work_is_cancelled_and_holds_its_slot_until_it_stops() {
        let compute = Compute::new(1, Cancel::new());
        let (seen_tx, seen_rx) = std::sync::mpsc::channel();
        let c = compute.clone();
        let request = tokio::spawn(async move {
            c.run(Duration::from_secs(3600), move |cancel| {
                // Spin until cancelled, as an engine checking between folds.
                while cancel.check().is_ok() {
                    std::thread::sleep(Duration::from_millis(5));
                }
                let _ = seen_tx.send(cancel.check());
            })
            .await
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        // The one slot is taken: a second request is refused at once.
        let busy = compute
            .run(Duration::from_secs(1), |_| ())
            .await
            .unwrap_err();
        assert!(matches!(busy, ServiceError::Busy(1)), "{busy}");
        // The first request is abandoned (as the timeout layer drops it).
        request.abort();
        let why = tokio::task::spawn_blocking(move || seen_rx.recv().unwrap())
            .await
            .unwrap();
        assert_eq!(why, Err(Cancelled::Stopped));
        // Its slot comes back once the work has stopped.
        for _ in 0..100 {
            if compute.run(Duration::from_secs(1), |_| 7).await.ok() == Some(7) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("the slot was not released");
    }

    #[tokio::test]
    async fn shutdown_and_deadlines_stop_work() {
        let shutdown = Cancel::new();
        let compute = Compute::new(2, shutdown.clone());
        let out = compute
            .run(Duration::ZERO, |cancel| cancel.check())
            .await
            .unwrap();
        assert_eq!(out, Err(Cancelled::OutOfTime));
        shutdown.cancel();
        let out = compute
            .run(Duration::from_secs(60), |cancel| cancel.check())
            .await
            .unwrap();
        assert_eq!(out, Err(Cancelled::Stopped));
    }
}
