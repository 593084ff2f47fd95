//! `/api/v1`: the studio's actions as JSON, for a bureau's own scripts —
//! search, a slogan with its findings and history, preview, propose, edit,
//! decide, order. The same functions as the pages (one editor, one decision
//! path, one order builder); described by `/api/v1/openapi.json`.
//!
//! Authentication: `Authorization: Bearer <token>` (`jiediqi user token
//! NAME`), or the browser's session cookie, in which case a request that
//! changes something must carry the session's CSRF token in `X-CSRF-Token`.
//! Every failure is JSON: `{"error": "...", "problems": [...]}`.

// A refusal here is the response itself, made once per request: boxing it
// would buy nothing.
#![allow(clippy::result_large_err)]

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path as UrlPath, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::db::{Role, Session};
use super::orders::OrderForm;
use super::write::EditorForm;
use super::{Search, Studio, same};
use crate::diag::{Diagnostic, Diagnostics};
use crate::library::StationFile;
use crate::review::{Decision, Record, State as ReviewState, wording_hash};
use crate::validate::{Library, Slogan};

/// Most files one API order may make (a bigger order is a CLI job).
const MAX_API_FILES: usize = 400;

fn error(status: StatusCode, message: &str, problems: &[Diagnostic]) -> Response {
    let problems: Vec<Value> = problems
        .iter()
        .map(|d| {
            json!({
                "message": d.message,
                "hint": d.hint.as_deref(),
                "location": d.location.as_ref().map(|l| l.to_string()),
            })
        })
        .collect();
    (status, axum::Json(json!({ "error": message, "problems": problems }))).into_response()
}

/// Refused, with the library's problems; file names as the project knows
/// them (`orders/studio-0001.yaml`), never the server's own paths.
fn problems(st: &Studio, status: StatusCode, mut d: Diagnostics) -> Response {
    let root = format!("{}/", st.root.display());
    let heads = st.keys.as_ref().map(|k| k.heads_dir().display().to_string());
    let tidy = |t: &str| -> String {
        let t = t.replace(&root, "");
        match &heads {
            Some(h) => t.replace(h.as_str(), "(the review key's folder)"),
            None => t,
        }
    };
    for x in &mut d.0 {
        x.message = tidy(&x.message);
        x.hint = x.hint.as_deref().map(|h| tidy(h).into());
        if let Some(l) = &x.location {
            x.message = format!("{}: {}", tidy(&l.to_string()), x.message);
            x.location = None;
        }
    }
    let first = d.0.first().map(|x| x.message.clone()).unwrap_or_else(|| "refused".into());
    error(status, &first, &d.0)
}

/// The caller: a token, or a session (whose writes need the CSRF header).
fn caller(st: &Studio, headers: &HeaderMap, writes: bool) -> Result<Session, Response> {
    if let Some(auth) = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        let token = auth.strip_prefix("Bearer ").unwrap_or("").trim();
        return st.db().token_user(token).ok_or_else(|| error(StatusCode::UNAUTHORIZED, "the token is not valid", &[]));
    }
    let Some((_, s)) = st.session(headers) else {
        return Err(error(StatusCode::UNAUTHORIZED, "sign in, or send Authorization: Bearer TOKEN", &[]));
    };
    if writes {
        let sent = headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).unwrap_or("");
        if !same(sent, &s.csrf) {
            return Err(error(StatusCode::FORBIDDEN, "X-CSRF-Token is missing or wrong", &[]));
        }
    }
    Ok(s)
}

fn forbidden(st: &Studio, s: &Session, what: &str) -> Response {
    st.db().audit(Some(&s.user.name), "refused", what);
    error(StatusCode::FORBIDDEN, &format!("the role `{}` may not do this", s.user.role.as_str()), &[])
}

async fn run(f: impl FnOnce() -> Result<Response, Diagnostic> + Send + 'static) -> Response {
    match tokio::task::spawn_blocking(f).await {
        Ok(Ok(r)) => r,
        Ok(Err(d)) => error(StatusCode::SERVICE_UNAVAILABLE, "the project's data does not load", &[d]),
        Err(_) => error(StatusCode::INTERNAL_SERVER_ERROR, "the request failed", &[]),
    }
}

fn state_name(s: &ReviewState) -> &'static str {
    super::pages::state_class(s)
}

fn record_json(r: &Record) -> Value {
    json!({
        "seq": r.seq,
        "slogan": r.slogan,
        "wording": r.wording,
        "decision": r.decision.label(),
        "reviewer": r.reviewer,
        "time": r.time,
        "note": r.note,
    })
}

fn summary(s: &Slogan, state: &ReviewState) -> Value {
    json!({
        "id": s.id,
        "topic": s.topic,
        "lines": s.lines,
        "tip": s.tip,
        "audience": s.audience,
        "items": s.items,
        "state": state_name(state),
        "wording": wording_hash(s),
    })
}

fn detail(st: &Studio, lib: &Library, log: &crate::review::ReviewLog, s: &Slogan) -> Result<Value, Diagnostic> {
    let findings: Vec<Value> = st
        .findings(lib, &s.id)?
        .iter()
        .map(|f| {
            json!({
                "level": f.level.label(),
                "rule": f.rule,
                "message": f.message,
                "suggestion": f.suggestion,
                "item": f.item,
                "zone": f.zone,
            })
        })
        .collect();
    let mut v = summary(s, &log.state(s));
    v["heading"] = json!(s.heading);
    v["notes"] = json!(s.notes);
    v["source"] = json!(s.source);
    v["verify"] = json!(s.verify);
    v["authors"] = json!(st.db().authors_of(&s.id, &wording_hash(s)));
    v["findings"] = json!(findings);
    v["history"] = json!(log.history(&s.id).map(record_json).collect::<Vec<_>>());
    Ok(v)
}

/// `GET /api/v1/openapi.json`: for callers of the API (signed in or with a token).
pub async fn openapi(State(st): State<Arc<Studio>>, headers: HeaderMap) -> Response {
    if let Err(r) = caller(&st, &headers, false) {
        return r;
    }
    let doc: &'static str = include_str!("openapi.json");
    ([(header::CONTENT_TYPE, "application/json")], doc).into_response()
}

/// `GET /api/v1/slogans`
pub async fn list(
    State(st): State<Arc<Studio>>,
    headers: HeaderMap,
    q: Result<Query<Search>, QueryRejection>,
) -> Response {
    let s = match caller(&st, &headers, false) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let _ = s;
    let Ok(Query(q)) = q else { return error(StatusCode::BAD_REQUEST, "bad query", &[]) };
    let st2 = st.clone();
    run(move || {
        let lib = st2.library()?;
        let log = st2.review_log()?;
        let found: Vec<Value> = lib
            .slogans
            .iter()
            .filter(|s| super::pages::matches(&lib, s, &log, &q))
            .map(|s| summary(s, &log.state(s)))
            .collect();
        Ok(axum::Json(json!({ "slogans": found })).into_response())
    })
    .await
}

/// `GET /api/v1/slogans/{id}`
pub async fn get_one(
    State(st): State<Arc<Studio>>,
    headers: HeaderMap,
    id: Result<UrlPath<String>, PathRejection>,
) -> Response {
    if let Err(r) = caller(&st, &headers, false) {
        return r;
    }
    let Ok(UrlPath(id)) = id else { return error(StatusCode::NOT_FOUND, "no such slogan", &[]) };
    let st2 = st.clone();
    run(move || {
        let lib = st2.library()?;
        let log = st2.review_log()?;
        let Some(s) = lib.slogan(&id) else { return Ok(error(StatusCode::NOT_FOUND, "no such slogan", &[])) };
        Ok(axum::Json(detail(&st2, &lib, &log, s)?).into_response())
    })
    .await
}

/// `GET /api/v1/preview/{item}/{slogan}`: SVG, marked unless approved.
pub async fn preview(
    State(st): State<Arc<Studio>>,
    headers: HeaderMap,
    path: Result<UrlPath<(String, String)>, PathRejection>,
) -> Response {
    if let Err(r) = caller(&st, &headers, false) {
        return r;
    }
    let Ok(UrlPath((item, id))) = path else { return error(StatusCode::NOT_FOUND, "no such item or slogan", &[]) };
    let st2 = st.clone();
    run(move || {
        let lib = st2.library()?;
        let (Some(item), Some(s)) = (lib.item(&item), lib.slogan(&id)) else {
            return Ok(error(StatusCode::NOT_FOUND, "no such item or slogan", &[]));
        };
        let log = st2.review_log()?;
        let svg = st2.preview(&lib, item, s, 0, !log.state(s).is_approved())?;
        Ok(([(header::CONTENT_TYPE, "image/svg+xml")], svg).into_response())
    })
    .await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DraftBody {
    topic: String,
    lines: Vec<String>,
    #[serde(default)]
    tip: Option<String>,
    #[serde(default)]
    audience: Vec<String>,
    #[serde(default)]
    items: Option<Vec<String>>,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    notes: Option<String>,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    verify: Option<String>,
    /// Edits only: the wording hash the edit starts from.
    #[serde(default)]
    base: Option<String>,
}

fn parse<T: for<'de> Deserialize<'de>>(body: &Bytes) -> Result<T, Response> {
    serde_json::from_slice(body)
        .map_err(|e| error(StatusCode::BAD_REQUEST, &format!("the body is not valid JSON for this call: {e}"), &[]))
}

fn editor_form(b: DraftBody, editing: Option<String>) -> Result<EditorForm, Response> {
    if b.lines.is_empty() || b.lines.len() > 2 {
        return Err(error(StatusCode::UNPROCESSABLE_ENTITY, "a slogan has one or two lines", &[]));
    }
    Ok(EditorForm {
        editing: editing.unwrap_or_default(),
        base: b.base.unwrap_or_default(),
        id: b.id.unwrap_or_default(),
        topic: b.topic,
        line1: b.lines[0].clone(),
        line2: b.lines.get(1).cloned().unwrap_or_default(),
        tip: b.tip.unwrap_or_default(),
        audience: b.audience.join("、"),
        notes: b.notes.unwrap_or_default(),
        source: b.source.unwrap_or_default(),
        verify: b.verify.unwrap_or_default(),
        items: b.items.unwrap_or_default(),
        csrf: String::new(),
    })
}

/// `POST /api/v1/slogans` (new) and `PUT /api/v1/slogans/{id}` (edit).
pub async fn propose(State(st): State<Arc<Studio>>, headers: HeaderMap, body: Bytes) -> Response {
    save(st, headers, None, body).await
}

pub async fn edit(
    State(st): State<Arc<Studio>>,
    headers: HeaderMap,
    id: Result<UrlPath<String>, PathRejection>,
    body: Bytes,
) -> Response {
    let Ok(UrlPath(id)) = id else { return error(StatusCode::NOT_FOUND, "no such slogan", &[]) };
    save(st, headers, Some(id), body).await
}

async fn save(st: Arc<Studio>, headers: HeaderMap, editing: Option<String>, body: Bytes) -> Response {
    let s = match caller(&st, &headers, true) {
        Ok(s) => s,
        Err(r) => return r,
    };
    if !super::write::may_write(&s) || editing.as_ref().is_some_and(|id| !super::write::may_edit(&st, &s, id)) {
        return forbidden(&st, &s, "api save");
    }
    let b: DraftBody = match parse(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    if editing.is_some() && b.base.is_none() {
        return error(StatusCode::UNPROCESSABLE_ENTITY, "an edit needs `base`: the wording hash it starts from", &[]);
    }
    let form = match editor_form(b, editing.clone()) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let st2 = st.clone();
    run(move || {
        let lib = st2.library()?;
        if let Some(id) = &editing
            && lib.slogan(id).is_none()
        {
            return Ok(error(StatusCode::NOT_FOUND, "no such slogan", &[]));
        }
        match super::write::save_form(&st2, &lib, &s, &form) {
            Ok(saved) => {
                let lib = st2.library()?;
                let log = st2.review_log()?;
                let s = lib.slogan(&saved.id).unwrap_or(&saved);
                let status = if editing.is_some() { StatusCode::OK } else { StatusCode::CREATED };
                Ok((status, axum::Json(detail(&st2, &lib, &log, s)?)).into_response())
            }
            Err(d) => Ok(problems(&st2, StatusCode::UNPROCESSABLE_ENTITY, d)),
        }
    })
    .await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DecisionBody {
    decision: String,
    seen: String,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    override_lint: Option<String>,
}

/// `POST /api/v1/slogans/{id}/decision`
pub async fn decide(
    State(st): State<Arc<Studio>>,
    headers: HeaderMap,
    id: Result<UrlPath<String>, PathRejection>,
    body: Bytes,
) -> Response {
    let s = match caller(&st, &headers, true) {
        Ok(s) => s,
        Err(r) => return r,
    };
    if s.user.role != Role::Reviewer {
        return forbidden(&st, &s, "api decide");
    }
    let Ok(UrlPath(id)) = id else { return error(StatusCode::NOT_FOUND, "no such slogan", &[]) };
    let b: DecisionBody = match parse(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let decision = match b.decision.as_str() {
        "approve" => Decision::Approved,
        "changes" => Decision::ChangesRequested,
        "reject" => Decision::Rejected,
        _ => return error(StatusCode::UNPROCESSABLE_ENTITY, "decision is approve, changes or reject", &[]),
    };
    let st2 = st.clone();
    run(move || {
        let lib = st2.library()?;
        let Some(slogan) = lib.slogan(&id) else { return Ok(error(StatusCode::NOT_FOUND, "no such slogan", &[])) };
        let note = b.note.unwrap_or_default();
        let over = b.override_lint.unwrap_or_default();
        match super::queue::decide_as(&st2, &lib, &s, slogan, decision, &b.seen, &note, &over) {
            Ok(()) => {
                let log = st2.review_log()?;
                let r = log.history(&id).last().map(record_json).unwrap_or(Value::Null);
                Ok((StatusCode::CREATED, axum::Json(r)).into_response())
            }
            Err((status, d)) => Ok(problems(&st2, status, d)),
        }
    })
    .await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OrderBody {
    title: String,
    vendor: String,
    #[serde(default)]
    contact: Option<String>,
    due: String,
    stations: Vec<StationBody>,
    lines: Vec<LineBody>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StationBody {
    #[serde(default)]
    id: Option<String>,
    name: String,
    #[serde(default)]
    address: Option<String>,
    #[serde(default)]
    phone: Option<String>,
    #[serde(default)]
    hotline: Option<String>,
    #[serde(default)]
    qr: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LineBody {
    item: String,
    slogans: Vec<String>,
    quantity: u32,
    #[serde(default)]
    per: Option<String>,
}

fn order_json(o: &super::db::OrderRow) -> Value {
    json!({
        "id": o.id,
        "user": o.user,
        "station": o.station,
        "title": o.title,
        "created": crate::timefmt::rfc3339(o.created),
        "files": o.files,
        "zip_sha256": o.zip_sha256,
    })
}

/// `POST /api/v1/orders`: officers; the same checks and package as the form.
pub async fn order(State(st): State<Arc<Studio>>, headers: HeaderMap, body: Bytes) -> Response {
    let s = match caller(&st, &headers, true) {
        Ok(s) => s,
        Err(r) => return r,
    };
    if s.user.role != Role::Officer {
        return forbidden(&st, &s, "api order");
    }
    let b: OrderBody = match parse(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    if b.stations.is_empty() || b.lines.is_empty() {
        return error(StatusCode::UNPROCESSABLE_ENTITY, "an order needs stations and lines", &[]);
    }
    // One line per item: more lines than any library has items is a mistake.
    if b.lines.len() > 64 || b.stations.len() > 200 {
        return error(StatusCode::UNPROCESSABLE_ENTITY, "at most 64 lines and 200 stations through the API", &[]);
    }
    let files: usize = b.lines.iter().map(|l| l.slogans.len()).sum::<usize>().saturating_mul(b.stations.len());
    if files > MAX_API_FILES {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            &format!(
                "the order would make {files} files; at most {MAX_API_FILES} through the API (use `jiediqi order`)"
            ),
            &[],
        );
    }
    // One line per item here, as in the form: each line's slogans and quantity.
    let mut slogans = Vec::new();
    let mut quantities = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for l in &b.lines {
        if !seen.insert(l.item.as_str()) {
            return error(StatusCode::UNPROCESSABLE_ENTITY, &format!("item `{}` is in two lines", l.item), &[]);
        }
        quantities.push((l.item.clone(), l.quantity.to_string(), l.per.clone().unwrap_or_default()));
        slogans.extend(l.slogans.iter().cloned());
    }
    let form = OrderForm {
        title: b.title,
        vendor: b.vendor,
        contact: b.contact.unwrap_or_default(),
        due: b.due,
        list: Some(
            b.stations
                .into_iter()
                .map(|x| StationFile {
                    id: x.id,
                    name: x.name,
                    address: x.address,
                    phone: x.phone,
                    hotline: x.hotline,
                    qr: x.qr,
                    ..StationFile::default()
                })
                .collect(),
        ),
        quantities,
        slogans,
        ..Default::default()
    };
    let st2 = st.clone();
    run(move || {
        let lib = st2.library()?;
        let log = st2.review_log()?;
        match super::orders::build(&st2, &lib, &log, &s, &form) {
            Ok(id) => {
                let row = st2.db().orders(None).into_iter().find(|o| o.id == id);
                Ok((StatusCode::CREATED, axum::Json(row.as_ref().map(order_json).unwrap_or(Value::Null)))
                    .into_response())
            }
            Err(d) => Ok(problems(&st2, StatusCode::UNPROCESSABLE_ENTITY, d)),
        }
    })
    .await
}

/// `GET /api/v1/orders`: the caller's station's orders (admins: all).
pub async fn orders(State(st): State<Arc<Studio>>, headers: HeaderMap) -> Response {
    let s = match caller(&st, &headers, false) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let list: Vec<Value> =
        st.db().orders(None).iter().filter(|o| super::orders::visible(&s, o)).map(order_json).collect();
    axum::Json(json!({ "orders": list })).into_response()
}

/// `GET /api/v1/orders/{id}/package.zip`
pub async fn package(
    State(st): State<Arc<Studio>>,
    headers: HeaderMap,
    id: Result<UrlPath<String>, PathRejection>,
) -> Response {
    let s = match caller(&st, &headers, false) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let Ok(UrlPath(id)) = id else { return error(StatusCode::NOT_FOUND, "no such order", &[]) };
    let Some(o) = super::orders::find_order(&st, &s, &id) else {
        return error(StatusCode::NOT_FOUND, "no such order", &[]);
    };
    match super::orders::zip_bytes(&st, &o).await {
        Some(bytes) => ([(header::CONTENT_TYPE, "application/zip")], bytes).into_response(),
        None => error(StatusCode::NOT_FOUND, "the package is gone", &[]),
    }
}
