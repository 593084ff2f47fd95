//! The studio's pages, in Chinese. maud escapes every value it prints.

use maud::{DOCTYPE, Markup, html};

use super::Search;
use super::db::{Role, Session};
use crate::diag::Diagnostic;
use crate::lint::{self, Finding};
use crate::review::{ReviewLog, State};
use crate::validate::{Library, Slogan};

pub fn page(title: &str, session: Option<&Session>, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="zh-CN" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · 接地气宣传工作室" }
                link rel="stylesheet" href="/assets/studio.css";
                script src="/assets/htmx.min.js" defer {}
            }
            body {
                header.bar {
                    a.brand href="/" { "接地气 · 宣传工作室" }
                    @if let Some(s) = session {
                        @if matches!(s.user.role, Role::Officer | Role::Reviewer) { a.nav href="/write" { "写标语" } }
                        @if s.user.role == Role::Reviewer { a.nav href="/review" { "待审核" } }
                        @if s.user.role == Role::Officer { a.nav href="/orders" { "下单" } a.nav href="/station" { "本所信息" } }
                        @if s.user.role == Role::Admin { a.nav href="/admin/users" { "账号" } a.nav href="/admin/stations" { "派出所" } a.nav href="/admin/audit" { "操作记录" } }
                        span.who { (s.user.name) "（" (s.user.role.label_zh()) "）" }
                        form.inline method="post" action="/logout" {
                            input type="hidden" name="csrf" value=(s.csrf);
                            button type="submit" { "退出" }
                        }
                    }
                }
                main { (body) }
            }
        }
    }
}

pub fn message(title: &str, text: &str) -> Markup {
    page(title, None, html! { h1 { (title) } p { (text) } p { a href="/" { "回首页" } } })
}

pub fn problem(d: &Diagnostic) -> Markup {
    page(
        "数据有问题",
        None,
        html! {
            h1 { "项目数据有问题" }
            p { "工作室读不了项目数据，请联系管理员（命令行运行 jiediqi check 可以看到全部问题）。" }
            pre.problem { (d.to_string()) }
        },
    )
}

pub fn login(token: &str, error: Option<&str>) -> Markup {
    page(
        "登录",
        None,
        html! {
            section.login {
                h1 { "登录" }
                @if let Some(e) = error { p.error role="alert" { (e) } }
                form method="post" action="/login" {
                    input type="hidden" name="login_token" value=(token);
                    label { "用户名" input name="name" autocomplete="username" required; }
                    label { "密码" input name="password" type="password" autocomplete="current-password" required; }
                    button type="submit" { "登录" }
                }
            }
        },
    )
}

pub fn state_class(state: &State) -> &'static str {
    match state {
        State::Approved(_) => "approved",
        State::Pending => "pending",
        State::Stale(_) => "stale",
        State::ChangesRequested(_) => "changes",
        State::Rejected(_) => "rejected",
    }
}

pub fn state_short(state: &State) -> &'static str {
    match state {
        State::Approved(_) => "已通过",
        State::Pending => "待审核",
        State::Stale(_) => "措辞已改",
        State::ChangesRequested(_) => "需修改",
        State::Rejected(_) => "不通过",
    }
}

/// Whether a slogan matches a search.
pub fn matches(lib: &Library, s: &Slogan, log: &ReviewLog, q: &Search) -> bool {
    let text = q.q.trim();
    (text.is_empty()
        || s.id.contains(text)
        || s.text().contains(text)
        || s.tip.as_deref().is_some_and(|t| t.contains(text))
        || s.audience.iter().any(|a| a == text))
        && (q.topic.is_empty() || s.topic == q.topic)
        && (q.item.is_empty()
            || lib.item(&q.item).map_or(s.items.as_ref().is_none_or(|l| l.contains(&q.item)), |i| i.suits(s)))
        && (q.state.is_empty() || state_class(&log.state(s)) == q.state)
}

pub fn library(session: &Session, lib: &Library, log: &ReviewLog, q: &Search, mine: &[String]) -> Markup {
    let mut topics: Vec<&str> = lib.slogans.iter().map(|s| s.topic.as_str()).collect();
    topics.dedup();
    let found: Vec<&Slogan> =
        lib.slogans.iter().filter(|s| matches(lib, s, log, q) && (q.mine.is_empty() || mine.contains(&s.id))).collect();
    page(
        "标语库",
        Some(session),
        html! {
            h1 { "标语库" }
            form.search method="get" action="/" {
                input type="search" name="q" value=(q.q) placeholder="搜字、编号或对象（如 摊贩）" aria-label="搜索";
                select name="topic" aria-label="主题" {
                    option value="" { "全部主题" }
                    @for t in &topics { option value=(t) selected[q.topic == *t] { (t) } }
                }
                select name="item" aria-label="物品" {
                    option value="" { "全部物品" }
                    @for it in &lib.items { option value=(it.id) selected[q.item == it.id] { (it.name) } }
                }
                select name="state" aria-label="审核状态" {
                    option value="" { "全部状态" }
                    @for (v, l) in [("approved", "已通过"), ("pending", "待审核"), ("stale", "措辞已改"), ("changes", "需修改"), ("rejected", "不通过")] {
                        option value=(v) selected[q.state == v] { (l) }
                    }
                }
                @if !mine.is_empty() {
                    label.check { input type="checkbox" name="mine" value="1" checked[!q.mine.is_empty()]; "只看我写的（" (mine.len()) "）" }
                }
                button type="submit" { "查找" }
            }
            p.count { "共 " (found.len()) " 条" }
            ul.slogans {
                @for s in &found {
                    @let state = log.state(s);
                    li {
                        a href={ "/slogans/" (s.id) } {
                            span.topic { (s.topic) }
                            span.lines { @for l in &s.lines { span { (l) } } }
                            span class={ "state " (state_class(&state)) } { (state_short(&state)) }
                        }
                    }
                }
            }
        },
    )
}

pub fn slogan(
    session: &Session,
    lib: &Library,
    log: &ReviewLog,
    s: &Slogan,
    findings: &[Finding],
    actions: Markup,
) -> Markup {
    let state = log.state(s);
    let hash = crate::review::wording_hash(s);
    page(
        &s.id,
        Some(session),
        html! {
            p.crumbs { a href="/" { "标语库" } " › " (s.topic) }
            section.wording {
                @for l in &s.lines { p.line { (l) } }
                @if let Some(t) = &s.tip { p.tip { "小字提示：" (t) } }
                p.meta { "标题：" (s.heading) "　对象：" (s.audience.join("、")) }
                @if let Some(src) = &s.source { p.meta { "依据：" (src) } }
                @if let Some(v) = &s.verify { p.verify { "请本所核实：" (v) } }
                p.meta { "编号 " code { (s.id) } "　措辞指纹 " code { (&hash[..16]) } }
                p class={ "state " (state_class(&state)) } { "审核状态：" (lint::state_zh(&state)) }
            }
            (actions)
            section.findings {
                h2 { "自动检查" }
                @if findings.is_empty() { p { "没有发现问题。" } }
                ul { @for f in findings { (finding(f)) } }
            }
            section.previews {
                h2 { "在各种物品上的样子" }
                div.grid {
                    @for item in lib.items.iter().chain(&lib.styled) {
                        @if item.suits(s) {
                            @let style = item.variants.get(item.style).map_or("", |v| v.name.as_str());
                            @let two = item.sides > 1;
                            figure {
                                img src={ "/preview/" (item.id) "/" (s.id) ".svg" } alt={ (item.name) " " (style) "上的效果" } loading="lazy";
                                figcaption { (item.name) " · " (style) @if two { " · 正面" } }
                            }
                            @if two {
                                figure {
                                    img src={ "/preview/" (item.id) "/" (s.id) "--back.svg" } alt={ (item.name) " " (style) "背面的效果" } loading="lazy";
                                    figcaption { (item.name) " · " (style) " · 背面" }
                                }
                            }
                        }
                    }
                }
            }
            section.history {
                h2 { "审核记录" }
                ul {
                    @for r in log.history(&s.id) {
                        li { (r.time) "　" (r.reviewer) "　" (r.decision.label_zh())
                            @if let Some(n) = &r.note { "：" (n) } }
                    }
                }
            }
        },
    )
}

/// The audit list for admins, newest first.
pub fn audit(session: &Session, entries: &[(i64, Option<String>, String, String)]) -> Markup {
    page(
        "操作记录",
        Some(session),
        html! {
            h1 { "操作记录" }
            p.count { "最近 " (entries.len()) " 条（登录、失败的登录、新账号、被拒绝的访问）" }
            table.audit {
                thead { tr { th { "时间（北京时间）" } th { "账号" } th { "操作" } th { "说明" } } }
                tbody {
                    @for (time, user, action, detail) in entries {
                        tr {
                            td { (crate::timefmt::beijing(*time)) }
                            td { (user.as_deref().unwrap_or("—")) }
                            td { (action) }
                            td { (detail) }
                        }
                    }
                }
            }
        },
    )
}

/// One lint finding, in Chinese as lint writes it.
pub fn finding(f: &Finding) -> Markup {
    html! {
        li class=(f.level.label()) data-rule=(f.rule) {
            strong { (f.level.label_zh()) } "　" (f.message)
            @if let Some(sug) = &f.suggestion { br; span.suggestion { "建议：" (sug) } }
        }
    }
}

/// A problem from the library, for a page: the common ones in Chinese,
/// the rest as the library says them (English, with its hint).
pub fn diagnostic_zh(d: &Diagnostic) -> String {
    let m = d.message.as_str();
    let known = [
        ("is too long to print", "太长了，印不下：一句最多 24 个字，小字提示最多 60 个字。"),
        ("has a line without words", "有一句没有字。"),
        (
            "was changed by someone else since you opened it",
            "你打开以后，别人改过这条标语。请重新打开，在新的措辞上修改。",
        ),
        ("is taken", "这个编号已经有了，换一个。"),
        ("unknown topic", "没有这个主题。"),
        ("contains the control character", "有不能打印的控制字符。"),
        ("is not filename-safe", "编号只能用小写字母、数字和 -。"),
        ("has 0 lines", "至少写一句。"),
        ("is meant for no item", "至少选一种物品。"),
        ("are too long", "对象、备注、依据或核实写得太长了。"),
        ("has changed since the reviewer saw it", "你看到以后，这条标语的措辞改过了。请重新打开再审。"),
        ("lint error", "自动检查有错误，先改好；确实要通过，请写明理由。"),
    ];
    for (k, zh) in known {
        if m.contains(k) {
            return zh.to_string();
        }
    }
    match &d.hint {
        Some(h) => format!("{m}（{h}）"),
        None => m.to_string(),
    }
}
