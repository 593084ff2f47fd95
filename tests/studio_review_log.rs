//! The studio keeps the verified review log between requests: a decision
//! made with the CLI still shows at the next page, and a log that stops
//! verifying is refused at the next page, as when it was read every time.

mod common;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::*;
use jiediqi::review::key::Keyring;
use jiediqi::studio::db::{Db, Role};
use jiediqi::studio::{Studio, router};
use tower::ServiceExt as _;

const SLOGAN: &str = "fanzha-96110";

async fn send(st: &Arc<Studio>, req: Request<Body>) -> (StatusCode, axum::http::HeaderMap, String) {
    let res = router(st.clone()).oneshot(req).await.unwrap();
    let (parts, body) = res.into_parts();
    let bytes = axum::body::to_bytes(body, 16 << 20).await.unwrap();
    (parts.status, parts.headers, String::from_utf8_lossy(&bytes).into_owned())
}

fn set_cookie(h: &axum::http::HeaderMap, name: &str) -> String {
    h.get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix(&format!("{name}=")).map(|v| v.split(';').next().unwrap().to_string()))
        .unwrap()
}

async fn sign_in(st: &Arc<Studio>) -> String {
    let (_, h, _) = send(st, Request::get("/login").body(Body::empty()).unwrap()).await;
    let login = set_cookie(&h, "jiediqi_login");
    let req = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, format!("jiediqi_login={login}"))
        .body(Body::from(format!("name=officer&password=officer%20pass%201&login_token={login}")))
        .unwrap();
    let (status, h, _) = send(st, req).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    format!("jiediqi_session={}", set_cookie(&h, "jiediqi_session"))
}

async fn page(st: &Arc<Studio>, cookie: &str) -> (StatusCode, String) {
    let req = Request::get(format!("/slogans/{SLOGAN}")).header(header::COOKIE, cookie).body(Body::empty()).unwrap();
    let (status, _, body) = send(st, req).await;
    (status, body)
}

fn cli_ok(project: &std::path::Path, args: &[&str]) {
    let o = jiediqi_in(project, args);
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
}

#[tokio::test]
async fn decisions_from_the_cli_show_at_the_next_page_and_a_broken_log_is_refused() {
    let p = project_copy("studio-review-log");
    let db = Db::memory();
    db.add_user("officer", Role::Officer, None, "officer pass 1").unwrap();
    let keys = Keyring::load(test_key(), &p).unwrap();
    let st = Arc::new(Studio::new(&p, db, Some(keys)));
    let cookie = sign_in(&st).await;

    let (status, body) = page(&st, &cookie).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("class=\"state pending\""), "no log yet: pending");

    cli_ok(&p, &["approve", SLOGAN, "--by", "审核员"]);
    for _ in 0..2 {
        let (status, body) = page(&st, &cookie).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("class=\"state approved\""), "approved with the CLI");
    }
    cli_ok(&p, &["request-changes", SLOGAN, "--by", "审核员", "--reason", "再改改"]);
    let (_, body) = page(&st, &cookie).await;
    assert!(body.contains("class=\"state changes\"") && body.contains("再改改"), "changes requested with the CLI");

    // Changed by hand in place: same size, same file. File times are kept
    // in ticks of a few milliseconds; wait past the CLI's last write.
    std::thread::sleep(std::time::Duration::from_millis(50));
    let log = p.join("reviews/log.yaml");
    let good = std::fs::read_to_string(&log).unwrap();
    let forged = good.replace("decision: changes-requested", "decision: approved         ");
    assert_eq!(forged.len(), good.len());
    std::fs::write(&log, &forged).unwrap();
    let (status, body) = page(&st, &cookie).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "a forged log is refused");
    assert!(!body.contains("class=\"state approved\""));

    // Restored, it verifies again; cut back to its first record (a valid
    // chain, shorter than this machine has seen), it is refused.
    std::fs::write(&log, &good).unwrap();
    let (status, _) = page(&st, &cookie).await;
    assert_eq!(status, StatusCode::OK);
    let first_two = good.match_indices("\n- seq:").nth(1).map(|(i, _)| i + 1).unwrap();
    std::fs::write(&log, &good[..first_two]).unwrap();
    let (status, body) = page(&st, &cookie).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "a truncated log is refused");
    assert!(body.contains("records were removed"), "{body}");
}
