//! The studio over its router (no socket): sessions, sign-in, CSRF,
//! what needs a session, and that nothing comes from elsewhere.

mod common;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::*;
use jiediqi::studio::db::{Db, Role};
use jiediqi::studio::{Studio, router};
use tower::ServiceExt as _;

fn studio(name: &str) -> (std::path::PathBuf, Arc<Studio>) {
    let p = project_copy(name);
    let db = Db::memory();
    db.add_user("王芳", Role::Officer, Some("chengguan"), "officer pass 1").unwrap();
    db.add_user("李建国", Role::Reviewer, None, "reviewer pass").unwrap();
    db.add_user("张管理", Role::Admin, None, "admin pass 1").unwrap();
    (p.clone(), Arc::new(Studio::new(&p, db, None)))
}

async fn send(st: &Arc<Studio>, req: Request<Body>) -> (StatusCode, axum::http::HeaderMap, String) {
    let res = router(st.clone()).oneshot(req).await.unwrap();
    let (parts, body) = res.into_parts();
    let bytes = axum::body::to_bytes(body, 16 << 20).await.unwrap();
    (parts.status, parts.headers, String::from_utf8_lossy(&bytes).into_owned())
}

fn get(path: &str, cookie: Option<&str>) -> Request<Body> {
    let mut b = Request::get(path);
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    b.body(Body::empty()).unwrap()
}

fn post(path: &str, cookie: Option<&str>, form: &str) -> Request<Body> {
    let mut b = Request::post(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    b.body(Body::from(form.to_string())).unwrap()
}

fn set_cookies(h: &axum::http::HeaderMap) -> Vec<String> {
    h.get_all(header::SET_COOKIE).iter().map(|v| v.to_str().unwrap().to_string()).collect()
}

fn cookie_value(h: &axum::http::HeaderMap, name: &str) -> Option<String> {
    set_cookies(h)
        .iter()
        .find_map(|c| c.strip_prefix(&format!("{name}=")).map(|v| v.split(';').next().unwrap().to_string()))
}

fn enc(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

/// Post the sign-in form as the login page would, with its fresh token.
async fn post_sign_in(st: &Arc<Studio>, name: &str, password: &str) -> (StatusCode, axum::http::HeaderMap, String) {
    let (_, h, _) = send(st, get("/login", None)).await;
    let login = cookie_value(&h, "jiediqi_login").unwrap();
    let form = format!("name={}&password={}&login_token={login}", enc(name), enc(password));
    send(st, post("/login", Some(&format!("jiediqi_login={login}")), &form)).await
}

/// Sign in through the pages; the session cookie and the page's CSRF token.
async fn sign_in(st: &Arc<Studio>, name: &str, password: &str) -> (String, String) {
    let (status, h, _) = post_sign_in(st, name, password).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "sign-in of {name}");
    let session = cookie_value(&h, "jiediqi_session").unwrap();
    let cookie = format!("jiediqi_session={session}");
    let (_, _, page) = send(st, get("/", Some(&cookie))).await;
    let csrf = page.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    (cookie, csrf)
}

#[tokio::test]
async fn nothing_but_sign_in_health_and_assets_works_without_a_session() {
    let (_, st) = studio("studio-anon");
    for path in ["/healthz", "/login", "/assets/htmx.min.js", "/assets/studio.css"] {
        let (status, _, _) = send(&st, get(path, None)).await;
        assert_eq!(status, StatusCode::OK, "{path}");
    }
    // Every page, with and without a forged cookie: to the sign-in page.
    let pages = [
        "/",
        "/?q=反诈",
        "/slogans/fanzha-96110",
        "/slogans/fanzha-96110/edit",
        "/write",
        "/review",
        "/review/proof.pdf",
        "/proof/fanzha-96110.pdf",
        "/station",
        "/orders",
        "/orders/1",
        "/orders/1/package.zip",
        "/admin/audit",
    ];
    let forged = format!("jiediqi_session={}", "ab".repeat(32));
    for path in pages {
        for cookie in [None, Some(forged.as_str())] {
            let (status, h, body) = send(&st, get(path, cookie)).await;
            assert_eq!(status, StatusCode::SEE_OTHER, "{path}");
            assert_eq!(h.get(header::LOCATION).unwrap(), "/login");
            assert!(!body.contains("fanzha") && !body.contains("%PDF"), "{path}");
        }
    }
    for path in ["/preview/poster-a3/fanzha-96110.svg", "/draft/poster-a3.svg?line1=x&topic=%E5%8F%8D%E8%AF%88"] {
        let (status, _, body) = send(&st, get(path, None)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}");
        assert!(!body.contains("<svg"));
    }
    // State-changing requests without a session change nothing.
    for (path, form) in [
        ("/logout", "csrf=x"),
        ("/write", "csrf=x&topic=x&line1=x"),
        ("/write/check", "csrf=x&line1=x"),
        ("/slogans/fanzha-96110/decide", "csrf=x&decision=approve&seen=x"),
        ("/station", "csrf=x&name=x"),
    ] {
        let (status, _, _) = send(&st, post(path, None, form)).await;
        assert!(matches!(status, StatusCode::SEE_OTHER | StatusCode::UNAUTHORIZED), "{path}: {status}");
    }
}

#[tokio::test]
async fn sign_in_needs_the_right_password_and_its_own_page() {
    let (_, st) = studio("studio-signin");
    let (_, h, page) = send(&st, get("/login", None)).await;
    let login = cookie_value(&h, "jiediqi_login").unwrap();
    assert!(page.contains(&login), "the form carries the token");
    let cookie = format!("jiediqi_login={login}");
    // Wrong password: no session.
    let (status, h, page) = send(
        &st,
        post("/login", Some(&cookie), &format!("name={}&password=nope-nope&login_token={login}", enc("王芳"))),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(cookie_value(&h, "jiediqi_session").is_none());
    assert!(page.contains("用户名或密码不对"));
    // Right password, but the form's token does not match the cookie (a
    // sign-in forged from another site): refused.
    let (status, h, _) = send(
        &st,
        post(
            "/login",
            Some(&cookie),
            &format!("name={}&password={}&login_token=forged", enc("王芳"), enc("officer pass 1")),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(cookie_value(&h, "jiediqi_session").is_none());
    // The session cookie is HttpOnly and SameSite=Strict.
    let (status, h, _) = send(
        &st,
        post(
            "/login",
            Some(&cookie),
            &format!("name={}&password={}&login_token={login}", enc("王芳"), enc("officer pass 1")),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let c = set_cookies(&h).into_iter().find(|c| c.starts_with("jiediqi_session=")).unwrap();
    assert!(c.contains("HttpOnly") && c.contains("SameSite=Strict"), "{c}");
}

#[tokio::test]
async fn repeated_failures_lock_the_name_for_a_while() {
    let (_, st) = studio("studio-limit");
    let mut last = StatusCode::OK;
    for _ in 0..6 {
        last = post_sign_in(&st, "李建国", "guess-guess").await.0;
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
    // Even the right password waits now.
    let (status, h, _) = post_sign_in(&st, "李建国", "reviewer pass").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(cookie_value(&h, "jiediqi_session").is_none());
}

/// A sign-in from a given address (as `jiediqi serve` sees its peers).
async fn sign_in_from(st: &Arc<Studio>, ip: &str, name: &str, password: &str) -> StatusCode {
    let (_, h, _) = send(st, get("/login", None)).await;
    let login = cookie_value(&h, "jiediqi_login").unwrap();
    let form = format!("name={}&password={}&login_token={login}", enc(name), enc(password));
    let mut req = post("/login", Some(&format!("jiediqi_login={login}")), &form);
    let addr: std::net::SocketAddr = format!("{ip}:40000").parse().unwrap();
    req.extensions_mut().insert(axum::extract::ConnectInfo(addr));
    send(st, req).await.0
}

#[tokio::test]
async fn a_guesser_elsewhere_cannot_lock_an_officer_out() {
    let (_, st) = studio("studio-limit-ip");
    for _ in 0..6 {
        sign_in_from(&st, "10.0.0.66", "王芳", "guess-guess").await;
    }
    assert_eq!(sign_in_from(&st, "10.0.0.66", "王芳", "officer pass 1").await, StatusCode::TOO_MANY_REQUESTS);
    // From the officer's own desk the right password still works.
    assert_eq!(sign_in_from(&st, "10.0.0.8", "王芳", "officer pass 1").await, StatusCode::SEE_OTHER);
    // One address trying many names is stopped for all of them.
    for i in 0..30 {
        sign_in_from(&st, "10.0.0.77", &format!("用户{i}"), "guess-guess").await;
    }
    assert_eq!(sign_in_from(&st, "10.0.0.77", "李建国", "reviewer pass").await, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(sign_in_from(&st, "10.0.0.9", "李建国", "reviewer pass").await, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn forged_cookies_and_missing_csrf_tokens_are_refused() {
    let (_, st) = studio("studio-forged");
    let (cookie, csrf) = sign_in(&st, "王芳", "officer pass 1").await;
    let (status, _, page) = send(&st, get("/", Some(&cookie))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("标语库") && page.contains("王芳"));
    for forged in
        ["jiediqi_session=0000000000000000000000000000000000000000000000000000000000000000", "jiediqi_session=x"]
    {
        let (status, _, _) = send(&st, get("/", Some(forged))).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{forged}");
    }
    // Sign-out without the CSRF token, or with another one: refused, the session lives.
    for form in ["", "csrf=", "csrf=0123"] {
        let (status, _, _) = send(&st, post("/logout", Some(&cookie), form)).await;
        assert!(status == StatusCode::FORBIDDEN || status == StatusCode::UNPROCESSABLE_ENTITY, "{form}: {status}");
        assert_eq!(send(&st, get("/", Some(&cookie))).await.0, StatusCode::OK);
    }
    let (status, _, _) = send(&st, post("/logout", Some(&cookie), &format!("csrf={csrf}"))).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(send(&st, get("/", Some(&cookie))).await.0, StatusCode::SEE_OTHER, "signed out");
}

#[tokio::test]
async fn pages_show_the_library_and_previews_from_the_print_scene() {
    let (_, st) = studio("studio-pages");
    let (cookie, _) = sign_in(&st, "李建国", "reviewer pass").await;
    let (status, _, page) = send(&st, get(&format!("/?q={}", enc("摊贩")), Some(&cookie))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("tanfan-"), "stall slogans found");
    assert!(!page.contains("jiaotong-toukui"), "only matches");
    // By item: only the slogans meant for it (the apron is for stalls and kitchens).
    let lib = jiediqi::validate::Library::load(&root()).unwrap();
    let count = |page: &str| page.matches("<a href=\"/slogans/").count();
    let (_, _, all) = send(&st, get("/", Some(&cookie))).await;
    let (_, _, aprons) = send(&st, get("/?item=apron", Some(&cookie))).await;
    let meant = lib.slogans.iter().filter(|s| s.items.as_ref().is_none_or(|l| l.iter().any(|i| i == "apron"))).count();
    assert_eq!(count(&all), lib.slogans.len());
    assert_eq!(count(&aprons), meant);
    assert!(meant < lib.slogans.len());
    let (status, _, page) = send(&st, get("/slogans/fanzha-96110", Some(&cookie))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("96110") && page.contains("/preview/poster-a3/fanzha-96110.svg"));
    let (status, h, svg) = send(&st, get("/preview/poster-a3/fanzha-96110.svg", Some(&cookie))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(h.get(header::CONTENT_TYPE).unwrap(), "image/svg+xml");
    assert!(svg.starts_with("<svg") || svg.starts_with("<?xml"), "{}", &svg[..80.min(svg.len())]);
    // Not approved: the preview carries the proof mark, as a proof render does.
    assert!(svg.len() > 1000);
    // A two-sided item shows its back too (the contact card's officer side).
    assert!(page.contains("/preview/card-contact/fanzha-96110--back.svg") && page.contains("背面"));
    let (status, _, back) = send(&st, get("/preview/card-contact/fanzha-96110--back.svg", Some(&cookie))).await;
    assert_eq!(status, StatusCode::OK);
    let (_, _, front) = send(&st, get("/preview/card-contact/fanzha-96110.svg", Some(&cookie))).await;
    assert!(back.starts_with("<svg") && back != front, "the back is its own picture");
    assert!(!page.contains("/preview/poster-a3/fanzha-96110--back.svg"), "a one-sided item has no back");
    for path in [
        "/preview/teapot/fanzha-96110.svg",
        "/preview/poster-a3/..%2F..%2Fetc%2Fpasswd.svg",
        "/slogans/..%2Fslogans",
        "/preview/poster-a3/fanzha-96110--back.svg",
    ] {
        let (status, _, _) = send(&st, get(path, Some(&cookie))).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
}

/// Every page is whole without the network: no URL of another host in any
/// page, style sheet or script, and a policy that forbids loading one.
#[tokio::test]
async fn no_page_references_anything_outside() {
    let (_, st) = studio("studio-offline");
    let (cookie, _) = sign_in(&st, "王芳", "officer pass 1").await;
    for path in ["/login", "/", "/slogans/tanfan-shucai", "/assets/studio.css", "/assets/htmx.min.js", "/nowhere"] {
        let (_, h, body) = send(&st, get(path, Some(&cookie))).await;
        for scheme in ["http://", "https://", "//cdn", "url(http"] {
            assert!(!body.contains(scheme), "{path} references {scheme}");
        }
        let csp = h.get(header::CONTENT_SECURITY_POLICY).unwrap().to_str().unwrap();
        assert!(csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
    }
}

/// Roles are checked on the server: an officer or reviewer who types the
/// admin page's address is refused (and the refusal is in the audit list),
/// an admin sees who signed in and who failed; no password appears there.
#[tokio::test]
async fn only_admins_reach_the_audit_list() {
    let (_, st) = studio("studio-roles");
    // A failed sign-in first, so the list has one.
    assert_eq!(post_sign_in(&st, "王芳", "secret-guess-1").await.0, StatusCode::UNAUTHORIZED);
    for (name, pass) in [("王芳", "officer pass 1"), ("李建国", "reviewer pass")] {
        let (cookie, _) = sign_in(&st, name, pass).await;
        let (status, _, page) = send(&st, get("/admin/audit", Some(&cookie))).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{name}");
        assert!(!page.contains("sign-in-failed"));
        let (_, _, home) = send(&st, get("/", Some(&cookie))).await;
        assert!(!home.contains("/admin/audit"), "{name} is shown the admin link");
    }
    let (cookie, _) = sign_in(&st, "张管理", "admin pass 1").await;
    let (status, _, page) = send(&st, get("/admin/audit", Some(&cookie))).await;
    assert_eq!(status, StatusCode::OK);
    for want in ["sign-in-failed", "王芳", "李建国", "refused", "/admin/audit", "user-add"] {
        assert!(page.contains(want), "audit lacks {want}");
    }
    for secret in ["secret-guess-1", "officer pass 1", "reviewer pass", "admin pass 1"] {
        assert!(!page.contains(secret), "a password in the audit list");
    }
}

/// The editor's form for a new slogan.
fn new_slogan_form(csrf: &str, line1: &str, line2: &str, tip: &str) -> String {
    format!(
        "csrf={csrf}&editing=&base=&topic={}&line1={}&line2={}&tip={}&audience={}&items=bag-nonwoven&items=poster-a3",
        enc("交通安全"),
        enc(line1),
        enc(line2),
        enc(tip),
        enc("骑手、老人")
    )
}

#[tokio::test]
async fn an_officer_writes_a_slogan_that_the_library_then_holds() {
    let (p, st) = studio("studio-write");
    let (cookie, csrf) = sign_in(&st, "王芳", "officer pass 1").await;
    let (status, _, page) = send(&st, get("/write", Some(&cookie))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("hx-post=\"/write/check\""), "{page}");

    // Live check: officialese is flagged, previews point at the draft.
    let form = new_slogan_form(&csrf, "高度重视电动车，", "头盔戴好再出门。", "");
    let (status, _, live) = send(&st, post("/write/check", Some(&cookie), &form)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(live.contains("data-rule=\"officialese\""), "{live}");
    let img = live.split("src=\"").nth(1).unwrap().split('"').next().unwrap().replace("&amp;", "&");
    assert!(img.starts_with("/draft/bag-nonwoven.svg?"), "{img}");
    let (status, h, svg) = send(&st, get(&img, Some(&cookie))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(h[header::CONTENT_TYPE], "image/svg+xml");
    assert!(svg.starts_with("<svg") || svg.starts_with("<?xml"), "{}", &svg[..80]);

    // Without the CSRF token nothing is saved.
    let bad = new_slogan_form("wrong", "电动车上戴头盔，", "磕碰也不怕。", "");
    let (status, _, _) = send(&st, post("/write", Some(&cookie), &bad)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let before = std::fs::read_to_string(p.join("slogans/jiaotong.yaml")).unwrap();
    let form = new_slogan_form(&csrf, "电动车上戴头盔，", "磕碰也不怕。", "买头盔认准3C标志。");
    let (status, h, body) = send(&st, post("/write", Some(&cookie), &form)).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let to = h[header::LOCATION].to_str().unwrap().to_string();
    let id = to.strip_prefix("/slogans/").unwrap().split('?').next().unwrap().to_string();
    assert!(id.starts_with("jiaotong-"), "{id}");
    // The file kept every byte it had, and gained the entry.
    let after = std::fs::read_to_string(p.join("slogans/jiaotong.yaml")).unwrap();
    assert!(after.starts_with(before.trim_end()), "the rest of the file changed");
    let lib = jiediqi::validate::Library::load(&p).unwrap();
    let s = lib.slogan(&id).expect("the library holds the new slogan");
    assert_eq!(s.lines, ["电动车上戴头盔，", "磕碰也不怕。"]);
    assert_eq!(s.tip.as_deref(), Some("买头盔认准3C标志。"));
    assert_eq!(s.audience, ["骑手", "老人"]);
    assert_eq!(s.items.as_deref(), Some(&["bag-nonwoven".to_string(), "poster-a3".to_string()][..]));
    // The CLI sees it, pending.
    let o = jiediqi_in(&p, &["review", "--state", "pending"]);
    assert!(String::from_utf8_lossy(&o.stdout).contains(&id));

    // Its author may edit it; an edit from a stale base is refused, not merged.
    let (status, _, page) = send(&st, get(&format!("/slogans/{id}/edit"), Some(&cookie))).await;
    assert_eq!(status, StatusCode::OK);
    let base = page.split("name=\"base\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let edit = |base: &str, line2: &str| {
        format!(
            "csrf={csrf}&editing={id}&base={base}&topic={}&line1={}&line2={}&tip=&audience=&items=bag-nonwoven",
            enc("交通安全"),
            enc("电动车上戴头盔，"),
            enc(line2)
        )
    };
    let (status, _, _) = send(&st, post("/write", Some(&cookie), &edit(&base, "磕了碰了也不怕。"))).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _, page) = send(&st, post("/write", Some(&cookie), &edit(&base, "别的改法。"))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("别人改过"), "{page}");
    let lib = jiediqi::validate::Library::load(&p).unwrap();
    assert_eq!(lib.slogan(&id).unwrap().lines[1], "磕了碰了也不怕。");

    // Another officer's slogan, or a shipped one, is not theirs to edit.
    let (status, _, _) = send(&st, get("/slogans/fanzha-96110/edit", Some(&cookie))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let steal = format!(
        "csrf={csrf}&editing=fanzha-96110&base=x&topic={}&line1={}&line2=&tip=&audience=&items=bag-nonwoven",
        enc("反诈"),
        enc("改掉别人的")
    );
    let (status, _, _) = send(&st, post("/write", Some(&cookie), &steal)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

/// A studio whose review key lives outside the project (decisions are signed).
fn studio_with_key(name: &str) -> (std::path::PathBuf, Arc<Studio>) {
    let p = project_copy(name);
    // The test run's key, which the CLI in these tests uses too.
    let keys = jiediqi::review::key::Keyring::load(test_key(), &p).unwrap();
    let db = Db::memory();
    db.add_user("王芳", Role::Officer, Some("chengguan"), "officer pass 1").unwrap();
    db.add_user("李建国", Role::Reviewer, None, "reviewer pass").unwrap();
    db.add_user("赵审核", Role::Reviewer, None, "reviewer pass 2").unwrap();
    db.add_user("张管理", Role::Admin, None, "admin pass 1").unwrap();
    (p.clone(), Arc::new(Studio::new(&p, db, Some(keys))))
}

fn hidden(page: &str, name: &str) -> String {
    page.split(&format!("name=\"{name}\" value=\"")).nth(1).unwrap().split('"').next().unwrap().to_string()
}

#[tokio::test]
async fn reviewers_decide_in_the_queue_but_never_on_their_own_wording() {
    let (p, st) = studio_with_key("studio-review");
    let (officer, ocsrf) = sign_in(&st, "王芳", "officer pass 1").await;
    let form = new_slogan_form(&ocsrf, "电动车上戴头盔，", "磕碰也不怕。", "");
    let (status, h, _) = send(&st, post("/write", Some(&officer), &form)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let id = h[header::LOCATION].to_str().unwrap()["/slogans/".len()..].split('?').next().unwrap().to_string();

    // Officers cannot reach the queue or decide, whatever they type.
    let (status, _, _) = send(&st, get("/review", Some(&officer))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = send(
        &st,
        post(&format!("/slogans/{id}/decide"), Some(&officer), &format!("csrf={ocsrf}&decision=approve&seen=00")),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // A reviewer writes a slogan too: it is in the queue, but not theirs to approve.
    let (rev, rcsrf) = sign_in(&st, "李建国", "reviewer pass").await;
    let own = new_slogan_form(&rcsrf, "头盔不是摆设，", "戴上才算安全。", "");
    let (status, h, _) = send(&st, post("/write", Some(&rev), &own)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let own_id = h[header::LOCATION].to_str().unwrap()["/slogans/".len()..].split('?').next().unwrap().to_string();

    let (status, _, queue) = send(&st, get("/review", Some(&rev))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(queue.contains(&format!("/slogans/{id}\"")) && queue.contains(&format!("/slogans/{own_id}\"")), "{queue}");
    assert!(queue.contains("王芳"), "the queue names the author");

    let (_, _, page) = send(&st, get(&format!("/slogans/{own_id}"), Some(&rev))).await;
    assert!(page.contains("四眼原则") && !page.contains("value=\"approve\""), "{page}");
    let seen = hidden(&page, "seen");
    let (status, _, body) = send(
        &st,
        post(&format!("/slogans/{own_id}/decide"), Some(&rev), &format!("csrf={rcsrf}&decision=approve&seen={seen}")),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body.contains("四眼原则"));

    // The officer's slogan: approved, signed, in the log the CLI reads.
    let (_, _, page) = send(&st, get(&format!("/slogans/{id}"), Some(&rev))).await;
    let seen = hidden(&page, "seen");
    // Without the page's CSRF token: refused.
    let (status, _, _) =
        send(&st, post(&format!("/slogans/{id}/decide"), Some(&rev), &format!("csrf=x&decision=approve&seen={seen}")))
            .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, body) = send(
        &st,
        post(&format!("/slogans/{id}/decide"), Some(&rev), &format!("csrf={rcsrf}&decision=approve&seen={seen}")),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let log = std::fs::read_to_string(p.join("reviews/log.yaml")).unwrap();
    assert!(
        log.contains(&format!("slogan: {id}")) && log.contains("reviewer: \"李建国\"") && log.contains("mac: "),
        "{log}"
    );

    // Another reviewer may approve the first reviewer's slogan.
    let (rev2, csrf2) = sign_in(&st, "赵审核", "reviewer pass 2").await;
    let (_, _, page) = send(&st, get(&format!("/slogans/{own_id}"), Some(&rev2))).await;
    let seen = hidden(&page, "seen");
    // A stale hash (the reviewer read other wording) is refused.
    let (status, _, _) = send(
        &st,
        post(
            &format!("/slogans/{own_id}/decide"),
            Some(&rev2),
            &format!("csrf={csrf2}&decision=approve&seen=0123456789abcdef"),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // Changes requested need a reason.
    let (status, _, _) = send(
        &st,
        post(
            &format!("/slogans/{own_id}/decide"),
            Some(&rev2),
            &format!("csrf={csrf2}&decision=changes&seen={seen}&note="),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _, _) = send(
        &st,
        post(&format!("/slogans/{own_id}/decide"), Some(&rev2), &format!("csrf={csrf2}&decision=approve&seen={seen}")),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    // Both approved as the CLI sees it; the queue is empty of them.
    let lib = jiediqi::validate::Library::load(&p).unwrap();
    let (_, _, queue) = send(&st, get("/review", Some(&rev))).await;
    assert!(!queue.contains(&format!("/slogans/{id}\"")) && !queue.contains(&format!("/slogans/{own_id}\"")));
    assert!(lib.slogan(&id).is_some());

    // A proof sheet for the slogan, as PDF.
    let (status, h, pdf) = send(&st, get(&format!("/proof/{id}.pdf"), Some(&officer))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(h[header::CONTENT_TYPE], "application/pdf");
    assert!(pdf.starts_with("%PDF-"));
}

/// A multipart form body: text fields, then files (name, file name, bytes).
fn multipart(fields: &[(&str, &str)], files: &[(&str, &str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "----jiediqi-test-boundary-7d91";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes());
    }
    for (k, file, bytes) in files {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"; filename=\"{file}\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                .as_bytes(),
        );
        body.extend(*bytes);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

fn post_multipart(path: &str, cookie: &str, fields: &[(&str, &str)], files: &[(&str, &str, &[u8])]) -> Request<Body> {
    let (ct, body) = multipart(fields, files);
    Request::post(path).header(header::CONTENT_TYPE, ct).header(header::COOKIE, cookie).body(Body::from(body)).unwrap()
}

#[tokio::test]
async fn an_officer_orders_for_the_station_or_a_list_and_downloads_the_package() {
    let (p, st) = studio_with_key("studio-order");
    st_add_officer(&st, "刘洋", "dongguan");
    let o = jiediqi_in(&p, &["approve", "fanzha-96110", "xiaofang-dianche", "--by", "李建国"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (cookie, csrf) = sign_in(&st, "王芳", "officer pass 1").await;

    // The station profile, checked and kept as a station file.
    let (status, _, _) = send(
        &st,
        post(
            "/station",
            Some(&cookie),
            &format!(
                "csrf={csrf}&name={}&phone=0912-1234567&hotline=96110&address={}&qr={}",
                enc("城关派出所"),
                enc("人民路88号"),
                enc("https://example.org/cg")
            ),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    // It waits for an admin: nothing an officer types reaches a footer unchecked.
    let profile = std::fs::read_to_string(p.join("stations/pending/chengguan.yaml")).unwrap();
    assert!(profile.contains("城关派出所"), "{profile}");
    assert!(!p.join("stations/chengguan.yaml").exists());
    let (status, _, page) = send(
        &st,
        post(
            "/station",
            Some(&cookie),
            &format!("csrf={csrf}&name={}&qr={}", enc("城关派出所"), enc("javascript:alert(1)")),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");

    // The order form lists approved slogans only.
    let (_, _, form) = send(&st, get("/orders", Some(&cookie))).await;
    assert!(form.contains("value=\"fanzha-96110\"") && !form.contains("value=\"fanzha-shucaitan\""));

    let base = [("csrf", csrf.as_str()), ("title", "城关冬季宣传"), ("vendor", "城关印务"), ("due", "2026-12-20")];
    // Not registered yet: an order for the station itself is refused (a
    // list naming an unregistered station is tried below).
    let own = {
        let mut fields = base.to_vec();
        fields.extend([
            ("stations", "own"),
            ("qty-bag-nonwoven", "100"),
            ("per-bag-nonwoven", "station"),
            ("slogan", "fanzha-96110"),
        ]);
        fields
    };
    let (status, _, page) = send(&st, post_multipart("/orders", &cookie, &own, &[])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("不在本县登记的派出所里"), "{page}");
    // An admin approves the change and registers the second station.
    let (admin, acsrf) = sign_in(&st, "张管理", "admin pass 1").await;
    let (_, _, list) = send(&st, get("/admin/stations", Some(&admin))).await;
    assert!(list.contains("data-station=\"chengguan\"") && list.contains("人民路88号"), "{list}");
    let (status, _, _) =
        send(&st, post("/admin/stations/chengguan/approve", Some(&cookie), &format!("csrf={csrf}"))).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "an officer cannot approve their own station's change");
    let (status, _, page) =
        send(&st, post("/admin/stations/chengguan/approve", Some(&admin), &format!("csrf={acsrf}"))).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(std::fs::read_to_string(p.join("stations/chengguan.yaml")).unwrap().contains("人民路88号"));
    assert!(!p.join("stations/pending/chengguan.yaml").exists());
    let form = format!(
        "csrf={acsrf}&key=dongguan&name={}&address={}&phone=0912-2345678",
        enc("东关派出所"),
        enc("红旗路16号")
    );
    let (status, _, page) = send(&st, post("/admin/stations", Some(&admin), &form)).await;
    assert_eq!(status, StatusCode::OK, "{page}");

    // An unapproved slogan, posted by hand, stops the order before anything is made.
    let mut fields = base.to_vec();
    fields.extend([
        ("stations", "own"),
        ("qty-bag-nonwoven", "100"),
        ("per-bag-nonwoven", "station"),
        ("slogan", "fanzha-shucaitan"),
    ]);
    let (status, _, page) = send(&st, post_multipart("/orders", &cookie, &fields, &[])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("fanzha-shucaitan"), "{page}");
    assert!(!p.join("studio/packages/1").exists() && !p.join("orders/studio-0001.yaml").exists());

    // For the station itself, now registered.
    let mut fields = own.clone();
    fields.push(("slogan", "xiaofang-dianche"));
    let (status, h, page) = send(&st, post_multipart("/orders", &cookie, &fields, &[])).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    let to = h[header::LOCATION].to_str().unwrap().to_string();
    let (status, _, page) = send(&st, get(&to, Some(&cookie))).await;
    assert_eq!(status, StatusCode::OK);
    let sha = page.split("SHA-256：<code>").nth(1).unwrap().split('<').next().unwrap().to_string();
    let (status, h, _) = send(&st, get(&format!("{to}/package.zip"), Some(&cookie))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(h[header::CONTENT_TYPE], "application/zip");
    let zip = std::fs::read(p.join("studio/packages/1/studio-0001.zip")).unwrap();
    assert_eq!(jiediqi::review::sha256_hex(&zip), sha);
    // The order is an order file like any other: the CLI builds it too.
    let out = p.join("out").display().to_string();
    let order = p.join("orders/studio-0001.yaml").display().to_string();
    let o = jiediqi_in(&p, &["order", &order, "--out", &out]);
    assert!(o.status.success(), "{}", stderr(&o));

    // For two stations from an uploaded list.
    let csv = "名称,地址,电话\n城关派出所,人民路88号,0912-1234567\n东关派出所,红旗路16号,0912-2345678\n";
    let mut fields = base.to_vec();
    fields.extend([
        ("stations", "file"),
        ("qty-poster-a3", "20"),
        ("per-poster-a3", "station"),
        ("slogan", "fanzha-96110"),
    ]);
    let (status, _, page) =
        send(&st, post_multipart("/orders", &cookie, &fields, &[("stations_file", "名单.csv", csv.as_bytes())])).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    let sums = std::fs::read_to_string(p.join("studio/packages/2/studio-0002/SHA256SUMS")).unwrap();
    assert_eq!(
        sums.lines().filter(|l| l.contains("print/") && l.ends_with(".pdf") && !l.contains(".cut.")).count(),
        2,
        "{sums}"
    );
    // What is printed is the registered profile, not the list's own text:
    // a list whose name carries other words names no registered station.
    let order2 = std::fs::read_to_string(p.join("orders/studio-0002.yaml")).unwrap();
    assert!(order2.contains("dongguan") && order2.contains("红旗路16号"), "{order2}");
    let sneaky = "名称,地址\n城关派出所 打倒一切,人民路88号\n";
    let (status, _, page) =
        send(&st, post_multipart("/orders", &cookie, &fields, &[("stations_file", "名单.csv", sneaky.as_bytes())]))
            .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("名单第 2 行") && page.contains("不在本县登记的派出所里"), "{page}");

    // Another station's officer sees neither order, by list or by URL.
    let (other, _) = sign_in(&st, "刘洋", "officer pass 2").await;
    let (_, _, list) = send(&st, get("/orders", Some(&other))).await;
    assert!(!list.contains("/orders/1\"") && !list.contains("/orders/2\""));
    for path in ["/orders/1", "/orders/1/package.zip", "/orders/2/package.zip"] {
        let (status, _, _) = send(&st, get(path, Some(&other))).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
    // Reviewers do not order.
    let (rev, rcsrf) = sign_in(&st, "李建国", "reviewer pass").await;
    let mut fields = base.to_vec();
    fields[0] = ("csrf", rcsrf.as_str());
    let (status, _, _) = send(&st, post_multipart("/orders", &rev, &fields, &[])).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

fn st_add_officer(st: &Arc<Studio>, name: &str, station: &str) {
    st.with_db(|db| db.add_user(name, Role::Officer, Some(station), "officer pass 2")).unwrap();
}

fn api(method: &str, path: &str, auth: &[(&str, &str)], body: &str) -> Request<Body> {
    let mut b = Request::builder().method(method).uri(path).header(header::CONTENT_TYPE, "application/json");
    for (k, v) in auth {
        b = b.header(*k, *v);
    }
    b.body(Body::from(body.to_string())).unwrap()
}

#[tokio::test]
async fn the_api_needs_a_token_or_a_session_with_its_csrf_header() {
    let (p, st) = studio_with_key("studio-api");
    let officer = st.with_db(|db| db.create_token("王芳")).unwrap();
    let reviewer = st.with_db(|db| db.create_token("李建国")).unwrap();
    let bearer = |t: &str| format!("Bearer {t}");
    let (ob, rb) = (bearer(&officer), bearer(&reviewer));

    // Nothing without credentials, not even the description.
    for path in [
        "/api/v1/openapi.json",
        "/api/v1/slogans",
        "/api/v1/slogans/fanzha-96110",
        "/api/v1/orders",
        "/api/v1/preview/poster-a3/fanzha-96110",
    ] {
        let (status, h, body) = send(&st, api("GET", path, &[], "")).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(h[header::CONTENT_TYPE], "application/json");
        assert!(body.contains("\"error\""), "{body}");
    }
    let forged = bearer(&"cd".repeat(32));
    let (status, _, _) = send(&st, api("GET", "/api/v1/slogans", &[("authorization", &forged)], "")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _, doc) = send(&st, api("GET", "/api/v1/openapi.json", &[("authorization", &ob)], "")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(doc.contains("\"openapi\": \"3.0.3\""));

    // Propose by token; the reviewer decides by token (not the officer).
    let draft = r#"{"topic": "反诈", "lines": ["陌生来电说退款，", "挂掉电话问一遍。"], "tip": "退款不用先交钱，拿不准就打96110。"}"#;
    let (status, _, body) = send(&st, api("POST", "/api/v1/slogans", &[("authorization", &ob)], draft)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    let id = v["id"].as_str().unwrap().to_string();
    let hash = v["wording"].as_str().unwrap().to_string();
    assert_eq!(v["state"], "pending");
    assert_eq!(v["authors"][0], "王芳");
    let decision = format!(r#"{{"decision": "approve", "seen": "{hash}"}}"#);
    let path = format!("/api/v1/slogans/{id}/decision");
    let (status, _, _) = send(&st, api("POST", &path, &[("authorization", &ob)], &decision)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, body) = send(&st, api("POST", &path, &[("authorization", &rb)], &decision)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert!(body.contains("\"decision\":\"approved\"") && body.contains("\"reviewer\":\"李建国\""), "{body}");
    assert!(std::fs::read_to_string(p.join("reviews/log.yaml")).unwrap().contains(&id));

    // A session cookie alone does not change anything: the CSRF header is needed.
    let (cookie, csrf) = sign_in(&st, "王芳", "officer pass 1").await;
    let other = r#"{"topic": "反诈", "lines": ["快递理赔要转账，", "准是骗子在撒网。"]}"#;
    let (status, _, _) = send(&st, api("POST", "/api/v1/slogans", &[("cookie", &cookie)], other)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) =
        send(&st, api("POST", "/api/v1/slogans", &[("cookie", &cookie), ("x-csrf-token", &csrf)], other)).await;
    assert_eq!(status, StatusCode::CREATED);

    // Bad JSON and unknown fields are 400 with a JSON error, never a 5xx.
    for bad in ["{", r#"{"topic": "反诈", "lines": ["x"], "evil": 1}"#, "[]", "null"] {
        let (status, h, _) = send(&st, api("POST", "/api/v1/slogans", &[("authorization", &ob)], bad)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(h[header::CONTENT_TYPE], "application/json");
    }

    // An order through the API: approved wording only, registered stations
    // only (registered here as a county's operator would, by file).
    std::fs::create_dir_all(p.join("stations")).unwrap();
    std::fs::write(p.join("stations/chengguan.yaml"), "id: chengguan\nname: 城关派出所\nphone: 0912-1234567\n")
        .unwrap();
    std::fs::write(p.join("stations/dongguan.yaml"), "id: dongguan\nname: 东关派出所\nphone: 0912-2345678\n").unwrap();
    let order = format!(
        r#"{{"title": "接口下单", "vendor": "城关印务", "due": "2026-12-20", "stations": [{{"name": "城关派出所", "phone": "0912-1234567"}}, {{"name": "东关派出所", "phone": "0912-2345678"}}], "lines": [{{"item": "poster-a3", "slogans": ["{id}"], "quantity": 20}}]}}"#
    );
    // Refused orders say why, naming files as the project does, not the server's paths.
    let refused = order.replace(&id, "fanzha-shucaitan");
    let (status, _, body) = send(&st, api("POST", "/api/v1/orders", &[("authorization", &ob)], &refused)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("fanzha-shucaitan") && body.contains("not approved"), "{body}");
    assert!(!body.contains(&p.display().to_string()), "{body}");
    let (status, _, body) = send(&st, api("POST", "/api/v1/orders", &[("authorization", &ob)], &order)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(v["files"].as_i64().unwrap() >= 2, "{body}");
    let zip = format!("/api/v1/orders/{}/package.zip", v["id"]);
    let (status, h, _) = send(&st, api("GET", &zip, &[("authorization", &ob)], "")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(h[header::CONTENT_TYPE], "application/zip");
    // The reviewer's station is none: the order is not theirs to download.
    let (status, _, _) = send(&st, api("GET", &zip, &[("authorization", &rb)], "")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_sessions_and_a_cli_reviewer_at_once_lose_nothing() {
    let (p, st) = studio_with_key("studio-concurrent");
    // Ten officers and ten reviewers, each in their own session.
    for i in 0..10 {
        st.with_db(|db| db.add_user(&format!("民警{i}"), Role::Officer, Some("chengguan"), "officer pass 1")).unwrap();
        st.with_db(|db| db.add_user(&format!("审核{i}"), Role::Reviewer, None, "reviewer pass")).unwrap();
    }
    let lib = jiediqi::validate::Library::load(&p).unwrap();
    // The CLI approves the first 40 slogans one by one while the studio works.
    let cli_ids: Vec<String> = lib.slogans.iter().take(40).map(|s| s.id.clone()).collect();
    // Studio reviewers decide on 10 others (seen hashes read now: no one edits them).
    let studio_ids: Vec<(String, String)> =
        lib.slogans.iter().skip(40).take(10).map(|s| (s.id.clone(), jiediqi::review::wording_hash(s))).collect();
    let cli_root = p.clone();
    let cli = std::thread::spawn(move || {
        for id in &cli_ids {
            let o = jiediqi_in(&cli_root, &["approve", id, "--by", "命令行审核", "--override-lint", "测试"]);
            assert!(o.status.success(), "{}", stderr(&o));
        }
    });
    let words = ["春", "夏", "秋", "冬", "东", "西", "南", "北", "山", "河"];
    let mut tasks = Vec::new();
    for i in 0..10 {
        let officer = st.clone();
        let w = words[i];
        tasks.push(tokio::spawn(async move {
            let st = officer;
            let (cookie, csrf) = sign_in(&st, &format!("民警{i}"), "officer pass 1").await;
            for k in 0..2 {
                let form = new_slogan_form(&csrf, &format!("{w}天骑车戴头盔，"), &format!("第{k}回平安把家回。"), "");
                let (status, _, body) = send(&st, post("/write", Some(&cookie), &form)).await;
                assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
            }
        }));
        let reviewer = st.clone();
        let (id, seen) = studio_ids[i].clone();
        tasks.push(tokio::spawn(async move {
            let st = reviewer;
            let (cookie, csrf) = sign_in(&st, &format!("审核{i}"), "reviewer pass").await;
            let form = format!("csrf={csrf}&decision=approve&seen={seen}&override_lint={}", enc("测试"));
            let (status, _, body) = send(&st, post(&format!("/slogans/{id}/decide"), Some(&cookie), &form)).await;
            assert_eq!(status, StatusCode::SEE_OTHER, "{id}: {body}");
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    cli.join().unwrap();

    // Every slogan written is in the library; every decision is in the log, which verifies.
    let after = jiediqi::validate::Library::load(&p).unwrap();
    assert_eq!(after.slogans.len(), lib.slogans.len() + 20);
    for w in words {
        for k in 0..2 {
            let text = format!("{w}天骑车戴头盔，第{k}回平安把家回。");
            assert!(after.slogans.iter().any(|s| s.text() == text), "lost: {text}");
        }
    }
    let log = review_log(&p);
    assert_eq!(log.records.len(), 50, "40 from the CLI and 10 from the studio");
    for s in lib.slogans.iter().take(50) {
        assert!(log.state(s).is_approved(), "{} not approved", s.id);
    }
}

#[tokio::test]
async fn admins_keep_the_accounts_and_nobody_else_can() {
    let (_, st) = studio("studio-admin");
    let (officer, ocsrf) = sign_in(&st, "王芳", "officer pass 1").await;
    for (path, form) in [
        ("/admin/users", format!("csrf={ocsrf}&name=x&role=admin&password=12345678")),
        ("/admin/users/李建国/password", format!("csrf={ocsrf}&password=taken-over-1")),
        ("/admin/users/李建国/disable", format!("csrf={ocsrf}")),
    ] {
        let (status, _, _) = send(&st, post(&enc_path(path), Some(&officer), &form)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
    }
    let (status, _, _) = send(&st, get("/admin/users", Some(&officer))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (admin, csrf) = sign_in(&st, "张管理", "admin pass 1").await;
    let (status, _, page) = send(&st, get("/admin/users", Some(&admin))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("李建国") && page.contains("宣传民警"));
    // Without the CSRF token: nothing.
    let (status, _, _) =
        send(&st, post("/admin/users", Some(&admin), "csrf=x&name=x&role=officer&password=12345678")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let form =
        format!("csrf={csrf}&name={}&role=officer&station=dongguan&password={}", enc("刘洋"), enc("first pass 1"));
    let (status, _, _) = send(&st, post("/admin/users", Some(&admin), &form)).await;
    assert_eq!(status, StatusCode::OK);
    sign_in(&st, "刘洋", "first pass 1").await;
    // A reset password ends the account's sessions and API tokens; a disabled
    // account cannot sign in.
    let (victim, _) = sign_in(&st, "李建国", "reviewer pass").await;
    let old_token = st.with_db(|db| db.create_token("李建国")).unwrap();
    let old_bearer = format!("Bearer {old_token}");
    let (status, _, _) = send(&st, api("GET", "/api/v1/slogans", &[("authorization", &old_bearer)], "")).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, _) = send(
        &st,
        post(
            &enc_path("/admin/users/李建国/password"),
            Some(&admin),
            &format!("csrf={csrf}&password={}", enc("new reviewer pass")),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, _) = send(&st, get("/", Some(&victim))).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "the old session ended");
    let (status, _, _) = send(&st, api("GET", "/api/v1/slogans", &[("authorization", &old_bearer)], "")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the old token ended");
    let token = st.with_db(|db| db.create_token("李建国")).unwrap();
    let bearer = format!("Bearer {token}");
    let (status, _, _) = send(&st, api("GET", "/api/v1/slogans", &[("authorization", &bearer)], "")).await;
    assert_eq!(status, StatusCode::OK);
    let (victim, _) = sign_in(&st, "李建国", "new reviewer pass").await;
    // Another role: the account's sessions and tokens end, and its new role holds at once.
    let (status, _, page) = send(
        &st,
        post(
            &enc_path("/admin/users/李建国/role"),
            Some(&admin),
            &format!("csrf={csrf}&role=officer&station=chengguan"),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let (status, _, _) = send(&st, get("/", Some(&victim))).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "the session ended with the role change");
    let (status, _, _) = send(&st, api("GET", "/api/v1/slogans", &[("authorization", &bearer)], "")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the token ended with the role change");
    let (now_officer, _) = sign_in(&st, "李建国", "new reviewer pass").await;
    let (status, _, _) = send(&st, get("/review", Some(&now_officer))).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "an officer now");
    let (status, _, _) =
        send(&st, post(&enc_path("/admin/users/张管理/role"), Some(&admin), &format!("csrf={csrf}&role=officer")))
            .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "not one's own role");
    let (status, _, _) =
        send(&st, post(&enc_path("/admin/users/王芳/role"), Some(&now_officer), &format!("csrf={csrf}&role=admin")))
            .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "only admins change roles");
    let (status, _, _) =
        send(&st, post(&enc_path("/admin/users/刘洋/disable"), Some(&admin), &format!("csrf={csrf}"))).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _, _) = post_sign_in(&st, "刘洋", "first pass 1").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // No password in clear anywhere the admin can see.
    let (_, _, audit) = send(&st, get("/admin/audit", Some(&admin))).await;
    assert!(audit.contains("user-password") && !audit.contains("new reviewer pass") && !audit.contains("first pass 1"));
}

/// A path with its non-ASCII characters percent-encoded.
fn enc_path(p: &str) -> String {
    p.split('/').map(|seg| if seg.is_ascii() { seg.to_string() } else { enc(seg) }).collect::<Vec<_>>().join("/")
}

/// A station's profile keeps everything it has through the studio: an
/// officer's edit of the text fields keeps the hand-written logo, QR picture
/// and officer; pictures are uploaded (checked, stored by their content's
/// hash), wait for the admin with the rest, show on the contact card drawn by
/// jiediqi, and reach studio orders, which the CLI builds as they are.
#[tokio::test]
async fn station_pictures_and_officer_survive_studio_edits_and_reach_orders() {
    let (p, st) = studio_with_key("studio-station-pictures");
    let stations = p.join("stations");
    std::fs::create_dir_all(&stations).unwrap();
    for f in ["logo.svg", "fanzha-app.png", "officer.png"] {
        std::fs::copy(p.join("examples").join(f), stations.join(f)).unwrap();
    }
    let hand = std::fs::read_to_string(p.join("examples/station.yaml")).unwrap();
    std::fs::write(stations.join("chengguan.yaml"), format!("id: chengguan\n{hand}")).unwrap();
    let lib = jiediqi::validate::Library::load(&p).unwrap();
    let card = lib.item("card-contact").unwrap();
    let slogan = lib.slogans.iter().find(|x| card.takes(x).is_ok()).unwrap().id.clone();
    let o = jiediqi_in(&p, &["approve", &slogan, "--by", "李建国"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (cookie, csrf) = sign_in(&st, "王芳", "officer pass 1").await;

    // The form shows the officer; an edit of the phone keeps pictures and officer.
    let (_, _, page) = send(&st, get("/station", Some(&cookie))).await;
    assert!(page.contains("value=\"李警官\"") && page.contains("标志（已有）"), "{page}");
    let form = format!(
        "csrf={csrf}&name={}&phone=0912-7654321&hotline=96110&address={}&qr={}&officer={}&officer_phone=138-0000-0000&delivery=&receiver={}",
        enc("城关派出所"),
        enc("城关镇人民路 88 号"),
        enc("https://example.org/chengguan"),
        enc("李警官"),
        enc("王芳 138-1111-2222")
    );
    let (status, _, page) = send(&st, post("/station", Some(&cookie), &form)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let pending = std::fs::read_to_string(stations.join("pending/chengguan.yaml")).unwrap();
    for want in [
        "0912-7654321",
        "logo: \"../logo.svg\"",
        "qr_image: \"../fanzha-app.png\"",
        "photo: \"../officer.png\"",
        "王芳 138-1111-2222",
    ] {
        assert!(pending.contains(want), "{want} missing from\n{pending}");
    }

    // A new logo: stored by its hash under stations/pictures, pending.
    let png = std::fs::read(p.join("examples/officer.png")).unwrap();
    let up = |fields: Vec<(&'static str, String)>, file: Option<(&'static str, Vec<u8>)>| {
        let fields: Vec<(&str, String)> = fields;
        let (ct, body) = multipart(
            &fields.iter().map(|(k, v)| (*k, v.as_str())).collect::<Vec<_>>(),
            &file.as_ref().map(|(n, b)| vec![("file", *n, &b[..])]).unwrap_or_default(),
        );
        Request::post("/station/picture")
            .header(header::CONTENT_TYPE, ct)
            .header(header::COOKIE, cookie.as_str())
            .body(Body::from(body))
            .unwrap()
    };
    let (status, _, page) =
        send(&st, up(vec![("csrf", csrf.clone()), ("kind", "logo".into())], Some(("标志.png", png.clone())))).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let name = format!("pictures/{}.png", &jiediqi::review::sha256_hex(&png)[..32]);
    assert_eq!(std::fs::read(stations.join(&name)).unwrap(), png);
    let pending = std::fs::read_to_string(stations.join("pending/chengguan.yaml")).unwrap();
    assert!(pending.contains(&format!("logo: \"../{name}\"")) && pending.contains("0912-7654321"), "{pending}");
    // Not a picture, a picture named for another field's kind, no CSRF token, a
    // reviewer: each refused, nothing changed.
    for (fields, file, want) in [
        (
            vec![("csrf", csrf.clone()), ("kind", "logo".to_string())],
            Some(("a.png", b"<html>hi</html>".to_vec())),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            vec![("csrf", csrf.clone()), ("kind", "../../orders/x".to_string())],
            Some(("a.png", png.clone())),
            StatusCode::BAD_REQUEST,
        ),
        (
            vec![("csrf", "forged".to_string()), ("kind", "logo".to_string())],
            Some(("a.png", png.clone())),
            StatusCode::FORBIDDEN,
        ),
    ] {
        let (status, _, page) = send(&st, up(fields, file)).await;
        assert_eq!(status, want, "{page}");
    }
    assert_eq!(std::fs::read_to_string(stations.join("pending/chengguan.yaml")).unwrap(), pending);
    let (rev, rcsrf) = sign_in(&st, "李建国", "reviewer pass").await;
    let (ct, body) = multipart(&[("csrf", &rcsrf), ("kind", "logo")], &[("file", "a.png", &png)]);
    let req = Request::post("/station/picture")
        .header(header::CONTENT_TYPE, ct)
        .header(header::COOKIE, &rev)
        .body(Body::from(body))
        .unwrap();
    assert_eq!(send(&st, req).await.0, StatusCode::FORBIDDEN);
    // An SVG with a script is taken as shapes only: the card jiediqi draws carries no script.
    let evil = br##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" onload="alert(1)"><script>alert(2)</script><rect width="10" height="10" fill="#c00"/></svg>"##;
    let (status, _, page) =
        send(&st, up(vec![("csrf", csrf.clone()), ("kind", "logo".into())], Some(("logo.svg", evil.to_vec())))).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    for side in ["1", "2"] {
        let (status, h, svg) = send(&st, get(&format!("/station/card/{side}.svg"), Some(&cookie))).await;
        assert_eq!(status, StatusCode::OK, "{svg}");
        assert_eq!(h[header::CONTENT_TYPE], "image/svg+xml");
        assert!(!svg.contains("script") && !svg.contains("onload") && !svg.contains("alert"), "{svg}");
    }
    let (_, _, back) = send(&st, get("/station/card/2.svg", Some(&cookie))).await;
    assert!(back.contains("<image"), "the officer's photo is not on the card's back");
    // Put the PNG logo back, remove the QR picture: both pending.
    send(&st, up(vec![("csrf", csrf.clone()), ("kind", "logo".into())], Some(("标志.png", png.clone())))).await;
    let (status, _, _) =
        send(&st, up(vec![("csrf", csrf.clone()), ("kind", "qr_image".into()), ("remove", "1".into())], None)).await;
    assert_eq!(status, StatusCode::OK);
    let pending = std::fs::read_to_string(stations.join("pending/chengguan.yaml")).unwrap();
    assert!(!pending.contains("qr_image") && pending.contains("../pictures/"), "{pending}");

    // The admin sees the change with its card and approves it.
    let (admin, acsrf) = sign_in(&st, "张管理", "admin pass 1").await;
    let (_, _, list) = send(&st, get("/admin/stations", Some(&admin))).await;
    assert!(list.contains("/admin/stations/chengguan/card/2.svg") && list.contains("社区民警 李警官"), "{list}");
    assert!(list.contains("图片有改动：标志、App 二维码图片"), "{list}");
    let (status, _, svg) = send(&st, get("/admin/stations/chengguan/card/1.svg", Some(&admin))).await;
    assert_eq!(status, StatusCode::OK, "{svg}");
    assert_eq!(send(&st, get("/admin/stations/chengguan/card/1.svg", Some(&cookie))).await.0, StatusCode::FORBIDDEN);
    let (status, _, page) =
        send(&st, post("/admin/stations/chengguan/approve", Some(&admin), &format!("csrf={acsrf}"))).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let live = std::fs::read_to_string(stations.join("chengguan.yaml")).unwrap();
    assert!(live.contains(&format!("logo: \"{name}\"")) && live.contains("photo: \"officer.png\""), "{live}");
    // The admin's own form has no officer fields: registering a change keeps them.
    let form = format!(
        "csrf={acsrf}&key=chengguan&name={}&address={}&phone=0912-7654321",
        enc("城关派出所"),
        enc("城关镇人民路 88 号")
    );
    let (status, _, page) = send(&st, post("/admin/stations", Some(&admin), &form)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let live = std::fs::read_to_string(stations.join("chengguan.yaml")).unwrap();
    assert!(live.contains("李警官") && live.contains(&name) && live.contains("王芳 138-1111-2222"), "{live}");

    // A contact card order for the station: its officer and pictures come along.
    let fields = [
        ("csrf", csrf.as_str()),
        ("title", "城关联系卡"),
        ("vendor", "城关印务"),
        ("due", "2026-12-20"),
        ("stations", "own"),
        ("qty-card-contact", "500"),
        ("per-card-contact", "station"),
        ("slogan", slogan.as_str()),
    ];
    let (status, _, page) = send(&st, post_multipart("/orders", &cookie, &fields, &[])).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    let order = std::fs::read_to_string(p.join("orders/studio-0001.yaml")).unwrap();
    assert!(order.contains(&format!("../stations/{name}")) && order.contains("../stations/officer.png"), "{order}");
    let out = p.join("out").display().to_string();
    let o = jiediqi_in(&p, &["order", &p.join("orders/studio-0001.yaml").display().to_string(), "--out", &out]);
    assert!(o.status.success(), "{}", stderr(&o));
}
