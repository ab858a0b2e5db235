//! The job queue: claims take different jobs, a lease that expires is
//! taken over, the loser of a lease writes nothing, and a job whose runner
//! keeps dying is failed.

use shopmind_store::{JobOutcome, MAX_ATTEMPTS, NewJob};

use crate::on_each_backend;

fn new(id: &str) -> NewJob<'_> {
    NewJob {
        job_id: id,
        kind: "recommend",
        algorithm: "ials",
        started_by: "api",
        request: "{}",
    }
}

#[tokio::test]
async fn claims_leases_take_overs_and_outcomes() {
    on_each_backend(|store| async move {
        assert!(store.claim_job("w1", 60_000).await.unwrap().is_none());
        let queued = store.enqueue_job(new("j1")).await.unwrap();
        assert_eq!((queued.state.as_str(), queued.attempts), ("queued", 0));
        store.enqueue_job(new("j2")).await.unwrap();

        // Two workers take the two jobs, oldest first, never the same one.
        let a = store.claim_job("w1", 60_000).await.unwrap().unwrap();
        let b = store.claim_job("w2", 60_000).await.unwrap().unwrap();
        assert_eq!((a.job_id.as_str(), b.job_id.as_str()), ("j1", "j2"));
        assert_eq!((a.state.as_str(), a.attempts), ("running", 1));
        assert!(store.claim_job("w3", 60_000).await.unwrap().is_none());

        // Progress under the lease; another owner cannot renew or finish.
        assert!(
            store
                .renew_job("j1", "w1", 60_000, 0.5, "half")
                .await
                .unwrap()
        );
        assert!(
            !store
                .renew_job("j1", "w2", 60_000, 0.9, "no")
                .await
                .unwrap()
        );
        let j1 = store.job("j1").await.unwrap().unwrap();
        assert_eq!((j1.progress, j1.stage.as_str()), (0.5, "half"));
        let done = JobOutcome {
            model_id: Some("m1".into()),
            ..JobOutcome::default()
        };
        assert!(!store.finish_job("j1", "w2", &done).await.unwrap());
        assert!(store.finish_job("j1", "w1", &done).await.unwrap());
        let j1 = store.job("j1").await.unwrap().unwrap();
        assert_eq!(
            (j1.state.as_str(), j1.model_id.as_deref(), j1.progress),
            ("succeeded", Some("m1"), 1.0)
        );
        assert!(j1.finished_at.is_some());

        // j2's runner dies: a lease of 0 ms has expired at once, so the next
        // claim takes it over, and the old runner's writes are refused.
        let c = store.claim_job("w3", 0).await;
        assert!(c.unwrap().is_none(), "w2's lease still runs");
        store
            .renew_job("j2", "w2", -1, 0.1, "stalled")
            .await
            .unwrap();
        let c = store.claim_job("w3", 60_000).await.unwrap().unwrap();
        assert_eq!((c.job_id.as_str(), c.attempts), ("j2", 2));
        assert_eq!(c.stage, "taken over: starting again");
        assert!(
            !store
                .renew_job("j2", "w2", 60_000, 0.2, "late")
                .await
                .unwrap()
        );
        let failed = JobOutcome {
            error: Some("boom".into()),
            ..JobOutcome::default()
        };
        assert!(!store.finish_job("j2", "w2", &failed).await.unwrap());

        // A job whose every runner dies is failed after MAX_ATTEMPTS runs.
        store.enqueue_job(new("j3")).await.unwrap();
        for attempt in 1..=MAX_ATTEMPTS {
            let j = store.claim_job("w", -1).await.unwrap();
            let j = j.unwrap_or_else(|| panic!("attempt {attempt} not claimed"));
            assert_eq!((j.job_id.as_str(), j.attempts), ("j3", attempt));
        }
        assert!(store.claim_job("w", 60_000).await.unwrap().is_none());
        let j3 = store.job("j3").await.unwrap().unwrap();
        assert_eq!(j3.state, "failed");
        assert!(j3.error.unwrap().contains("runner stopped"));
        assert!(store.job("nope").await.unwrap().is_none());
    })
    .await;
}
