//! Scheduled retraining: skipped when nothing changed; a challenger goes live
//! only when it validates at least as well as the champion (plus a margin).

use shopmind_service::retrain::{Outcome, Schedule, run_once};
use shopmind_service::training::{self, Activation, TrainRequest, TrainSpec};

use crate::TestServer;
use crate::serving::with_models;

fn schedule(min_gain: f64) -> Schedule {
    let request = TrainRequest {
        algorithm: Some("item-knn".into()),
        champion_metric: Some("ndcg@10".into()),
        min_gain: Some(min_gain),
        ..TrainRequest::default()
    };
    Schedule::new(std::time::Duration::from_secs(3600), request).unwrap()
}

fn served(s: &TestServer) -> String {
    s.state.models.recommend().unwrap().model_id.clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_champion_stays_unless_the_challenger_is_as_good() {
    let s = TestServer::start().await;
    with_models(&s).await;
    let spec = TrainSpec::Recommend {
        algorithm: "item-knn".into(),
        params: Default::default(),
        binary: false,
    };
    let champion = training::train(
        &s.store,
        &spec,
        &Activation::Always,
        std::sync::Arc::new(|_, _| {}),
    )
    .await
    .unwrap()
    .record;
    shopmind_service::serving::sync(&s.store, &s.state.models)
        .await
        .unwrap();
    assert_eq!(served(&s), champion.model_id);
    let versions = s.store.list_models(None).await.unwrap().len();

    // Nothing new since the champion: no run.
    let out = run_once(&s.state.service, &schedule(0.0)).await.unwrap();
    assert!(matches!(out, Outcome::Unchanged), "{out:?}");
    assert_eq!(s.store.list_models(None).await.unwrap().len(), versions);

    // New events; a challenger that must beat the champion by a full NDCG
    // point cannot: registered, not activated, not served.
    let body = r#"[{"user_id":"u1","item_id":"SKU-004"},{"user_id":"new","item_id":"SKU-005"}]"#;
    assert_eq!(s.call("POST", "/v1/events", Some(body)).await.status, 200);
    let Outcome::Trained(job) = run_once(&s.state.service, &schedule(1.0)).await.unwrap() else {
        panic!("expected a run");
    };
    assert_eq!(job.trigger, "schedule");
    let loser = job.model_id.clone().unwrap();
    assert!(
        job.decision.as_deref().unwrap().contains("stays active"),
        "{job:?}"
    );
    let active = s.store.active_model("recommend").await.unwrap().unwrap();
    assert_eq!(active.model_id, champion.model_id);
    assert_eq!(served(&s), champion.model_id);
    let a = s
        .call("GET", &format!("/v1/jobs/{}", job.job_id), None)
        .await;
    assert_eq!(
        (&a.json["state"], &a.json["model_id"], &a.json["trigger"]),
        (
            &"succeeded".into(),
            &loser.as_str().into(),
            &"schedule".into()
        )
    );

    // A tolerated loss: the challenger goes live and is served at once.
    let Outcome::Trained(job) = run_once(&s.state.service, &schedule(-1.0)).await.unwrap() else {
        panic!("expected a run");
    };
    let winner = job.model_id.clone().unwrap();
    assert_ne!(winner, loser);
    assert_eq!(
        s.store
            .active_model("recommend")
            .await
            .unwrap()
            .unwrap()
            .model_id,
        winner
    );
    assert_eq!(served(&s), winner);
    // Trained on these very events: the next run is skipped.
    assert!(matches!(
        run_once(&s.state.service, &schedule(-1.0)).await.unwrap(),
        Outcome::Unchanged
    ));
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn if_better_is_accepted_over_http_and_checked() {
    let s = TestServer::start().await;
    with_models(&s).await;
    for (body, field) in [
        (r#"{"activate":"sometimes"}"#, "activate"),
        (
            r#"{"activate":"if_better","champion_metric":"rmse"}"#,
            "champion_metric",
        ),
        (r#"{"activate":"if_better","min_gain":5}"#, "min_gain"),
        (r#"{"activate":true,"min_gain":0.1}"#, "activate"),
    ] {
        let a = s
            .call("POST", "/v1/models/recommend/train", Some(body))
            .await;
        assert_eq!(a.status, 422, "{body}: {a:?}");
        assert_eq!(a.json["errors"][0]["field"], field, "{body}");
    }
    let a = s
        .call(
            "POST",
            "/v1/models/recommend/train",
            Some(r#"{"algorithm":"popular","activate":"if_better","min_gain":0.5}"#),
        )
        .await;
    assert_eq!(a.status, 202, "{a:?}");
    s.stop().await;
}
