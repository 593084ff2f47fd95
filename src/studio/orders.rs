//! Officers' orders and their station's profile. An order from the studio
//! is an order file like any other (`orders/studio-<n>.yaml`, its stations
//! written into it from the county's registry), checked by [`crate::order::Order::load`] and built by
//! [`crate::package::write`]: the CLI can rebuild it, and nothing here has
//! rules of its own.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::extract::{Form, Multipart, Path as UrlPath, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};

use super::db::{OrderRow, Role, Session};

use super::{Studio, blocking, html as page_response, pages, same, to_login};
use crate::diag::{Diagnostic, Diagnostics};
use crate::edit::{quoted, scalar};
use crate::fsio::{self, Durability};
use crate::images::Source;
use crate::library::{OfficerEntry, StationFile};
use crate::validate::{Library, Station};

/// Largest station list upload.
pub const MAX_UPLOAD: usize = 16 << 20;

/// Most print files one studio order makes (a county's whole campaign is a
/// job for `jiediqi order`, with its shards).
pub const MAX_FILES: usize = 1000;

fn refuse(st: &Studio, s: &Session, what: &str) -> Response {
    super::refused(st, s, what, "这个操作你的账号不能做。")
}

/// The profile file of an account's station: `stations/<key>.yaml`.
pub fn profile_path(root: &Path, key: &str) -> Option<PathBuf> {
    let ok = !key.is_empty()
        && key.len() <= 48
        && key.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    ok.then(|| root.join("stations").join(format!("{key}.yaml")))
}

/// Where an officer's change to their station's profile waits for an
/// admin: `stations/pending/<key>.yaml`. What is printed in footers is only
/// ever the approved profile: a station's name and address reach every
/// print file, so an officer cannot put unreviewed words there.
pub fn pending_path(root: &Path, key: &str) -> Option<PathBuf> {
    profile_path(root, key).map(|p| root.join("stations").join("pending").join(p.file_name().unwrap_or_default()))
}

/// The relative path from a profile's folder to `stations/`, where picture
/// fields are written from: a profile in memory names its pictures from
/// `stations/` (`pictures/<hash>.png`, or a hand-written `logo.svg`); the
/// file it is written to names them from its own folder, so each file is a
/// `--station` file (or order) the CLI reads as it is.
pub(super) const FROM_STATIONS: &str = "";
const FROM_PENDING: &str = "../";
const FROM_ORDERS: &str = "../stations/";

/// A profile with `f` applied to each relative picture path it names.
fn map_pictures(mut p: StationFile, f: impl Fn(&str) -> String) -> StationFile {
    let g = |v: &mut Option<String>| {
        if let Some(x) = v
            && !Path::new(x.trim()).is_absolute()
        {
            *x = f(x.trim());
        }
    };
    g(&mut p.logo);
    g(&mut p.qr_image);
    if let Some(o) = &mut p.officer {
        g(&mut o.photo);
    }
    p
}

/// Check a profile (pictures named from `stations/`) as a `--station` file
/// is checked, pictures read and decoded.
pub(super) fn check_profile(root: &Path, p: &StationFile) -> Result<Station, String> {
    Station::from_file_in(p.clone(), &[], Some(&root.join("stations")))
}

fn load_station(path: &Path) -> Option<StationFile> {
    if !path.is_file() {
        return None;
    }
    crate::library::load_yaml::<StationFile>(path).ok()
}

/// A station's approved profile.
pub(super) fn load_profile(root: &Path, key: &str) -> Option<StationFile> {
    load_station(&profile_path(root, key)?)
}

/// A station's profile as its officer last submitted it, not yet approved.
pub(super) fn load_pending(root: &Path, key: &str) -> Option<StationFile> {
    let p = load_station(&pending_path(root, key)?)?;
    Some(map_pictures(p, |x| x.strip_prefix(FROM_PENDING).map_or_else(|| format!("pending/{x}"), str::to_string)))
}

/// The county's stations: every approved profile, by key.
pub(super) fn registry(root: &Path) -> Vec<(String, StationFile)> {
    profiles_in(&root.join("stations"), |key| load_profile(root, key))
}

/// Every officer's change waiting for an admin, by key.
pub(super) fn pending(root: &Path) -> Vec<(String, StationFile)> {
    profiles_in(&root.join("stations").join("pending"), |key| load_pending(root, key))
}

/// The profiles `load` finds for the `<key>.yaml` files of `dir`, by key.
fn profiles_in(dir: &Path, load: impl Fn(&str) -> Option<StationFile>) -> Vec<(String, StationFile)> {
    let mut out: Vec<(String, StationFile)> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let key = e.file_name().into_string().ok()?.strip_suffix(".yaml")?.to_string();
            let p = load(&key)?;
            Some((key, p))
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// A station's profile on one line, as the pages show it.
pub(super) fn station_line(p: &StationFile) -> Markup {
    let officer = p.officer.as_ref().map(|o| {
        let mut t = format!("社区民警 {}", o.name);
        if let Some(ph) = &o.phone {
            t.push_str(&format!(" {ph}"));
        }
        t
    });
    let delivery = p.delivery.as_ref().map(|d| format!("收货地址 {d}"));
    let receiver = p.receiver.as_ref().map(|r| format!("收货人 {r}"));
    let pictures: Vec<&str> = [
        p.logo.as_ref().map(|_| "标志"),
        p.officer.as_ref().and_then(|o| o.photo.as_ref()).map(|_| "民警照片"),
        p.qr_image.as_ref().map(|_| "二维码图片"),
    ]
    .into_iter()
    .flatten()
    .collect();
    let pictures = (!pictures.is_empty()).then(|| format!("图片：{}", pictures.join("、")));
    html! {
        (p.name)
        @for x in [&p.address, &p.phone, &p.hotline, &p.qr, &officer, &delivery, &receiver, &pictures].into_iter().flatten() { "　" (x) }
    }
}

/// Write a station profile file (checked like a `--station` file first):
/// `file` names its pictures from `stations/`, `to_stations` is the way
/// there from `path`'s folder.
pub(super) fn save_station(path: &Path, file: &StationFile, to_stations: &str, what: &str) -> Result<(), Diagnostic> {
    let written = map_pictures(file.clone(), |p| format!("{to_stations}{p}"));
    // The folder first: `../x.png` is resolved through it.
    std::fs::create_dir_all(path.parent().unwrap_or(Path::new("."))).map_err(|e| Diagnostic::io(e.to_string()))?;
    Station::from_file_in(written.clone(), &[], path.parent()).map_err(Diagnostic::data)?;
    let mut text = format!("# {what}\n");
    text.push_str(&station_yaml(&written, ""));
    fsio::write_atomic(path, text.as_bytes(), Durability::Sync)
}

/// The stations a studio order names, as the county registered them: each
/// must be an approved profile, found by its key (`编号`/`id`) or its exact
/// name, and what is printed is that profile, never the list's own text.
pub(super) fn registered(root: &Path, wanted: &[(String, StationFile)]) -> Result<Vec<StationFile>, Diagnostics> {
    let known = registry(root);
    let mut out = Vec::new();
    let mut problems = Diagnostics::default();
    for (at, w) in wanted {
        let id = w.id.as_deref().map(str::trim).filter(|k| !k.is_empty());
        let found = known.iter().find(|(k, p)| match id {
            Some(id) => k == id,
            None => p.name.trim() == w.name.trim(),
        });
        match found {
            Some((k, p)) => out.push(StationFile { id: Some(k.clone()), ..p.clone() }),
            None => problems.push(
                Diagnostic::data(format!("{at}：“{}”不在本县登记的派出所里", id.unwrap_or(w.name.trim())))
                    .hint("名称要和管理员登记的一字不差（或填编号）；新派出所请管理员在“派出所”页登记"),
            ),
        }
    }
    if problems.is_empty() { Ok(out) } else { Err(problems) }
}

/// `GET /station`: the officer's station profile (fills the footers).
pub async fn station_page(State(st): State<Arc<Studio>>, headers: HeaderMap) -> Response {
    let Some((_, s)) = st.session(&headers) else { return to_login() };
    let Some(key) = s.user.station.clone() else {
        return page_response(
            StatusCode::OK,
            pages::message("没有所属派出所", "你的账号没有登记派出所，请管理员补上。"),
        );
    };
    let live = load_profile(&st.root, &key);
    let pending = load_pending(&st.root, &key);
    let shown = pending.clone().or_else(|| live.clone()).unwrap_or_default();
    page_response(StatusCode::OK, station_form(&s, &key, &shown, live.as_ref(), pending.is_some(), None, false))
}

fn station_form(
    s: &Session,
    key: &str,
    p: &StationFile,
    live: Option<&StationFile>,
    pending: bool,
    problem: Option<&str>,
    saved: bool,
) -> Markup {
    let v = |o: &Option<String>| o.clone().unwrap_or_default();
    pages::page(
        "本所信息",
        Some(s),
        html! {
            h1 { "本所信息" }
            p.meta { "印在物品页脚上的派出所名称、地址、电话和二维码链接。编号 " code { (key) } "。改动由管理员核对以后才印到物品上。" }
            @if let Some(m) = problem { p.error role="alert" { (m) } }
            @if saved { p.saved role="status" { "已提交，管理员核对以后生效。" } }
            @match live {
                Some(l) => section.live {
                    h2 { "现在印的" }
                    p { (station_line(l)) }
                },
                None => p.meta { "本所还没有登记过，管理员核对以后才能按“本所”下单。" },
            }
            @if pending && !saved { p.meta role="status" { "下面是等管理员核对的改动。" } }
            form.station method="post" action="/station" {
                input type="hidden" name="csrf" value=(s.csrf);
                label { "派出所名称" input name="name" value=(p.name) required maxlength="40"; }
                label { "地址" input name="address" value=(v(&p.address)) maxlength="80"; }
                label { "值班电话" input name="phone" value=(v(&p.phone)) maxlength="32"; }
                label { "反诈热线" input name="hotline" value=(v(&p.hotline)) maxlength="32"; }
                label { "二维码链接（http 或 https）" input name="qr" value=(v(&p.qr)) maxlength="300"; }
                fieldset {
                    legend { "社区民警（印在联系卡背面）" }
                    label { "姓名" input name="officer" value=(p.officer.as_ref().map(|o| o.name.as_str()).unwrap_or("")) maxlength="40"; }
                    label { "电话" input name="officer_phone" value=(p.officer.as_ref().and_then(|o| o.phone.clone()).unwrap_or_default()) maxlength="32"; }
                }
                fieldset {
                    legend { "收货（写在给印刷厂的分送单上）" }
                    label { "收货地址（不填就用上面的地址）" input name="delivery" value=(v(&p.delivery)) maxlength="80"; }
                    label { "收货人和电话" input name="receiver" value=(v(&p.receiver)) maxlength="72"; }
                }
                button.primary type="submit" { "提交核对" }
            }
            h2 { "图片" }
            p.meta { "标志印在联系卡、袋子等物品上；民警照片和 App 二维码图片印在联系卡背面。PNG、JPEG 或 SVG，最大 12 MB。上传以后同样要管理员核对。" }
            @for (kind, label, has) in pictures(p).map(|(k, l, f)| (k, l, f.is_some())) {
                form.picture method="post" action="/station/picture" enctype="multipart/form-data" data-kind=(kind) {
                    input type="hidden" name="csrf" value=(s.csrf);
                    input type="hidden" name="kind" value=(kind);
                    label { (label) @if has { "（已有）" } input type="file" name="file" accept=".png,.jpg,.jpeg,.svg"; }
                    button type="submit" { "上传" }
                    @if has { button type="submit" name="remove" value="1" { "去掉" } }
                }
            }
            @if has_pictures(p) {
                h2 { "联系卡上的样子" }
                p.meta { "按上面的信息排的联系卡，正面和背面（样稿）。" }
                div.cards {
                    img src="/station/card/1.svg" alt="联系卡正面" width="340";
                    img src="/station/card/2.svg" alt="联系卡背面" width="340";
                }
            }
        },
    )
}

/// The pictures of a profile: (form kind, label, the file it names).
fn pictures(p: &StationFile) -> [(&'static str, &'static str, Option<&String>); 3] {
    [
        ("logo", "标志", p.logo.as_ref()),
        ("photo", "民警照片", p.officer.as_ref().and_then(|o| o.photo.as_ref())),
        ("qr_image", "App 二维码图片", p.qr_image.as_ref()),
    ]
}

/// Whether a profile names any picture (the contact card is worth showing).
pub(super) fn has_pictures(p: &StationFile) -> bool {
    pictures(p).iter().any(|(_, _, f)| f.is_some())
}

/// Which pictures a change sets, replaces or removes, by their labels.
pub(super) fn pictures_changed(live: Option<&StationFile>, p: &StationFile) -> Vec<&'static str> {
    let before = live.map(pictures);
    pictures(p)
        .into_iter()
        .enumerate()
        .filter(|(k, (_, _, now))| before.as_ref().and_then(|b| b[*k].2) != *now)
        .map(|(_, (_, label, _))| label)
        .collect()
}

/// A station's profile as a form gives it (the officer's page; the admin's,
/// which also names the key).
#[derive(serde::Deserialize, Clone)]
pub struct StationForm {
    pub(super) csrf: String,
    #[serde(default)]
    pub(super) key: String,
    name: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    hotline: String,
    #[serde(default)]
    qr: String,
    // Fields a form may leave out (the admin's has none of them): absent
    // keeps what the profile has, empty clears it.
    officer: Option<String>,
    officer_phone: Option<String>,
    delivery: Option<String>,
    receiver: Option<String>,
}

impl StationForm {
    /// The profile of station `key` as the form changes `base` (the profile
    /// it was shown): fields trimmed, empty ones left out; the pictures, and
    /// what the form does not carry, stay as `base` has them.
    pub(super) fn profile(&self, key: &str, base: Option<&StationFile>) -> Result<StationFile, String> {
        let opt = |v: &str| Some(v.trim().to_string()).filter(|v| !v.is_empty());
        let mut p = base.cloned().unwrap_or_default();
        p.id = Some(key.to_string());
        p.name = self.name.trim().to_string();
        p.address = opt(&self.address);
        p.phone = opt(&self.phone);
        p.hotline = opt(&self.hotline);
        p.qr = opt(&self.qr);
        if let Some(d) = &self.delivery {
            p.delivery = opt(d);
        }
        if let Some(r) = &self.receiver {
            p.receiver = opt(r);
        }
        if self.officer.is_some() || self.officer_phone.is_some() {
            let photo = p.officer.as_ref().and_then(|o| o.photo.clone());
            let name = self.officer.as_deref().map(opt).unwrap_or_else(|| p.officer.as_ref().map(|o| o.name.clone()));
            let phone = match &self.officer_phone {
                Some(v) => opt(v),
                None => p.officer.as_ref().and_then(|o| o.phone.clone()),
            };
            p.officer = match name {
                Some(name) => Some(OfficerEntry { name, phone, photo }),
                None if phone.is_some() || photo.is_some() => {
                    return Err("社区民警的电话或照片要有姓名：填上民警姓名".into());
                }
                None => None,
            };
        }
        Ok(p)
    }
}

/// `POST /station`: checked like a `--station` file, written atomically.
pub async fn station_save(State(st): State<Arc<Studio>>, headers: HeaderMap, Form(f): Form<StationForm>) -> Response {
    let Some((_, s)) = st.session(&headers) else { return to_login() };
    if !same(&s.csrf, &f.csrf) {
        return super::csrf_refused(&st, &s);
    }
    let (Some(key), Role::Officer) = (s.user.station.clone(), s.user.role) else {
        return refuse(&st, &s, "POST /station");
    };
    let live = load_profile(&st.root, &key);
    let base = load_pending(&st.root, &key).or_else(|| live.clone());
    let checked = f.profile(&key, base.as_ref()).and_then(|file| check_profile(&st.root, &file).map(|_| file));
    let file = match checked {
        Ok(file) => file,
        Err(m) => {
            // Shown again as typed (on top of what it changed), with the problem.
            let shown = StationForm { officer: None, officer_phone: None, ..f.clone() }
                .profile(&key, base.as_ref())
                .unwrap_or_else(|_| base.clone().unwrap_or_default());
            return page_response(
                StatusCode::UNPROCESSABLE_ENTITY,
                station_form(&s, &key, &shown, live.as_ref(), false, Some(&m), false),
            );
        }
    };
    submit(&st, &s, &key, &file, live.as_ref())
}

/// Write an officer's change as the pending profile and show the form again.
fn submit(st: &Studio, s: &Session, key: &str, file: &StationFile, live: Option<&StationFile>) -> Response {
    let Some(path) = pending_path(&st.root, key) else { return refuse(st, s, "station key") };
    let what = format!("The station's profile as {} submitted it in the studio; an admin approves it.", s.user.name);
    match save_station(&path, file, FROM_PENDING, &what) {
        Ok(()) => {
            st.db().audit(Some(&s.user.name), "station-submit", key);
            page_response(StatusCode::OK, station_form(s, key, file, live, true, None, true))
        }
        Err(d) => page_response(StatusCode::INTERNAL_SERVER_ERROR, pages::problem(&d)),
    }
}

/// Largest picture upload (a phone's photo is 3–8 MB).
pub const MAX_PICTURE: usize = 12 << 20;

/// `POST /station/picture`: an officer's logo, photo or QR picture (or its
/// removal). The file is checked as the CLI checks a station's picture,
/// kept under `stations/pictures/` by its content's hash (never by the
/// uploaded name), and waits with the rest of the change for an admin.
pub async fn picture_save(State(st): State<Arc<Studio>>, headers: HeaderMap, mut m: Multipart) -> Response {
    let Some((_, s)) = st.session(&headers) else { return to_login() };
    let (mut csrf, mut kind, mut remove, mut bytes) = (String::new(), String::new(), false, Vec::new());
    loop {
        let field = match m.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return page_response(StatusCode::BAD_REQUEST, pages::message("表单没能读完", &e.to_string())),
        };
        let name = field.name().unwrap_or("").to_string();
        let value = match field.bytes().await {
            Ok(v) => v,
            Err(e) => return page_response(StatusCode::BAD_REQUEST, pages::message("表单没能读完", &e.to_string())),
        };
        match name.as_str() {
            "csrf" => csrf = String::from_utf8_lossy(&value).into_owned(),
            "kind" => kind = String::from_utf8_lossy(&value).into_owned(),
            "remove" => remove = &value[..] == b"1",
            "file" => bytes = value.to_vec(),
            _ => {}
        }
    }
    if !same(&s.csrf, &csrf) {
        return super::csrf_refused(&st, &s);
    }
    let (Some(key), Role::Officer) = (s.user.station.clone(), s.user.role) else {
        return refuse(&st, &s, "POST /station/picture");
    };
    let source = match kind.as_str() {
        "logo" => Source::Logo,
        "photo" => Source::Photo,
        "qr_image" => Source::QrImage,
        _ => {
            return page_response(
                StatusCode::BAD_REQUEST,
                pages::message("没有这种图片", "只能传标志、民警照片或二维码图片。"),
            );
        }
    };
    let st2 = st.clone();
    blocking(move || {
        let live = load_profile(&st2.root, &key);
        let mut file = load_pending(&st2.root, &key).or_else(|| live.clone()).unwrap_or_default();
        let again = |file: &StationFile, m: &str| {
            Ok(page_response(
                StatusCode::UNPROCESSABLE_ENTITY,
                station_form(&s, &key, file, live.as_ref(), false, Some(m), false),
            ))
        };
        if file.name.trim().is_empty() {
            return again(&file, "先填好派出所名称并提交，再传图片。");
        }
        let named = if remove {
            None
        } else {
            let Some(ext) = crate::images::StationImage::extension_of(&bytes) else {
                return again(&file, "这个文件不是 PNG、JPEG 或 SVG 图片。");
            };
            let name = format!("pictures/{}.{ext}", crate::review::sha256_hex(&bytes).get(..32).unwrap_or_default());
            let path = st2.root.join("stations").join(&name);
            if let Err(m) = crate::images::StationImage::from_bytes(Path::new(&name), &bytes, source.field()) {
                return again(&file, &format!("图片不能用：{m}"));
            }
            if !path.is_file() {
                std::fs::create_dir_all(path.parent().unwrap_or(Path::new(".")))
                    .map_err(|e| Diagnostic::io(e.to_string()))?;
                fsio::write_atomic(&path, &bytes, Durability::Sync)?;
            }
            Some(name)
        };
        match source {
            Source::Logo => file.logo = named,
            Source::QrImage => file.qr_image = named,
            Source::Photo => match (&mut file.officer, named) {
                (Some(o), named) => o.photo = named,
                (None, None) => {}
                (None, Some(_)) => return again(&file, "先在上面填社区民警的姓名并提交，再传民警照片。"),
            },
        }
        if let Err(m) = check_profile(&st2.root, &file) {
            return again(&file, &m);
        }
        Ok(submit(&st2, &s, &key, &file, live.as_ref()))
    })
    .await
}

/// `GET /station/card/{side}.svg`: the contact card (side 1 the front, 2
/// the back) laid out with the officer's station as last submitted, marked
/// as a proof: how the pictures and fields print, drawn by jiediqi (an
/// uploaded SVG is never served as it came).
pub async fn card_svg(State(st): State<Arc<Studio>>, headers: HeaderMap, UrlPath(side): UrlPath<String>) -> Response {
    let Some((_, s)) = st.session(&headers) else { return StatusCode::UNAUTHORIZED.into_response() };
    let Some(key) = s.user.station.clone() else { return StatusCode::NOT_FOUND.into_response() };
    card_response(st, key, side).await
}

/// A station's contact card as an SVG response (see [`card_svg`]): from
/// its pending profile when there is one, else the approved one.
pub(super) async fn card_response(st: Arc<Studio>, key: String, side: String) -> Response {
    let side: usize = match side.strip_suffix(".svg") {
        Some("1") => 0,
        Some("2") => 1,
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    let svg = tokio::task::spawn_blocking(move || -> Result<Option<String>, Diagnostic> {
        let Some(file) = load_pending(&st.root, &key).or_else(|| load_profile(&st.root, &key)) else {
            return Ok(None);
        };
        let station = check_profile(&st.root, &file).map_err(Diagnostic::data)?;
        let lib = st.library()?;
        let Some(item) = lib.item("card-contact") else { return Ok(None) };
        let Some(slogan) = lib.slogans.iter().find(|x| item.takes(x).is_ok()) else { return Ok(None) };
        let opts = crate::layout::SceneOptions { station: Some(&station) };
        let sides = crate::layout::build_sides(&lib, item, slogan, &opts)?;
        let Some(scene) = sides.get(side) else { return Ok(None) };
        super::scene_svg(&lib, item, scene, side, true).map(Some)
    })
    .await;
    match svg {
        Ok(Ok(Some(svg))) => ([(header::CONTENT_TYPE, "image/svg+xml")], svg).into_response(),
        Ok(Ok(None)) => StatusCode::NOT_FOUND.into_response(),
        Ok(Err(d)) => (StatusCode::UNPROCESSABLE_ENTITY, d.message).into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// A station as YAML mapping lines, each prefixed by `pad`.
fn station_yaml(f: &StationFile, pad: &str) -> String {
    let mut out = String::new();
    let mut first = true;
    let mut field = |k: &str, v: &Option<String>| {
        if let Some(v) = v {
            let lead = if first && !pad.is_empty() { format!("{}- ", &pad[..pad.len() - 2]) } else { pad.to_string() };
            out.push_str(&format!("{lead}{k}: {}\n", quoted(v)));
            first = false;
        }
    };
    field("id", &f.id);
    field("name", &Some(f.name.clone()));
    field("address", &f.address);
    field("phone", &f.phone);
    field("hotline", &f.hotline);
    field("qr", &f.qr);
    field("delivery", &f.delivery);
    field("receiver", &f.receiver);
    field("logo", &f.logo);
    field("qr_image", &f.qr_image);
    if let Some(o) = &f.officer {
        let mut m = format!("{{ name: {}", quoted(&o.name));
        for (k, v) in [("phone", &o.phone), ("photo", &o.photo)] {
            if let Some(v) = v {
                m.push_str(&format!(", {k}: {}", quoted(v)));
            }
        }
        out.push_str(&format!("{pad}officer: {m} }}\n"));
    }
    out
}

/// Whose orders an account may see: its own, its station's; admins all.
pub(super) fn visible(s: &Session, o: &OrderRow) -> bool {
    match s.user.role {
        Role::Admin => true,
        _ => o.user == s.user.name || (o.station.is_some() && o.station == s.user.station),
    }
}

/// `GET /orders`: the order form and past orders.
pub async fn orders_page(State(st): State<Arc<Studio>>, headers: HeaderMap) -> Response {
    let Some((_, s)) = st.session(&headers) else { return to_login() };
    if s.user.role != Role::Officer {
        return refuse(&st, &s, "/orders");
    }
    let st2 = st.clone();
    blocking(move || {
        let lib = st2.library()?;
        let log = st2.review_log()?;
        Ok(page_response(StatusCode::OK, order_form(&st2, &s, &lib, &log, None)))
    })
    .await
}

fn order_form(
    st: &Studio,
    s: &Session,
    lib: &Library,
    log: &crate::review::ReviewLog,
    problems: Option<&Diagnostics>,
) -> Markup {
    let approved: Vec<&crate::validate::Slogan> = lib.slogans.iter().filter(|x| log.state(x).is_approved()).collect();
    let past: Vec<OrderRow> = st.db().orders(None).into_iter().filter(|o| visible(s, o)).collect();
    let profile = s.user.station.as_deref().and_then(|k| load_profile(&st.root, k));
    pages::page(
        "下单",
        Some(s),
        html! {
            h1 { "下单" }
            @if let Some(p) = problems {
                div.problems role="alert" {
                    p.error { "订单有问题，什么都还没做：" }
                    ul { @for d in &p.0 { li { (pages::diagnostic_zh(d)) } } }
                }
            }
            form.order method="post" action="/orders" enctype="multipart/form-data" {
                input type="hidden" name="csrf" value=(s.csrf);
                label { "订单名称" input name="title" required maxlength="60" value={ (profile.as_ref().map(|p| p.name.as_str()).unwrap_or("")) "宣传品" }; }
                label { "印刷厂" input name="vendor" required maxlength="60"; }
                label { "联系人和电话" input name="contact" maxlength="60"; }
                label { "交货日期" input name="due" type="date" required; }
                fieldset {
                    legend { "给哪些派出所" }
                    label.check { input type="radio" name="stations" value="own" checked[profile.is_some()] disabled[profile.is_none()];
                        "本所（" (profile.as_ref().map(|p| p.name.as_str()).unwrap_or("还没填本所信息")) "）" }
                    label.check { input type="radio" name="stations" value="file" checked[profile.is_none()]; "上传派出所名单（Excel .xlsx 或 CSV）" }
                    input type="file" name="stations_file" accept=".xlsx,.csv";
                    p.meta { "名单第一行是列名：名称（或 派出所）、地址、电话、热线、二维码、编号。" }
                }
                fieldset.items {
                    legend { "物品和数量（不要的填 0）" }
                    table.lines {
                        thead { tr { th { "物品" } th { "款式" } th { "数量" } th { "按" } } }
                        tbody {
                            @for item in &lib.items {
                                tr {
                                    td { (item.name) }
                                    td { select name={ "style-" (item.id) } aria-label={ (item.name) "款式" } {
                                        @for v in &item.variants { option value=(v.id) { (v.name) } } } }
                                    td { input type="number" name={ "qty-" (item.id) } min="0" max="1000000" value="0" aria-label={ (item.name) "数量" }; }
                                    td { select name={ "per-" (item.id) } aria-label={ (item.name) "按" } {
                                        option value="station" { "每所每款" } option value="total" { "总数" } } }
                                }
                            }
                        }
                    }
                }
                fieldset.slogans {
                    legend { "标语（只列已通过审核的，共 " (approved.len()) " 条）" }
                    div.pick {
                        @for x in &approved {
                            label.check { input type="checkbox" name="slogan" value=(x.id); span.topic { (x.topic) } " " (x.text()) }
                        }
                    }
                }
                button.primary type="submit" { "检查并生成印刷包" }
            }
            h2 { "以前的订单" }
            @if past.is_empty() { p { "还没有订单。" } }
            ul.orders {
                @for o in &past {
                    li { a href={ "/orders/" (o.id) } { "第 " (o.id) " 号　" (o.title) } "　" (o.user) "　" (crate::timefmt::beijing(o.created)) "　" (o.files) " 个文件" }
                }
            }
        },
    )
}

/// An order as the form (or the API) gives it.
#[derive(Default)]
pub(super) struct OrderForm {
    pub csrf: String,
    pub title: String,
    pub vendor: String,
    pub contact: String,
    pub due: String,
    /// `own` (the account's station profile) or `file`.
    pub stations: String,
    /// An uploaded list: file name and bytes.
    pub file: Option<(String, Vec<u8>)>,
    /// Stations given inline (the API).
    pub list: Option<Vec<StationFile>>,
    /// Per item: (item id, quantity, `station` | `total`).
    pub quantities: Vec<(String, String, String)>,
    /// Slogans; each line takes those meant for its item.
    pub slogans: Vec<String>,
    /// Per item: (item id, style id) where a style was chosen.
    pub styles: Vec<(String, String)>,
}

async fn read_form(mut m: Multipart) -> Result<OrderForm, String> {
    let mut f = OrderForm::default();
    let mut qty: Vec<(String, String)> = Vec::new();
    let mut per: Vec<(String, String)> = Vec::new();
    while let Some(field) = m.next_field().await.map_err(|e| e.to_string())? {
        let name = field.name().unwrap_or("").to_string();
        if name == "stations_file" {
            let file_name = field.file_name().unwrap_or("").to_string();
            let bytes = field.bytes().await.map_err(|e| e.to_string())?;
            if bytes.len() > MAX_UPLOAD {
                return Err("名单文件太大（最多 16 MB）。".into());
            }
            if !bytes.is_empty() {
                f.file = Some((file_name, bytes.to_vec()));
            }
            continue;
        }
        let value = field.text().await.map_err(|e| e.to_string())?;
        match name.as_str() {
            "csrf" => f.csrf = value,
            "title" => f.title = value,
            "vendor" => f.vendor = value,
            "contact" => f.contact = value,
            "due" => f.due = value,
            "stations" => f.stations = value,
            "slogan" if f.slogans.len() < 1000 => f.slogans.push(value),
            n if n.starts_with("qty-") && qty.len() < 200 => qty.push((n[4..].to_string(), value)),
            n if n.starts_with("per-") && per.len() < 200 => per.push((n[4..].to_string(), value)),
            n if n.starts_with("style-") && f.styles.len() < 200 => f.styles.push((n[6..].to_string(), value)),
            _ => {}
        }
    }
    for (item, q) in qty {
        let p = per.iter().find(|(i, _)| *i == item).map(|(_, p)| p.clone()).unwrap_or_default();
        f.quantities.push((item, q, p));
    }
    Ok(f)
}

/// `POST /orders`: write the order file, check it, build the package.
pub async fn order_post(State(st): State<Arc<Studio>>, headers: HeaderMap, m: Multipart) -> Response {
    let Some((_, s)) = st.session(&headers) else { return to_login() };
    let form = match read_form(m).await {
        Ok(f) => f,
        Err(e) => return page_response(StatusCode::BAD_REQUEST, pages::message("表单没能读完", &e)),
    };
    if !same(&s.csrf, &form.csrf) {
        return super::csrf_refused(&st, &s);
    }
    if s.user.role != Role::Officer {
        return refuse(&st, &s, "POST /orders");
    }
    let st2 = st.clone();
    blocking(move || {
        let lib = st2.library()?;
        let log = st2.review_log()?;
        match build(&st2, &lib, &log, &s, &form) {
            Ok(id) => Ok(Redirect::to(&format!("/orders/{id}")).into_response()),
            Err(p) => Ok(page_response(StatusCode::UNPROCESSABLE_ENTITY, order_form(&st2, &s, &lib, &log, Some(&p)))),
        }
    })
    .await
}

pub(super) fn build(
    st: &Studio,
    lib: &Library,
    log: &crate::review::ReviewLog,
    s: &Session,
    f: &OrderForm,
) -> Result<i64, Diagnostics> {
    let mut problems = Diagnostics::default();
    let mut lines = String::new();
    for (item, qty, per) in &f.quantities {
        let Ok(q) = qty.trim().parse::<u32>() else {
            problems.push(Diagnostic::data(format!("数量“{qty}”不是整数")).hint("填 0 或正整数"));
            continue;
        };
        if q == 0 {
            continue;
        }
        let style = f.styles.iter().find(|(i, _)| i == item).map(|(_, s)| s.as_str());
        let it = match lib.item(item).map(|_| lib.item_in_style(item, style)) {
            None => continue,
            Some(Ok(it)) => it,
            Some(Err(e)) => {
                problems.push(Diagnostic::data(e).hint("选物品的一种款式"));
                continue;
            }
        };
        let chosen: Vec<&str> =
            f.slogans.iter().filter_map(|id| lib.slogan(id)).filter(|x| it.suits(x)).map(|x| x.id.as_str()).collect();
        if chosen.is_empty() {
            problems.push(
                Diagnostic::data(format!("{}：选的标语没有一条适合这种物品", it.name))
                    .hint("多选几条标语，或把数量改成 0"),
            );
            continue;
        }
        let per = if per == "total" { "total" } else { "station" };
        lines.push_str(&format!(
            "  - item: {}\n    slogans: [{}]\n    quantity: {q}\n    per: {per}\n",
            it.base_id(),
            chosen.join(", ")
        ));
        if it.style != 0 {
            lines.push_str(&format!("    style: {}\n", it.style_id()));
        }
    }
    if lines.is_empty() && problems.is_empty() {
        problems.push(Diagnostic::data("没有选物品或数量都是 0").hint("至少给一种物品填上数量"));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let n = st.db().reserve_order(&s.user.name, s.user.station.as_deref(), f.title.trim())?;
    let built = build_numbered(st, lib, log, s, f, n, &lines);
    if built.is_err() {
        // A refused order leaves no order file for the CLI to find.
        st.db().drop_order(n);
        let _ = std::fs::remove_file(st.root.join("orders").join(format!("studio-{n:04}.yaml")));
    }
    built
}

#[allow(clippy::too_many_arguments)]
fn build_numbered(
    st: &Studio,
    lib: &Library,
    log: &crate::review::ReviewLog,
    s: &Session,
    f: &OrderForm,
    n: i64,
    lines: &str,
) -> Result<i64, Diagnostics> {
    let mut problems = Diagnostics::default();
    let name = format!("studio-{n:04}");
    let dir = st.root.join("orders");
    // Which stations; what is printed for them is always their approved profile.
    let wanted: Vec<(String, StationFile)> = match (f.stations.as_str(), &f.file, &s.user.station) {
        _ if f.list.is_some() => f
            .list
            .as_deref()
            .unwrap_or_default()
            .iter()
            .enumerate()
            .map(|(i, x)| (format!("第 {} 个派出所", i + 1), x.clone()))
            .collect(),
        ("own", _, Some(key)) => {
            vec![("本所".to_string(), StationFile { id: Some(key.clone()), ..StationFile::default() })]
        }
        (_, Some((file_name, bytes)), _) => match crate::order::stations_from_upload(file_name, bytes) {
            Ok(rows) => rows
                .into_iter()
                .map(|(at, x)| (at.line.map_or_else(|| "名单".to_string(), |l| format!("名单第 {l} 行")), x))
                .collect(),
            Err(p) => {
                problems.0.extend(p.0);
                Vec::new()
            }
        },
        _ => {
            problems.push(Diagnostic::data("没有派出所名单").hint("选“本所”，或上传名单文件"));
            Vec::new()
        }
    };
    let mut stations = String::new();
    if problems.is_empty() {
        match registered(&st.root, &wanted) {
            Ok(list) if !list.is_empty() => {
                stations.push_str("stations:\n  list:\n");
                for x in &list {
                    let x = map_pictures(x.clone(), |p| format!("{FROM_ORDERS}{p}"));
                    stations.push_str(&station_yaml(&x, "      "));
                }
            }
            Ok(_) => problems.push(Diagnostic::data("名单里没有派出所").hint("名单第一行是列名，下面每行一个派出所")),
            Err(p) => problems.0.extend(p.0),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut text = format!("# Ordered in the studio by {} (第 {n} 号).\n", s.user.name);
    text.push_str(&format!("title: {}\n", quoted(f.title.trim())));
    text.push_str(&format!("vendor:\n  name: {}\n", quoted(f.vendor.trim())));
    if !f.contact.trim().is_empty() {
        text.push_str(&format!("  contact: {}\n", quoted(f.contact.trim())));
    }
    text.push_str(&format!("due: {}\n", scalar_date(&f.due)));
    text.push_str(&stations);
    text.push_str("lines:\n");
    text.push_str(lines);
    let path = dir.join(format!("{name}.yaml"));
    fsio::write_atomic(&path, text.as_bytes(), Durability::Sync)?;
    let order = crate::order::Order::load(&path)?;
    let files: usize = order.lines.iter().map(|l| l.slogans.len()).sum::<usize>().saturating_mul(order.stations.len());
    if files > MAX_FILES {
        return Err(Diagnostic::data(format!("这个订单要出 {files} 个印刷文件，工作室一次最多 {MAX_FILES} 个"))
            .hint("分成几个订单，或请管理员用命令行 jiediqi order 出（可以分片）")
            .into());
    }
    let out = st.root.join("studio").join("packages").join(n.to_string());
    let opts = crate::package::PackageOptions { zip: true, ..Default::default() };
    let written = crate::package::write(lib, log, &order, &out, &opts)?;
    let zip = written.iter().find(|p| p.extension().is_some_and(|e| e == "zip")).cloned();
    let zip_bytes = zip.as_ref().and_then(|z| std::fs::read(z).ok()).unwrap_or_default();
    let files =
        std::fs::read_to_string(out.join(&order.name).join("SHA256SUMS")).map(|t| t.lines().count()).unwrap_or(0);
    st.db().finish_order(n, files as i64, &crate::review::sha256_hex(&zip_bytes))?;
    st.db().audit(Some(&s.user.name), "order", &format!("第 {n} 号 {} ({files} files)", f.title.trim()));
    Ok(n)
}

/// A due date as typed into a date field (YYYY-MM-DD); anything else quoted
/// so the order's own check names it.
fn scalar_date(s: &str) -> String {
    let s = s.trim();
    if s.len() == 10
        && s.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() })
    {
        s.to_string()
    } else {
        scalar(s)
    }
}

pub(super) fn find_order(st: &Studio, s: &Session, id: &str) -> Option<OrderRow> {
    let id: i64 = id.parse().ok()?;
    st.db().orders(None).into_iter().find(|o| o.id == id && visible(s, o))
}

/// `GET /orders/{n}`: what was made, and the download.
pub async fn order_page(State(st): State<Arc<Studio>>, headers: HeaderMap, UrlPath(id): UrlPath<String>) -> Response {
    let Some((_, s)) = st.session(&headers) else { return to_login() };
    let Some(o) = find_order(&st, &s, &id) else {
        st.db().audit(Some(&s.user.name), "refused", &format!("/orders/{id}"));
        return page_response(
            StatusCode::NOT_FOUND,
            pages::message("没有这个订单", "订单号不对，或者不是你们所的订单。"),
        );
    };
    let sheet = std::fs::read_to_string(
        st.root.join("studio/packages").join(o.id.to_string()).join(format!("studio-{:04}", o.id)).join("SHA256SUMS"),
    )
    .unwrap_or_default();
    let body = html! {
        h1 { "第 " (o.id) " 号订单：" (o.title) }
        p { "下单人 " (o.user) "　时间 " (crate::timefmt::beijing(o.created)) "　共 " (o.files) " 个文件" }
        p { a.button.primary href={ "/orders/" (o.id) "/package.zip" } download { "下载印刷包（zip）" } }
        p.meta { "zip 的 SHA-256：" code { (o.zip_sha256) } }
        details { summary { "包里的文件和校验值（SHA256SUMS）" } pre { (sheet) } }
        p { a href="/orders" { "回到下单" } }
    };
    page_response(StatusCode::OK, pages::page("订单", Some(&s), body))
}

/// `GET /orders/{n}/package.zip`.
pub async fn order_zip(State(st): State<Arc<Studio>>, headers: HeaderMap, UrlPath(id): UrlPath<String>) -> Response {
    let Some((_, s)) = st.session(&headers) else { return to_login() };
    let Some(o) = find_order(&st, &s, &id) else {
        st.db().audit(Some(&s.user.name), "refused", &format!("/orders/{id}/package.zip"));
        return StatusCode::NOT_FOUND.into_response();
    };
    let name = format!("studio-{:04}", o.id);
    match zip_bytes(&st, &o).await {
        Some(bytes) => (
            [
                (header::CONTENT_TYPE, "application/zip".to_string()),
                (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}.zip\"")),
            ],
            bytes,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// The package zip of an order, read off the async threads.
pub(super) async fn zip_bytes(st: &Studio, o: &OrderRow) -> Option<Vec<u8>> {
    let name = format!("studio-{:04}", o.id);
    let path = st.root.join("studio/packages").join(o.id.to_string()).join(format!("{name}.zip"));
    tokio::task::spawn_blocking(move || std::fs::read(&path).ok()).await.ok().flatten()
}
