//! The admin's pages: accounts (add, change role, reset a password,
//! disable, enable), the county's stations (register, approve an officer's
//! change) and the audit list. The same account functions as `jiediqi user`.

use std::sync::Arc;

use axum::extract::{Form, Path as UrlPath, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;

use super::db::{Role, Session};
use super::{Studio, html as page_response, pages, same, to_login};
use crate::library::StationFile;

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
            thead { tr { th { "用户名" } th { "角色和派出所" } th { "状态" } th { "重设密码" } th { "" } } }
            tbody {
                @for (name, role, station, disabled) in &list {
                    tr {
                        td { (name) }
                        td {
                            @if name != &s.user.name {
                                form.inline method="post" action={ "/admin/users/" (name) "/role" } {
                                    input type="hidden" name="csrf" value=(s.csrf);
                                    select name="role" aria-label={ (name) "的角色" } {
                                        @for r in [Role::Officer, Role::Reviewer, Role::Admin] {
                                            option value=(r.as_str()) selected[Role::parse(role) == Some(r)] { (r.label_zh()) }
                                        }
                                    }
                                    input name="station" value=(station.as_deref().unwrap_or("")) pattern="[a-z0-9-]{0,48}" size="10" aria-label={ (name) "的派出所编号" };
                                    button type="submit" { "改" }
                                }
                            } @else {
                                (Role::parse(role).map(Role::label_zh).unwrap_or("?")) "　" (station.as_deref().unwrap_or(""))
                            }
                        }
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
        p { a href="/admin/stations" { "派出所" } "　" a href="/admin/audit" { "操作记录" } }
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

#[derive(Deserialize)]
pub struct RoleForm {
    csrf: String,
    role: String,
    #[serde(default)]
    station: String,
}

/// `POST /admin/users/{name}/role`: another role or station; the account's
/// sessions and tokens end. Not one's own (an admin cannot lock themselves out).
pub async fn role(
    State(st): State<Arc<Studio>>,
    headers: HeaderMap,
    UrlPath(name): UrlPath<String>,
    Form(f): Form<RoleForm>,
) -> Response {
    let s = match admin(&st, &headers, "POST /admin/users/…/role") {
        Ok(s) => s,
        Err(r) => return r,
    };
    if !same(&s.csrf, &f.csrf) {
        return super::csrf_refused(&st, &s);
    }
    if name == s.user.name {
        return users(&st, &s, Some("不能改自己的角色。"), StatusCode::UNPROCESSABLE_ENTITY);
    }
    let Some(role) = Role::parse(&f.role) else {
        return users(&st, &s, Some("没有这种角色。"), StatusCode::UNPROCESSABLE_ENTITY);
    };
    let station = Some(f.station.trim()).filter(|x| !x.is_empty());
    if station.is_some_and(|k| super::orders::profile_path(&st.root, k).is_none()) {
        return users(&st, &s, Some("派出所编号只能用小写字母、数字和 -。"), StatusCode::UNPROCESSABLE_ENTITY);
    }
    let done = st.db().set_role(&name, role, station);
    match done {
        Ok(()) => {
            st.db().audit(Some(&s.user.name), "user-role", &format!("{name} ({})", role.as_str()));
            users(&st, &s, Some(&format!("{name} 现在是{}，他的登录都已退出。", role.label_zh())), StatusCode::OK)
        }
        Err(d) => users(&st, &s, Some(&pages::diagnostic_zh(&d)), StatusCode::UNPROCESSABLE_ENTITY),
    }
}

/// `GET /admin/stations`: the county's stations and the changes officers
/// submitted. What footers print is only what is registered here.
pub async fn stations_page(State(st): State<Arc<Studio>>, headers: HeaderMap) -> Response {
    match admin(&st, &headers, "/admin/stations") {
        Ok(s) => stations(&st, &s, None, StatusCode::OK),
        Err(r) => r,
    }
}

fn stations(st: &Studio, s: &Session, note: Option<&str>, status: StatusCode) -> Response {
    use super::orders::{load_profile, registry, station_line};
    let known = registry(&st.root);
    let pending = super::orders::pending(&st.root);
    let body = html! {
        h1 { "派出所" }
        p.meta { "物品页脚印的派出所名称、地址、电话和二维码只来自这里登记的信息；民警改了本所信息，要在这里核对通过才生效。" }
        @if let Some(n) = note { p.saved role="status" { (n) } }
        h2 { "等核对的改动（" (pending.len()) "）" }
        @if pending.is_empty() { p { "没有。" } }
        @for (key, p) in &pending {
            section.pending data-station=(key) {
                h3 { code { (key) } }
                p { "现在印的：" @match load_profile(&st.root, key) { Some(l) => (station_line(&l)), None => "（还没有登记）" } }
                p { "改成：" strong { (station_line(p)) } }
                @let changed = super::orders::pictures_changed(load_profile(&st.root, key).as_ref(), p);
                @if !changed.is_empty() { p.error { "图片有改动：" (changed.join("、")) "（看下面的联系卡）" } }
                @if super::orders::has_pictures(p) {
                    div.cards {
                        img src={ "/admin/stations/" (key) "/card/1.svg" } alt="改动后的联系卡正面" width="300";
                        img src={ "/admin/stations/" (key) "/card/2.svg" } alt="改动后的联系卡背面" width="300";
                    }
                }
                form.inline method="post" action={ "/admin/stations/" (key) "/approve" } {
                    input type="hidden" name="csrf" value=(s.csrf);
                    button.primary type="submit" { "通过" }
                }
                form.inline method="post" action={ "/admin/stations/" (key) "/discard" } {
                    input type="hidden" name="csrf" value=(s.csrf);
                    button type="submit" { "退回" }
                }
            }
        }
        h2 { "已登记（" (known.len()) "）" }
        table.audit {
            thead { tr { th { "编号" } th { "信息" } } }
            tbody { @for (key, p) in &known { tr { td { code { (key) } } td { (station_line(p)) } } } }
        }
        h2 { "登记或修改一个派出所" }
        form.station method="post" action="/admin/stations" {
            input type="hidden" name="csrf" value=(s.csrf);
            label { "编号（小写字母、数字和 -，如 dongguan）" input name="key" required pattern="[a-z0-9-]{1,48}"; }
            label { "派出所名称" input name="name" required maxlength="40"; }
            label { "地址" input name="address" maxlength="80"; }
            label { "值班电话" input name="phone" maxlength="32"; }
            label { "反诈热线" input name="hotline" maxlength="32"; }
            label { "二维码链接（http 或 https）" input name="qr" maxlength="300"; }
            button.primary type="submit" { "登记" }
        }
        p { a href="/admin/users" { "账号" } "　" a href="/admin/audit" { "操作记录" } }
    };
    page_response(status, pages::page("派出所", Some(s), body))
}

/// `GET /admin/stations/{key}/card/{side}.svg`: the contact card with the
/// station's change, for the admin to see its pictures before approving.
pub async fn station_card(
    State(st): State<Arc<Studio>>,
    headers: HeaderMap,
    UrlPath((key, side)): UrlPath<(String, String)>,
) -> Response {
    if let Err(r) = admin(&st, &headers, "/admin/stations/…/card") {
        return r;
    }
    if super::orders::profile_path(&st.root, &key).is_none() {
        return StatusCode::NOT_FOUND.into_response();
    }
    super::orders::card_response(st, key, side).await
}

/// `POST /admin/stations`: register a station or change it, at once.
pub async fn station_add(
    State(st): State<Arc<Studio>>,
    headers: HeaderMap,
    Form(f): Form<super::orders::StationForm>,
) -> Response {
    let s = match admin(&st, &headers, "POST /admin/stations") {
        Ok(s) => s,
        Err(r) => return r,
    };
    if !same(&s.csrf, &f.csrf) {
        return super::csrf_refused(&st, &s);
    }
    let key = f.key.trim().to_string();
    let Some(path) = super::orders::profile_path(&st.root, &key) else {
        return stations(&st, &s, Some("编号只能用小写字母、数字和 -。"), StatusCode::UNPROCESSABLE_ENTITY);
    };
    let live = super::orders::load_profile(&st.root, &key);
    let file = match f.profile(&key, live.as_ref()) {
        Ok(file) => file,
        Err(m) => return stations(&st, &s, Some(&m), StatusCode::UNPROCESSABLE_ENTITY),
    };
    let what = format!("The station's profile, registered by {} in the studio.", s.user.name);
    match super::orders::save_station(&path, &file, super::orders::FROM_STATIONS, &what) {
        Ok(()) => {
            st.db().audit(Some(&s.user.name), "station-register", &key);
            stations(&st, &s, Some(&format!("已登记 {key}。")), StatusCode::OK)
        }
        Err(d) => stations(&st, &s, Some(&pages::diagnostic_zh(&d)), StatusCode::UNPROCESSABLE_ENTITY),
    }
}

/// `POST /admin/stations/{key}/approve` and `/discard`: an officer's change.
pub async fn station_approve(
    st: State<Arc<Studio>>,
    headers: HeaderMap,
    key: UrlPath<String>,
    f: Form<CsrfOnly>,
) -> Response {
    station_decide(st, headers, key, f, true).await
}

pub async fn station_discard(
    st: State<Arc<Studio>>,
    headers: HeaderMap,
    key: UrlPath<String>,
    f: Form<CsrfOnly>,
) -> Response {
    station_decide(st, headers, key, f, false).await
}

async fn station_decide(
    State(st): State<Arc<Studio>>,
    headers: HeaderMap,
    UrlPath(key): UrlPath<String>,
    Form(f): Form<CsrfOnly>,
    approve: bool,
) -> Response {
    let s = match admin(&st, &headers, "POST /admin/stations/…") {
        Ok(s) => s,
        Err(r) => return r,
    };
    if !same(&s.csrf, &f.csrf) {
        return super::csrf_refused(&st, &s);
    }
    let (Some(live), Some(pending)) =
        (super::orders::profile_path(&st.root, &key), super::orders::pending_path(&st.root, &key))
    else {
        return stations(&st, &s, Some("没有这个编号。"), StatusCode::NOT_FOUND);
    };
    let Some(file) = super::orders::load_pending(&st.root, &key) else {
        return stations(&st, &s, Some("这个改动已经处理过了。"), StatusCode::NOT_FOUND);
    };
    if approve {
        // Written again from what was checked, not moved: the file that is
        // printed from is one this server made.
        let what = format!("The station's profile, approved by {} in the studio.", s.user.name);
        if let Err(d) = super::orders::save_station(
            &live,
            &StationFile { id: Some(key.clone()), ..file },
            super::orders::FROM_STATIONS,
            &what,
        ) {
            return stations(&st, &s, Some(&pages::diagnostic_zh(&d)), StatusCode::UNPROCESSABLE_ENTITY);
        }
    }
    let _ = std::fs::remove_file(&pending);
    st.db().audit(Some(&s.user.name), if approve { "station-approve" } else { "station-discard" }, &key);
    let note = if approve { format!("{key} 的改动已通过。") } else { format!("{key} 的改动已退回。") };
    stations(&st, &s, Some(&note), StatusCode::OK)
}
