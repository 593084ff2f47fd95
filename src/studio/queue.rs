//! The reviewer's side: the queue of wording waiting for a decision, the
//! decision itself (through [`crate::review::decide`], signed with the
//! studio's key for the signed-in account), proof sheets as PDF, and the
//! four-eyes rule: nobody approves wording they wrote.

use std::sync::Arc;

use axum::extract::{Form, Path as UrlPath, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;

use super::db::{Role, Session};
use super::{Studio, blocking, html as page_response, pages, same, to_login};
use crate::diag::{Diagnostic, Diagnostics};
use crate::review::decide::{Request, decide};
use crate::review::{Decision, ReviewLog, State as ReviewState, wording_hash};
use crate::validate::{Library, Slogan};

fn refuse(st: &Studio, s: &Session, what: &str) -> Response {
    super::refused(st, s, what, "只有审核人能做这件事。")
}

/// Wording waiting for a reviewer: never decided, or changed since approval.
pub fn waiting(lib: &Library, log: &ReviewLog) -> Vec<usize> {
    (0..lib.slogans.len())
        .filter(|&i| matches!(log.state(&lib.slogans[i]), ReviewState::Pending | ReviewState::Stale(_)))
        .collect()
}

/// Why this account may not approve this slogan's current wording, if so.
pub fn four_eyes(st: &Studio, s: &Session, slogan: &Slogan) -> Option<String> {
    let authors = st.db().authors_of(&slogan.id, &wording_hash(slogan));
    authors
        .contains(&s.user.name)
        .then(|| "这条措辞是你写（或改）的。按照“四眼原则”，要由另一位审核人通过。".to_string())
}

/// `GET /review`: the queue.
pub async fn queue_page(State(st): State<Arc<Studio>>, headers: HeaderMap) -> Response {
    let Some((_, s)) = st.session(&headers) else { return to_login() };
    if s.user.role != Role::Reviewer {
        return refuse(&st, &s, "/review");
    }
    let st2 = st.clone();
    blocking(move || {
        let lib = st2.library()?;
        let log = st2.review_log()?;
        let words = st2.words(&lib)?;
        let ids: Vec<String> = waiting(&lib, &log).into_iter().map(|i| lib.slogans[i].id.clone()).collect();
        let findings = crate::lint::lint(&lib, &words, Some(&ids));
        let rows: Vec<(&Slogan, Vec<String>, usize, usize)> = ids
            .iter()
            .filter_map(|id| lib.slogan(id))
            .map(|sl| {
                let authors = st2.db().authors_of(&sl.id, &wording_hash(sl));
                let mine = findings.iter().filter(|f| f.slogan == sl.id);
                let errors = mine.clone().filter(|f| f.level == crate::lint::Level::Error).count();
                let warnings = mine.filter(|f| f.level == crate::lint::Level::Warning).count();
                (sl, authors, errors, warnings)
            })
            .collect();
        let body = html! {
            h1 { "待审核" }
            p.count { "共 " (rows.len()) " 条等待审核（新写的，或通过后又改了措辞的）。"
                @if !rows.is_empty() { "　" a href="/review/proof.pdf" { "下载全部审核单（PDF）" } } }
            @if rows.is_empty() { p { "现在没有要审核的标语。" } }
            ul.slogans.queue {
                @for (sl, authors, errors, warnings) in &rows {
                    @let state = log.state(sl);
                    li {
                        a href={ "/slogans/" (sl.id) } {
                            span.topic { (sl.topic) }
                            span.lines { @for l in &sl.lines { span { (l) } } }
                            @if let Some(t) = &sl.tip { span.tipline { (t) } }
                            span.meta { "作者：" @if authors.is_empty() { "（命令行或文件）" } @else { (authors.join("、")) }
                                "　指纹 " code { (&wording_hash(sl)[..16]) } }
                            span class={ "state " (pages::state_class(&state)) } { (pages::state_short(&state)) }
                            @if *errors > 0 { span.state.stale { (errors) " 个错误" } }
                            @if *warnings > 0 { span.state.pending { (warnings) " 个提醒" } }
                        }
                    }
                }
            }
        };
        Ok(page_response(StatusCode::OK, pages::page("待审核", Some(&s), body)))
    })
    .await
}

#[derive(Deserialize)]
pub struct DecideForm {
    csrf: String,
    /// approve | changes | reject
    decision: String,
    /// The wording hash on the page the reviewer read.
    seen: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    override_lint: String,
}

/// `POST /slogans/{id}/decide`.
pub async fn decide_post(
    State(st): State<Arc<Studio>>,
    headers: HeaderMap,
    UrlPath(id): UrlPath<String>,
    Form(f): Form<DecideForm>,
) -> Response {
    let Some((_, s)) = st.session(&headers) else { return to_login() };
    if !same(&s.csrf, &f.csrf) {
        return super::csrf_refused(&st, &s);
    }
    if s.user.role != Role::Reviewer {
        return refuse(&st, &s, &format!("POST /slogans/{id}/decide"));
    }
    let st2 = st.clone();
    blocking(move || {
        let decision = match f.decision.as_str() {
            "approve" => Decision::Approved,
            "changes" => Decision::ChangesRequested,
            "reject" => Decision::Rejected,
            _ => {
                return Ok(page_response(
                    StatusCode::BAD_REQUEST,
                    pages::message("没有这种决定", "请选择通过、需修改或不通过。"),
                ));
            }
        };
        let lib = st2.library()?;
        let Some(slogan) = lib.slogan(&id) else {
            return Ok(page_response(
                StatusCode::NOT_FOUND,
                pages::message("没有这条标语", "它可能改了编号或被删掉了。"),
            ));
        };
        match decide_as(&st2, &lib, &s, slogan, decision, &f.seen, &f.note, &f.override_lint) {
            Ok(()) => Ok(Redirect::to(&format!("/slogans/{id}")).into_response()),
            Err((status, problems)) => {
                let body = html! {
                    h1 { "没能记下审核决定" }
                    ul { @for d in &problems.0 { li.error { (pages::diagnostic_zh(d)) } } }
                    p { a href={ "/slogans/" (id) } { "回到这条标语" } }
                };
                Ok(page_response(status, pages::page("审核", Some(&s), body)))
            }
        }
    })
    .await
}

/// The four-eyes rule, then the one decision path; audited.
#[allow(clippy::too_many_arguments)]
pub fn decide_as(
    st: &Studio,
    lib: &Library,
    s: &Session,
    slogan: &Slogan,
    decision: Decision,
    seen: &str,
    note: &str,
    override_lint: &str,
) -> Result<(), (StatusCode, Diagnostics)> {
    let _one = st.wording.lock().unwrap_or_else(|p| p.into_inner());
    if decision == Decision::Approved
        && let Some(why) = four_eyes(st, s, slogan)
    {
        st.db().audit(Some(&s.user.name), "refused-own-wording", &slogan.id);
        return Err((StatusCode::FORBIDDEN, Diagnostic::data(why).into()));
    }
    let Some(keys) = st.keys.as_ref() else {
        return Err((
            StatusCode::SERVICE_UNAVAILABLE,
            Diagnostic::io(
                "审核密钥没有配置：工作室无法签名审核记录。请管理员在服务器上运行 jiediqi key init 后重启工作室。",
            )
            .into(),
        ));
    };
    let ids = [slogan.id.clone()];
    let req = Request {
        ids: &ids,
        by: &s.user.name,
        decision,
        note: Some(note),
        seen: Some(seen),
        override_lint: Some(override_lint),
    };
    let records = decide(lib, keys, &req, &mut || {}).map_err(|d| (StatusCode::UNPROCESSABLE_ENTITY, d))?;
    st.forget_review_log();
    for r in &records {
        st.db().audit(Some(&s.user.name), "decide", &format!("{} {} seq {}", r.slogan, r.decision.label(), r.seq));
    }
    Ok(())
}

/// `GET /proof/{id}.pdf` (one slogan) and `GET /review/proof.pdf` (the queue):
/// the same proof sheet as `jiediqi proof`.
pub async fn proof_pdf(State(st): State<Arc<Studio>>, headers: HeaderMap, UrlPath(file): UrlPath<String>) -> Response {
    proof_response(st, headers, Some(file)).await
}

pub async fn queue_pdf(State(st): State<Arc<Studio>>, headers: HeaderMap) -> Response {
    proof_response(st, headers, None).await
}

async fn proof_response(st: Arc<Studio>, headers: HeaderMap, file: Option<String>) -> Response {
    let Some((_, s)) = st.session(&headers) else { return to_login() };
    if file.is_none() && s.user.role != Role::Reviewer {
        return refuse(&st, &s, "/review/proof.pdf");
    }
    let st2 = st.clone();
    blocking(move || {
        let lib = st2.library()?;
        let log = st2.review_log()?;
        let slogans: Vec<&Slogan> = match &file {
            Some(f) => match f.strip_suffix(".pdf").and_then(|id| lib.slogan(id)) {
                Some(sl) => vec![sl],
                None => return Ok(StatusCode::NOT_FOUND.into_response()),
            },
            None => waiting(&lib, &log).into_iter().map(|i| &lib.slogans[i]).take(200).collect(),
        };
        if slogans.is_empty() {
            return Ok(page_response(StatusCode::OK, pages::message("没有要审核的", "现在没有等待审核的标语。")));
        }
        let pdf = crate::proof::sheet_pdf(&lib, &log, &slogans, None, None)?.pdf;
        Ok(([(header::CONTENT_TYPE, "application/pdf")], pdf).into_response())
    })
    .await
}
