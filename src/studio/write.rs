//! The slogan editor: write a new slogan (or a variant of one), or edit
//! one's own; lint findings and previews update as the author types; saving
//! submits the wording for review. Writes go through [`crate::edit`].

use std::sync::Arc;

use axum::extract::{Form, Path as UrlPath, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;

use super::db::{Role, Session};
use super::{Studio, blocking, html as page_response, pages, same, to_login};
use crate::diag::Diagnostics;
use crate::edit::{self, Base, SloganDraft};
use crate::validate::{Library, Slogan, limits};

/// The editor's fields, from a form whose `items` repeat.
#[derive(Debug, Default, Clone)]
pub struct EditorForm {
    pub csrf: String,
    /// Empty for a new slogan; the id being edited otherwise.
    pub editing: String,
    /// The wording hash the author started from (edits only).
    pub base: String,
    pub id: String,
    pub topic: String,
    pub line1: String,
    pub line2: String,
    pub tip: String,
    pub audience: String,
    pub notes: String,
    pub source: String,
    pub verify: String,
    pub items: Vec<String>,
}

impl EditorForm {
    pub fn from_pairs(pairs: Vec<(String, String)>) -> EditorForm {
        let mut f = EditorForm::default();
        for (k, v) in pairs {
            match k.as_str() {
                "csrf" => f.csrf = v,
                "editing" => f.editing = v,
                "base" => f.base = v,
                "id" => f.id = v,
                "topic" => f.topic = v,
                "line1" => f.line1 = v,
                "line2" => f.line2 = v,
                "tip" => f.tip = v,
                "audience" => f.audience = v,
                "notes" => f.notes = v,
                "source" => f.source = v,
                "verify" => f.verify = v,
                "items" if f.items.len() < 100 => f.items.push(v),
                _ => {}
            }
        }
        f
    }

    fn of(s: &Slogan, editing: bool) -> EditorForm {
        EditorForm {
            editing: if editing { s.id.clone() } else { String::new() },
            base: if editing { crate::review::wording_hash(s) } else { String::new() },
            id: if editing { s.id.clone() } else { String::new() },
            topic: s.topic.clone(),
            line1: s.lines.first().cloned().unwrap_or_default(),
            line2: s.lines.get(1).cloned().unwrap_or_default(),
            tip: s.tip.clone().unwrap_or_default(),
            audience: s.audience.join("、"),
            notes: if editing { s.notes.clone().unwrap_or_default() } else { String::new() },
            source: s.source.clone().unwrap_or_default(),
            verify: s.verify.clone().unwrap_or_default(),
            items: s.items.clone().unwrap_or_default(),
            csrf: String::new(),
        }
    }

    /// The draft these fields describe (the id suggested when left empty).
    pub fn draft(&self, lib: &Library) -> SloganDraft {
        let opt = |s: &str| Some(s.to_string());
        let id = if self.id.trim().is_empty() {
            edit::suggest_id(lib, self.topic.trim(), &self.line1)
        } else {
            self.id.trim().to_string()
        };
        let mut accept = Default::default();
        if !self.editing.is_empty()
            && let Some(old) = lib.slogan(&self.editing)
        {
            accept = old.accept.clone();
        }
        let all = lib.items.iter().all(|i| self.items.contains(&i.id));
        SloganDraft {
            id,
            lines: vec![self.line1.clone(), self.line2.clone()],
            tip: opt(&self.tip),
            audience: self
                .audience
                .split(['、', ',', '，', ' ', '　', ';', '；'])
                .map(str::to_string)
                .take(limits::TAGS + 1)
                .collect(),
            items: if all || self.items.is_empty() { None } else { Some(self.items.clone()) },
            notes: opt(&self.notes),
            source: opt(&self.source),
            verify: opt(&self.verify),
            accept,
        }
        .tidy()
    }

    /// The wording fields as a query string, for the draft previews.
    fn preview_query(&self, id: &str) -> String {
        let pairs = [
            ("id", id),
            ("topic", self.topic.as_str()),
            ("line1", self.line1.as_str()),
            ("line2", self.line2.as_str()),
            ("tip", self.tip.as_str()),
        ];
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    }
}

/// Who may write: officers and reviewers (admins keep accounts, not words).
pub(super) fn may_write(s: &Session) -> bool {
    matches!(s.user.role, Role::Officer | Role::Reviewer)
}

/// Who may edit an existing slogan: reviewers any; officers the ones they wrote.
pub(super) fn may_edit(st: &Studio, s: &Session, id: &str) -> bool {
    match s.user.role {
        Role::Reviewer => true,
        Role::Officer => st.db().written_by(&s.user.name).iter().any(|w| w == id),
        Role::Admin => false,
    }
}

fn forbidden(st: &Studio, s: &Session, what: &str) -> Response {
    super::refused(st, s, what, "这个操作你的账号不能做。")
}

#[derive(Deserialize, Default)]
pub struct NewQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    topic: String,
}

/// `GET /write[?from=ID][&topic=T]`: a new slogan, blank or from another.
pub async fn new_page(State(st): State<Arc<Studio>>, headers: HeaderMap, Query(q): Query<NewQuery>) -> Response {
    let Some((_, s)) = st.session(&headers) else { return to_login() };
    if !may_write(&s) {
        return forbidden(&st, &s, "/write");
    }
    let st2 = st.clone();
    blocking(move || {
        let lib = st2.library()?;
        let mut form = match lib.slogan(&q.from) {
            Some(from) => EditorForm::of(from, false),
            None => EditorForm { topic: q.topic.clone(), ..Default::default() },
        };
        if form.topic.is_empty() {
            form.topic = lib.slogans.first().map(|s| s.topic.clone()).unwrap_or_default();
        }
        let live = live_panel(&st2, &lib, &form);
        Ok(page_response(StatusCode::OK, editor(&s, &lib, &form, None, live)))
    })
    .await
}

/// `GET /slogans/{id}/edit`.
pub async fn edit_page(State(st): State<Arc<Studio>>, headers: HeaderMap, UrlPath(id): UrlPath<String>) -> Response {
    let Some((_, s)) = st.session(&headers) else { return to_login() };
    if !may_edit(&st, &s, &id) {
        return forbidden(&st, &s, &format!("/slogans/{id}/edit"));
    }
    let st2 = st.clone();
    blocking(move || {
        let lib = st2.library()?;
        let Some(slogan) = lib.slogan(&id) else {
            return Ok(page_response(
                StatusCode::NOT_FOUND,
                pages::message("没有这条标语", "它可能改了编号或被删掉了。"),
            ));
        };
        let form = EditorForm::of(slogan, true);
        let live = live_panel(&st2, &lib, &form);
        Ok(page_response(StatusCode::OK, editor(&s, &lib, &form, None, live)))
    })
    .await
}

/// `POST /write/check`: the live panel for what is typed (htmx swaps it in).
pub async fn check(
    State(st): State<Arc<Studio>>,
    headers: HeaderMap,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let Some((_, s)) = st.session(&headers) else { return StatusCode::UNAUTHORIZED.into_response() };
    let form = EditorForm::from_pairs(pairs);
    if !same(&s.csrf, &form.csrf) {
        return StatusCode::FORBIDDEN.into_response();
    }
    if !may_write(&s) {
        return StatusCode::FORBIDDEN.into_response();
    }
    let st2 = st.clone();
    blocking(move || {
        let lib = st2.library()?;
        Ok(page_response(StatusCode::OK, live_panel(&st2, &lib, &form)))
    })
    .await
}

/// `POST /write`: save (submit for review), then show the slogan.
pub async fn save(
    State(st): State<Arc<Studio>>,
    headers: HeaderMap,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let Some((_, s)) = st.session(&headers) else { return to_login() };
    let form = EditorForm::from_pairs(pairs);
    if !same(&s.csrf, &form.csrf) {
        return super::csrf_refused(&st, &s);
    }
    if !may_write(&s) || (!form.editing.is_empty() && !may_edit(&st, &s, &form.editing)) {
        return forbidden(&st, &s, "POST /write");
    }
    let st2 = st.clone();
    blocking(move || {
        let lib = st2.library()?;
        match save_form(&st2, &lib, &s, &form) {
            Ok(saved) => Ok(Redirect::to(&format!("/slogans/{}?saved=1", saved.id)).into_response()),
            Err(problems) => {
                let live = live_panel(&st2, &lib, &form);
                Ok(page_response(StatusCode::UNPROCESSABLE_ENTITY, editor(&s, &lib, &form, Some(&problems), live)))
            }
        }
    })
    .await
}

/// Save through the one slogan writer and record who wrote the wording.
pub fn save_form(st: &Studio, lib: &Library, s: &Session, form: &EditorForm) -> Result<Slogan, Diagnostics> {
    let mut draft = form.draft(lib);
    let base = if form.editing.is_empty() {
        Base::New { topic: form.topic.trim().to_string(), auto_id: form.id.trim().is_empty() }
    } else {
        // An edit keeps its id (renaming would orphan its review history).
        draft.id = form.editing.clone();
        Base::Existing { wording: form.base.clone() }
    };
    let _one = st.wording.lock().unwrap_or_else(|p| p.into_inner());
    let saved = edit::save(&lib.root, lib, &draft, &base);
    st.forget_library();
    let saved = saved?;
    let hash = crate::review::wording_hash(&saved);
    let db = st.db();
    db.add_author(&saved.id, &hash, &s.user.name)?;
    db.audit(Some(&s.user.name), "slogan-save", &format!("{} {}", saved.id, &hash[..16]));
    Ok(saved)
}

#[derive(Deserialize, Default)]
pub struct DraftQuery {
    #[serde(default)]
    id: String,
    #[serde(default)]
    topic: String,
    #[serde(default)]
    line1: String,
    #[serde(default)]
    line2: String,
    #[serde(default)]
    tip: String,
}

/// `GET /draft/{item}.svg?…`: a draft on an item, always marked as a proof.
pub async fn draft_svg(
    State(st): State<Arc<Studio>>,
    headers: HeaderMap,
    UrlPath(file): UrlPath<String>,
    Query(q): Query<DraftQuery>,
) -> Response {
    if st.session(&headers).is_none() {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let Some(item) = file.strip_suffix(".svg").map(str::to_string) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let st2 = st.clone();
    blocking(move || {
        let lib = st2.library()?;
        let Some(item) = lib.item(&item) else { return Ok(StatusCode::NOT_FOUND.into_response()) };
        let form = EditorForm {
            id: q.id,
            topic: q.topic,
            line1: q.line1,
            line2: q.line2,
            tip: q.tip,
            items: vec![item.id.clone()],
            ..Default::default()
        };
        let draft = form.draft(&lib);
        let Ok(slogan) = edit::draft_slogan(&lib, form.topic.trim(), &draft) else {
            return Ok(StatusCode::UNPROCESSABLE_ENTITY.into_response());
        };
        let svg = st2.render(|| super::preview_svg(&lib, item, &slogan, true))?;
        Ok(([(header::CONTENT_TYPE, "image/svg+xml")], svg).into_response())
    })
    .await
}

/// Findings and previews for the fields as they stand.
fn live_panel(st: &Studio, lib: &Library, form: &EditorForm) -> Markup {
    let mut draft = form.draft(lib);
    if !form.editing.is_empty() {
        draft.id = form.editing.clone();
    }
    if draft.lines.is_empty() {
        return html! { p.hint { "在左边写下标语，这里会显示检查结果和印在物品上的样子。" } };
    }
    let slogan = match edit::draft_slogan(lib, form.topic.trim(), &draft) {
        Ok(s) => s,
        Err(problems) => {
            return html! {
                section.findings {
                    h2 { "自动检查" }
                    ul { @for d in &problems.0 { li.error { strong { "错误" } "　" (pages::diagnostic_zh(d)) } } }
                }
            };
        }
    };
    let findings = match st.words(lib) {
        Ok(words) => st.render(|| crate::lint::lint_draft(lib, &words, &slogan)),
        Err(_) => Vec::new(),
    };
    let query = form.preview_query(&slogan.id);
    let items: Vec<&crate::validate::Item> =
        lib.items.iter().filter(|i| slogan.items.as_ref().is_none_or(|l| l.contains(&i.id))).take(4).collect();
    html! {
        section.findings {
            h2 { "自动检查" }
            @if findings.is_empty() { p.ok { "没有发现问题。" } }
            ul { @for f in &findings { (pages::finding(f)) } }
        }
        section.previews {
            h2 { "印出来的样子（样稿）" }
            p.meta { "编号 " code.newid { (slogan.id) } }
            div.grid {
                @for item in &items {
                    figure {
                        img src={ "/draft/" (item.id) ".svg?" (query) } alt={ (item.name) "上的效果" } data-item=(item.id);
                        figcaption { (item.name) }
                    }
                }
            }
        }
    }
}

fn editor(s: &Session, lib: &Library, f: &EditorForm, problems: Option<&Diagnostics>, live: Markup) -> Markup {
    let mut topics: Vec<&str> = lib.slogans.iter().map(|s| s.topic.as_str()).collect();
    topics.dedup();
    let editing = !f.editing.is_empty();
    let title = if editing { "修改标语" } else { "写一条新标语" };
    pages::page(
        title,
        Some(s),
        html! {
            h1 { (title) }
            @if let Some(p) = problems {
                div.problems role="alert" {
                    p.error { "没能保存：" }
                    ul { @for d in &p.0 { li { (pages::diagnostic_zh(d)) } } }
                }
            }
            div.editor {
                form #editor method="post" action="/write" hx-post="/write/check" hx-trigger="input changed delay:400ms from:#editor, change from:#editor" hx-target="#live" hx-swap="innerHTML" {
                    input type="hidden" name="csrf" value=(s.csrf);
                    input type="hidden" name="editing" value=(f.editing);
                    input type="hidden" name="base" value=(f.base);
                    label { "主题"
                        select name="topic" disabled[editing] {
                            @for t in &topics { option value=(t) selected[f.topic == *t] { (t) } }
                        }
                    }
                    @if editing { input type="hidden" name="topic" value=(f.topic); }
                    label { "第一句" input name="line1" value=(f.line1) maxlength=(limits::LINE) required placeholder="如：骑车戴头盔，"; }
                    label { "第二句（可不填）" input name="line2" value=(f.line2) maxlength=(limits::LINE) placeholder="如：平安把家回。"; }
                    label { "小字提示（可不填）" textarea name="tip" maxlength=(limits::TIP) rows="2" placeholder="一句实用的办法，如：扣好带子再出发。" { (f.tip) } }
                    label { "对象（用顿号分开）" input name="audience" value=(f.audience) placeholder="如：老人、摊贩"; }
                    fieldset.items {
                        legend { "印在哪些物品上" }
                        @for item in &lib.items {
                            label.check {
                                input type="checkbox" name="items" value=(item.id) checked[f.items.is_empty() || f.items.contains(&item.id)];
                                (item.name)
                            }
                        }
                    }
                    details {
                        summary { "更多（依据、核实、备注、编号）" }
                        label { "依据（法规、热线出处）" input name="source" value=(f.source); }
                        label { "请本所核实（各地不同的事）" input name="verify" value=(f.verify); }
                        label { "给审核人的备注" input name="notes" value=(f.notes); }
                        @if !editing { label { "编号（可不填，自动生成）" input name="id" value=(f.id) pattern="[a-z0-9-]{1,48}"; } }
                    }
                    button.primary type="submit" { "提交审核" }
                    @if editing { a.cancel href={ "/slogans/" (f.editing) } { "取消" } }
                }
                div #live aria-live="polite" { (live) }
            }
        },
    )
}
