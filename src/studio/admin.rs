//! The admin's pages: accounts (add, reset a password, disable, enable) and
//! the audit list. The same account functions as `jiediqi user`.

use std::sync::Arc;

use axum::extract::{Form, Path as UrlPath, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;

use super::db::{Role, Session};
use super::{Studio, html as page_response, pages, same, to_login};

/// The session, if it is an admin's; otherwise the refusal (recorded).
/// The refusal is the response itself, made once per request.
#[allow(clippy::result_large_err)]
fn admin(st: &Studio, headers: &HeaderMap, what: &str) -> Result<Session, Response> {
    let Some((_, s)) = st.session(headers) else { return Err(to_login()) };
    if s.user.role != Role::Admin {
        return Err(super::refused(st, &s, what, "这一页只有管理员能看。"));
    }
    Ok(s)
}

/// `GET /admin/users`
pub async fn users_page(State(st): State<Arc<Studio>>, headers: HeaderMap) -> Response {
    match admin(&st, &headers, "/admin/users") {
        Ok(s) => users(&st, &s, None, StatusCode::OK),
        Err(r) => r,
    }
}

fn users(st: &Studio, s: &Session, note: Option<&str>, status: StatusCode) -> Response {
    let list = st.db().users();
    let body = html! {
        h1 { "账号" }
        @if let Some(n) = note { p.saved role="status" { (n) } }
        table.audit {
            thead { tr { th { "用户名" } th { "角色" } th { "派出所" } th { "状态" } th { "重设密码" } th { "" } } }
            tbody {
                @for (name, role, station, disabled) in &list {
                    tr {
                        td { (name) }
                        td { (Role::parse(role).map(Role::label_zh).unwrap_or("?")) }
                        td { (station.as_deref().unwrap_or("—")) }
                        td { @if *disabled { "已停用" } @else { "正常" } }
                        td {
                            form.inline method="post" action={ "/admin/users/" (name) "/password" } {
                                input type="hidden" name="csrf" value=(s.csrf);
                                input type="password" name="password" minlength="8" required autocomplete="new-password" aria-label={ (name) "的新密码" };
                                button type="submit" { "重设" }
                            }
                        }
                        td {
                            @if name != &s.user.name {
                                form.inline method="post" action={ "/admin/users/" (name) (if *disabled { "/enable" } else { "/disable" }) } {
                                    input type="hidden" name="csrf" value=(s.csrf);
                                    button type="submit" { @if *disabled { "启用" } @else { "停用" } }
                                }
                            }
                        }
                    }
                }
            }
        }
        h2 { "新账号" }
        form.station method="post" action="/admin/users" {
            input type="hidden" name="csrf" value=(s.csrf);
            label { "用户名" input name="name" required maxlength="20"; }
            label { "角色"
                select name="role" {
                    option value="officer" { "宣传民警" }
                    option value="reviewer" { "审核人" }
                    option value="admin" { "管理员" }
                }
            }
            label { "派出所编号（宣传民警填，如 chengguan）" input name="station" pattern="[a-z0-9-]{0,48}"; }
            label { "初始密码（至少 8 位，告诉本人后请他改掉）" input type="password" name="password" minlength="8" required autocomplete="new-password"; }
            button.primary type="submit" { "添加" }
        }
        p { a href="/admin/audit" { "操作记录" } }
    };
    page_response(status, pages::page("账号", Some(s), body))
}

#[derive(Deserialize)]
pub struct AddForm {
    csrf: String,
    name: String,
    role: String,
    #[serde(default)]
    station: String,
    password: String,
}

/// `POST /admin/users`
pub async fn add(State(st): State<Arc<Studio>>, headers: HeaderMap, Form(f): Form<AddForm>) -> Response {
    let s = match admin(&st, &headers, "POST /admin/users") {
        Ok(s) => s,
        Err(r) => return r,
    };
    if !same(&s.csrf, &f.csrf) {
        return super::csrf_refused(&st, &s);
    }
    let Some(role) = Role::parse(&f.role) else {
        return users(&st, &s, Some("没有这种角色。"), StatusCode::UNPROCESSABLE_ENTITY);
    };
    let station = Some(f.station.trim()).filter(|x| !x.is_empty());
    if station.is_some_and(|k| super::orders::profile_path(&st.root, k).is_none()) {
        return users(&st, &s, Some("派出所编号只能用小写字母、数字和 -。"), StatusCode::UNPROCESSABLE_ENTITY);
    }
    let name = f.name.trim().to_string();
    // The password is hashed inside add_user and never written anywhere else.
    let added = st.db().add_user(&name, role, station, &f.password);
    match added {
        Ok(()) => {
            st.db().audit(Some(&s.user.name), "user-add", &format!("{name} ({})", role.as_str()));
            users(&st, &s, Some(&format!("已添加 {name}。")), StatusCode::OK)
        }
        Err(d) => users(&st, &s, Some(&pages::diagnostic_zh(&d)), StatusCode::UNPROCESSABLE_ENTITY),
    }
}

#[derive(Deserialize)]
pub struct PasswordForm {
    csrf: String,
    password: String,
}

/// `POST /admin/users/{name}/password`: the account's sessions end.
pub async fn password(
    State(st): State<Arc<Studio>>,
    headers: HeaderMap,
    UrlPath(name): UrlPath<String>,
    Form(f): Form<PasswordForm>,
) -> Response {
    let s = match admin(&st, &headers, "POST /admin/users/…/password") {
        Ok(s) => s,
        Err(r) => return r,
    };
    if !same(&s.csrf, &f.csrf) {
        return super::csrf_refused(&st, &s);
    }
    let done = st.db().set_password(&name, &f.password);
    match done {
        Ok(()) => {
            st.db().audit(Some(&s.user.name), "user-password", &name);
            users(&st, &s, Some(&format!("{name} 的密码已重设，他的登录都已退出。")), StatusCode::OK)
        }
        Err(d) => users(&st, &s, Some(&pages::diagnostic_zh(&d)), StatusCode::UNPROCESSABLE_ENTITY),
    }
}

#[derive(Deserialize)]
pub struct CsrfOnly {
    csrf: String,
}

/// `POST /admin/users/{name}/disable` and `/enable`.
pub async fn disable(st: State<Arc<Studio>>, headers: HeaderMap, name: UrlPath<String>, f: Form<CsrfOnly>) -> Response {
    switch(st, headers, name, f, true).await
}

pub async fn enable(st: State<Arc<Studio>>, headers: HeaderMap, name: UrlPath<String>, f: Form<CsrfOnly>) -> Response {
    switch(st, headers, name, f, false).await
}

async fn switch(
    State(st): State<Arc<Studio>>,
    headers: HeaderMap,
    UrlPath(name): UrlPath<String>,
    Form(f): Form<CsrfOnly>,
    off: bool,
) -> Response {
    let s = match admin(&st, &headers, "POST /admin/users/…/disable") {
        Ok(s) => s,
        Err(r) => return r,
    };
    if !same(&s.csrf, &f.csrf) {
        return super::csrf_refused(&st, &s);
    }
    if name == s.user.name {
        return users(&st, &s, Some("不能停用自己的账号。"), StatusCode::UNPROCESSABLE_ENTITY);
    }
    let done = st.db().set_disabled(&name, off);
    match done {
        Ok(()) => {
            st.db().audit(Some(&s.user.name), if off { "user-disable" } else { "user-enable" }, &name);
            Redirect::to("/admin/users").into_response()
        }
        Err(d) => users(&st, &s, Some(&pages::diagnostic_zh(&d)), StatusCode::UNPROCESSABLE_ENTITY),
    }
}
