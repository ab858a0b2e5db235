//! The job queue: claims take different jobs, a lease that expires is
//! taken over, the loser of a lease writes nothing, and a job whose runner
//! keeps dying is failed.

use shopmind_store::{JobOutcome, MAX_ATTEMPTS, NewJob, NewPart, PartOutcome};

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

/// Claims every queued part (its parent's parts only are queued) as `owner`.
async fn claim_parts(
    store: &shopmind_store::Store,
    owner: &str,
    n: usize,
) -> Vec<shopmind_store::JobRecord> {
    let mut parts = Vec::new();
    for _ in 0..n {
        let p = store.claim_job(owner, 60_000).await.unwrap().unwrap();
        assert_eq!(p.kind, "part");
        parts.push(p);
    }
    parts
}

/// Queues job `id`, claims it as `owner` and fans it out into `parts` (no
/// slices); returns the job as claimed.
async fn fanned_out(
    store: &shopmind_store::Store,
    id: &str,
    input: [&[u8]; 2],
    parts: &[&str],
) -> shopmind_store::JobRecord {
    store.enqueue_job(new(id)).await.unwrap();
    let parent = store.claim_job("w", 60_000).await.unwrap().unwrap();
    let parts: Vec<NewPart<'_>> = parts
        .iter()
        .map(|p| NewPart {
            job_id: p,
            label: "part",
            request: "{}",
        })
        .collect();
    assert!(
        store
            .fan_out(&parent, "w", 1, input, &[], &parts)
            .await
            .unwrap()
    );
    parent
}

#[tokio::test]
async fn a_fan_out_waits_without_a_lease_and_the_last_part_requeues_its_job() {
    on_each_backend(|store| async move {
        store.enqueue_job(new("p")).await.unwrap();
        let parent = store.claim_job("w1", 60_000).await.unwrap().unwrap();
        let names = ["p-a", "p-b", "p-c"];
        let parts: Vec<NewPart<'_>> = names
            .iter()
            .map(|id| NewPart {
                job_id: id,
                label: "ials part",
                request: "{}",
            })
            .collect();
        // Only the lease holder can fan out.
        assert!(
            !store
                .fan_out(&parent, "w2", 1, [b"in", b"own"], &[b"s0".to_vec()], &parts)
                .await
                .unwrap()
        );
        assert!(store.job("p-a").await.unwrap().is_none());
        assert!(
            store
                .fan_out(&parent, "w1", 1, [b"in", b"own"], &[b"s0".to_vec()], &parts)
                .await
                .unwrap()
        );
        let p = store.job("p").await.unwrap().unwrap();
        assert_eq!((p.state.as_str(), p.phase), ("waiting", 1));
        assert_eq!(
            store.job_blob("p", "input-1").await.unwrap().unwrap(),
            b"in"
        );
        let kept = store.job_blob("p", "keep-1").await.unwrap().unwrap();
        assert_eq!(kept, b"own");
        let slice = store.job_blob("p", "slice-1-00000").await.unwrap().unwrap();
        assert_eq!(slice, b"s0");

        // The waiting job holds no worker and is not claimable; its parts are.
        let claimed = claim_parts(&store, "w1", 3).await;
        assert!(store.claim_job("w2", 60_000).await.unwrap().is_none());
        assert!(
            claimed
                .iter()
                .all(|c| c.parent_id.as_deref() == Some("p") && c.phase == 1)
        );
        assert!(claimed.iter().all(|c| c.stage == "starting"));
        // Finished out of order; the outputs read back in name order.
        for (i, c) in claimed.iter().enumerate().rev() {
            let name = format!("out-1-{i:05}");
            let bytes = [i as u8];
            let out = PartOutcome::Output {
                name: &name,
                bytes: &bytes,
            };
            assert!(
                !store.finish_part(c, "w9", out).await.unwrap(),
                "not w9's lease"
            );
            assert!(store.finish_part(c, "w1", out).await.unwrap());
            let p = store.job("p").await.unwrap().unwrap();
            let want = if i == 0 { "queued" } else { "waiting" };
            assert_eq!(p.state, want, "after part {i}");
        }
        let p = store.job("p").await.unwrap().unwrap();
        assert_eq!((p.stage.as_str(), p.attempts), ("combining the parts", 0));
        assert_eq!(
            store.job_blobs("p", "out-1-").await.unwrap(),
            vec![vec![0u8], vec![1], vec![2]]
        );
        assert_eq!(store.job_parts("p").await.unwrap().len(), 3);
        // The job continues on any worker and ends; its blobs go with it.
        let p = store.claim_job("w2", 60_000).await.unwrap().unwrap();
        assert_eq!((p.job_id.as_str(), p.phase, p.attempts), ("p", 1, 1));
        assert_eq!(p.stage, "combining the parts");
        assert!(
            store
                .finish_job("p", "w2", &JobOutcome::default())
                .await
                .unwrap()
        );
        assert!(store.job_blobs("p", "").await.unwrap().is_empty());
    })
    .await;
}

#[tokio::test]
async fn parts_finishing_at_once_requeue_their_job_exactly_once() {
    on_each_backend(|store| async move {
        for round in 0..4 {
            let id = format!("c{round}");
            let ids: Vec<String> = (0..6).map(|i| format!("{id}-{i}")).collect();
            let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
            fanned_out(&store, &id, [b"", b""], &ids).await;
            let claimed = claim_parts(&store, "w", 6).await;
            let tasks: Vec<_> = claimed
                .into_iter()
                .enumerate()
                .map(|(i, c)| {
                    let store = store.clone();
                    tokio::spawn(async move {
                        let name = format!("out-1-{i:05}");
                        let out = PartOutcome::Output {
                            name: &name,
                            bytes: b"x",
                        };
                        // SQLite may refuse a writer while another commits: retry.
                        for _ in 0..50 {
                            if let Ok(done) = store.finish_part(&c, "w", out).await {
                                return done;
                            }
                            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                        }
                        false
                    })
                })
                .collect();
            for t in tasks {
                assert!(t.await.unwrap());
            }
            let p = store.job(&id).await.unwrap().unwrap();
            assert_eq!(
                p.state, "queued",
                "round {round}: the last finisher requeued it"
            );
            let again = store.claim_job("w", 60_000).await.unwrap().unwrap();
            assert_eq!(again.job_id, id);
            assert!(
                store
                    .finish_job(&id, "w", &JobOutcome::default())
                    .await
                    .unwrap()
            );
        }
    })
    .await;
}

#[tokio::test]
async fn a_failed_part_fails_its_job_and_the_queued_parts() {
    on_each_backend(|store| async move {
        fanned_out(&store, "f", [b"big", b"own"], &["f-a", "f-b", "f-c"]).await;
        let a = store.claim_job("w", 60_000).await.unwrap().unwrap();
        let b = store.claim_job("w", 60_000).await.unwrap().unwrap();
        assert!(
            store
                .finish_part(&a, "w", PartOutcome::Failed("bad data"))
                .await
                .unwrap()
        );
        let f = store.job("f").await.unwrap().unwrap();
        assert_eq!(f.state, "failed");
        assert!(f.error.unwrap().contains("bad data"));
        let c = store.job("f-c").await.unwrap().unwrap();
        assert_eq!(
            c.state, "failed",
            "a queued part of a failed job never runs"
        );
        assert!(store.job_blobs("f", "").await.unwrap().is_empty());
        // A part still running when its job failed finishes into nothing.
        let out = PartOutcome::Output {
            name: "out-1-00001",
            bytes: b"late",
        };
        assert!(store.finish_part(&b, "w", out).await.unwrap());
        assert!(store.job_blobs("f", "").await.unwrap().is_empty());
        assert_eq!(store.job("f").await.unwrap().unwrap().state, "failed");

        // A part whose runner keeps dying fails its job as well.
        fanned_out(&store, "g", [b"", b""], &["g-a"]).await;
        for _ in 0..MAX_ATTEMPTS {
            assert!(store.claim_job("w", -1).await.unwrap().is_some());
        }
        assert!(store.claim_job("w", 60_000).await.unwrap().is_none());
        let g = store.job("g").await.unwrap().unwrap();
        assert_eq!(g.state, "failed");
        assert!(
            g.error.unwrap().contains("runner stopped"),
            "the part's error"
        );
    })
    .await;
}
