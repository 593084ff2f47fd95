//! Accounts, sessions and the audit trail, in SQLite (WAL). Session and API
//! tokens are stored as SHA-256 hashes: a copy of the database does not sign
//! anyone in (a session's CSRF token is kept as it is; it is useless without
//! the session's cookie).

use std::path::Path;

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};

use crate::diag::Diagnostic;

/// What an account may do. Every request checks it on the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Officer,
    Reviewer,
    Admin,
}

impl Role {
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "officer" => Some(Role::Officer),
            "reviewer" => Some(Role::Reviewer),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Officer => "officer",
            Role::Reviewer => "reviewer",
            Role::Admin => "admin",
        }
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            Role::Officer => "宣传民警",
            Role::Reviewer => "审核人",
            Role::Admin => "管理员",
        }
    }
}

/// A signed-in account.
#[derive(Debug, Clone)]
pub struct User {
    pub id: i64,
    pub name: String,
    pub role: Role,
    pub station: Option<String>,
}

/// A live session: its account and the CSRF token its forms carry.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: User,
    pub csrf: String,
}

/// An order built in the studio.
#[derive(Debug, Clone)]
pub struct OrderRow {
    pub id: i64,
    pub user: String,
    pub station: Option<String>,
    pub title: String,
    pub created: i64,
    pub files: i64,
    pub zip_sha256: String,
}

/// Migrations, applied in order; `PRAGMA user_version` says how many ran.
const MIGRATIONS: &[&str] = &[
    "
    CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        role TEXT NOT NULL CHECK (role IN ('officer', 'reviewer', 'admin')),
        station TEXT,
        password TEXT NOT NULL,
        disabled INTEGER NOT NULL DEFAULT 0,
        created INTEGER NOT NULL
    );
    CREATE TABLE sessions (
        token TEXT PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id),
        csrf TEXT NOT NULL,
        created INTEGER NOT NULL,
        expires INTEGER NOT NULL
    );
    CREATE TABLE audit (
        id INTEGER PRIMARY KEY,
        time INTEGER NOT NULL,
        user TEXT,
        action TEXT NOT NULL,
        detail TEXT NOT NULL
    );
",
    "
    CREATE TABLE authors (
        slogan TEXT NOT NULL,
        wording TEXT NOT NULL,
        user TEXT NOT NULL,
        time INTEGER NOT NULL
    );
    CREATE INDEX authors_slogan ON authors (slogan);
    CREATE TABLE orders (
        id INTEGER PRIMARY KEY,
        user TEXT NOT NULL,
        station TEXT,
        title TEXT NOT NULL,
        created INTEGER NOT NULL,
        files INTEGER NOT NULL,
        zip_sha256 TEXT NOT NULL
    );
    CREATE TABLE tokens (
        token TEXT PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id),
        created INTEGER NOT NULL
    );
",
];

/// Sessions last a working day.
pub const SESSION_SECONDS: i64 = 12 * 3600;

/// Days an API token works (a script gets a new one with `jiediqi user token`).
pub const TOKEN_DAYS: i64 = 180;

pub struct Db {
    conn: Connection,
}

fn db_error(path: &Path, e: rusqlite::Error) -> Diagnostic {
    Diagnostic::io(format!("studio database {}: {e}", path.display()))
        .hint("check the file's permissions, or name another with --db")
}

pub fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

fn hash_token(token: &str) -> String {
    Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// 32 random bytes as hex, from /dev/urandom.
pub fn random_token() -> Result<String, Diagnostic> {
    let bytes = crate::review::key::random_secret()
        .map_err(|e| Diagnostic::io(format!("no random numbers: {e}")).hint("this system needs /dev/urandom"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// The smallest password the studio accepts.
pub const MIN_PASSWORD: usize = 8;

impl Db {
    pub fn open(path: &Path) -> Result<Db, Diagnostic> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| {
                Diagnostic::io(format!("cannot create {}: {e}", dir.display())).hint("name another place with --db")
            })?;
        }
        let conn = Connection::open(path).map_err(|e| db_error(path, e))?;
        let setup = || -> rusqlite::Result<()> {
            conn.pragma_update(None, "journal_mode", "WAL")?;
            conn.pragma_update(None, "foreign_keys", "ON")?;
            conn.busy_timeout(std::time::Duration::from_secs(5))?;
            let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
            for (i, m) in MIGRATIONS.iter().enumerate().skip(version as usize) {
                conn.execute_batch(&format!("BEGIN; {m} PRAGMA user_version = {}; COMMIT;", i + 1))?;
            }
            Ok(())
        };
        setup().map_err(|e| db_error(path, e))?;
        Ok(Db { conn })
    }

    /// An in-memory database for tests.
    pub fn memory() -> Db {
        let conn = Connection::open_in_memory().expect("in-memory SQLite");
        for m in MIGRATIONS {
            conn.execute_batch(m).expect("migration");
        }
        Db { conn }
    }

    pub fn add_user(&self, name: &str, role: Role, station: Option<&str>, password: &str) -> Result<(), Diagnostic> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 20 || name.chars().any(char::is_control) {
            return Err(Diagnostic::data(format!("user name `{}` is not usable", name.escape_debug()))
                .hint("1 to 20 characters, no control characters"));
        }
        let hash = hash_password(name, password)?;
        self.conn
            .execute(
                "INSERT INTO users (name, role, station, password, created) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![name, role.as_str(), station, hash, now()],
            )
            .map_err(|e| match e {
                rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::ConstraintViolation => {
                    Diagnostic::data(format!("user `{name}` exists already")).hint("choose another name")
                }
                e => Diagnostic::io(format!("cannot add user `{name}`: {e}")),
            })?;
        self.audit(None, "user-add", &format!("{name} ({})", role.as_str()));
        Ok(())
    }

    /// Disable or enable an account; a disabled account's sessions end.
    pub fn set_disabled(&self, name: &str, disabled: bool) -> Result<(), Diagnostic> {
        self.update_user(name, "UPDATE users SET disabled = ?1 WHERE name = ?2", params![disabled, name])?;
        if disabled {
            self.end_sessions_of(name);
        }
        self.audit(None, if disabled { "user-disable" } else { "user-enable" }, name);
        Ok(())
    }

    /// A new password; the account's sessions end.
    pub fn set_password(&self, name: &str, password: &str) -> Result<(), Diagnostic> {
        let hash = hash_password(name, password)?;
        self.update_user(name, "UPDATE users SET password = ?1 WHERE name = ?2", params![hash, name])?;
        self.end_sessions_of(name);
        self.audit(None, "user-password", name);
        Ok(())
    }

    /// Run an update of one named account; an unknown name is an error.
    fn update_user(&self, name: &str, sql: &str, params: impl rusqlite::Params) -> Result<(), Diagnostic> {
        let n =
            self.conn.execute(sql, params).map_err(|e| Diagnostic::io(format!("cannot change user `{name}`: {e}")))?;
        if n == 0 {
            return Err(Diagnostic::data(format!("no user `{name}`")).hint("jiediqi user list shows the accounts"));
        }
        Ok(())
    }

    /// The account's sessions end and its API tokens stop working: a reset
    /// password or a changed role leaves no old way in.
    fn end_sessions_of(&self, name: &str) {
        for table in ["sessions", "tokens"] {
            let _ = self.conn.execute(
                &format!("DELETE FROM {table} WHERE user_id = (SELECT id FROM users WHERE name = ?1)"),
                params![name],
            );
        }
    }

    /// Another role (and station) for an account; its sessions and tokens end.
    pub fn set_role(&self, name: &str, role: Role, station: Option<&str>) -> Result<(), Diagnostic> {
        self.update_user(
            name,
            "UPDATE users SET role = ?1, station = ?2 WHERE name = ?3",
            params![role.as_str(), station, name],
        )?;
        self.end_sessions_of(name);
        self.audit(None, "user-role", &format!("{name} ({})", role.as_str()));
        Ok(())
    }

    /// Every account: (name, role, station, disabled).
    pub fn users(&self) -> Vec<(String, String, Option<String>, bool)> {
        let Ok(mut st) = self.conn.prepare("SELECT name, role, station, disabled FROM users ORDER BY name") else {
            return Vec::new();
        };
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .map(|rows| rows.filter_map(Result::ok).collect())
            .unwrap_or_default()
    }

    /// The account if the name and password match and it is enabled.
    pub fn check_password(&self, name: &str, password: &str) -> Option<User> {
        verify_sign_in(self.sign_in_row(name), password)
    }

    /// What sign-in needs of an account, read under the database lock; the
    /// slow hash check ([`verify_sign_in`]) then runs without it.
    pub fn sign_in_row(&self, name: &str) -> Option<(User, String, bool)> {
        let row: Option<(i64, String, String, Option<String>, bool)> = self
            .conn
            .query_row("SELECT id, role, password, station, disabled FROM users WHERE name = ?1", params![name], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .optional()
            .ok()
            .flatten();
        let (id, role, hash, station, disabled) = row?;
        Some((User { id, name: name.to_string(), role: Role::parse(&role)?, station }, hash, disabled))
    }

    /// A new session for `user`: the cookie token and the CSRF token.
    pub fn create_session(&self, user: &User) -> Result<(String, String), Diagnostic> {
        let (token, csrf) = (random_token()?, random_token()?);
        let t = now();
        self.conn
            .execute(
                "INSERT INTO sessions (token, user_id, csrf, created, expires) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![hash_token(&token), user.id, csrf, t, t + SESSION_SECONDS],
            )
            .map_err(|e| Diagnostic::io(format!("cannot store the session: {e}")))?;
        // Expired sessions go when new ones come.
        let _ = self.conn.execute("DELETE FROM sessions WHERE expires < ?1", params![t]);
        Ok((token, csrf))
    }

    /// The session of a cookie token, if it is live and its account enabled.
    pub fn session(&self, token: &str) -> Option<Session> {
        if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        self.conn
            .query_row(
                "SELECT u.id, u.name, u.role, u.station, s.csrf FROM sessions s JOIN users u ON u.id = s.user_id
                 WHERE s.token = ?1 AND s.expires > ?2 AND u.disabled = 0",
                params![hash_token(token), now()],
                |r| {
                    let role: String = r.get(2)?;
                    Ok((r.get(0)?, r.get(1)?, role, r.get(3)?, r.get(4)?))
                },
            )
            .optional()
            .ok()
            .flatten()
            .and_then(|(id, name, role, station, csrf): (i64, String, String, Option<String>, String)| {
                Some(Session { user: User { id, name, role: Role::parse(&role)?, station }, csrf })
            })
    }

    pub fn end_session(&self, token: &str) {
        let _ = self.conn.execute("DELETE FROM sessions WHERE token = ?1", params![hash_token(token)]);
    }

    /// Record who did what; the audit never holds a password.
    pub fn audit(&self, user: Option<&str>, action: &str, detail: &str) {
        // Bounded and printable: a request can put anything in a name or a URL.
        let clip =
            |t: &str, n: usize| -> String { t.chars().map(|c| if c.is_control() { '?' } else { c }).take(n).collect() };
        let _ = self.conn.execute(
            "INSERT INTO audit (time, user, action, detail) VALUES (?1, ?2, ?3, ?4)",
            params![now(), user.map(|u| clip(u, 40)), clip(action, 40), clip(detail, 300)],
        );
    }

    /// The newest audit entries: (time, user, action, detail).
    pub fn audit_list(&self, limit: usize) -> Vec<(i64, Option<String>, String, String)> {
        let Ok(mut st) = self.conn.prepare("SELECT time, user, action, detail FROM audit ORDER BY id DESC LIMIT ?1")
        else {
            return Vec::new();
        };
        st.query_map(params![limit as i64], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .map(|rows| rows.filter_map(Result::ok).collect())
            .unwrap_or_default()
    }

    /// `user` wrote this wording of a slogan (the four-eyes rule reads it).
    pub fn add_author(&self, slogan: &str, wording: &str, user: &str) -> Result<(), Diagnostic> {
        self.conn
            .execute(
                "INSERT INTO authors (slogan, wording, user, time) VALUES (?1, ?2, ?3, ?4)",
                params![slogan, wording, user, now()],
            )
            .map(|_| ())
            .map_err(|e| Diagnostic::io(format!("cannot record the author: {e}")))
    }

    /// Who wrote this wording of a slogan in the studio.
    pub fn authors_of(&self, slogan: &str, wording: &str) -> Vec<String> {
        let Ok(mut st) =
            self.conn.prepare("SELECT DISTINCT user FROM authors WHERE slogan = ?1 AND wording = ?2 ORDER BY user")
        else {
            return Vec::new();
        };
        st.query_map(params![slogan, wording], |r| r.get(0))
            .map(|rows| rows.filter_map(Result::ok).collect())
            .unwrap_or_default()
    }

    /// The slogans a user wrote or edited, newest first.
    pub fn written_by(&self, user: &str) -> Vec<String> {
        let Ok(mut st) = self
            .conn
            .prepare("SELECT slogan FROM authors WHERE user = ?1 GROUP BY slogan ORDER BY MAX(rowid) DESC LIMIT 200")
        else {
            return Vec::new();
        };
        st.query_map(params![user], |r| r.get(0)).map(|rows| rows.filter_map(Result::ok).collect()).unwrap_or_default()
    }

    /// Reserve the next order number for `user` (two officers ordering at
    /// once get different numbers, so never each other's files).
    pub fn reserve_order(&self, user: &str, station: Option<&str>, title: &str) -> Result<i64, Diagnostic> {
        self.conn
            .execute(
                "INSERT INTO orders (user, station, title, created, files, zip_sha256) VALUES (?1, ?2, ?3, ?4, 0, '')",
                params![user, station, title, now()],
            )
            .map_err(|e| Diagnostic::io(format!("cannot record the order: {e}")))?;
        Ok(self.conn.last_insert_rowid())
    }

    /// The order's package is built: its size and checksum.
    pub fn finish_order(&self, id: i64, files: i64, zip_sha256: &str) -> Result<(), Diagnostic> {
        self.conn
            .execute("UPDATE orders SET files = ?1, zip_sha256 = ?2 WHERE id = ?3", params![files, zip_sha256, id])
            .map(|_| ())
            .map_err(|e| Diagnostic::io(format!("cannot record the order: {e}")))
    }

    /// An order that was not built.
    pub fn drop_order(&self, id: i64) {
        let _ = self.conn.execute("DELETE FROM orders WHERE id = ?1 AND zip_sha256 = ''", params![id]);
    }

    /// Orders, newest first: all of them, or one user's.
    pub fn orders(&self, user: Option<&str>) -> Vec<OrderRow> {
        let sql = "SELECT id, user, station, title, created, files, zip_sha256 FROM orders
                   WHERE (?1 IS NULL OR user = ?1) AND zip_sha256 != '' ORDER BY id DESC LIMIT 500";
        let Ok(mut st) = self.conn.prepare(sql) else { return Vec::new() };
        st.query_map(params![user], |r| {
            Ok(OrderRow {
                id: r.get(0)?,
                user: r.get(1)?,
                station: r.get(2)?,
                title: r.get(3)?,
                created: r.get(4)?,
                files: r.get(5)?,
                zip_sha256: r.get(6)?,
            })
        })
        .map(|rows| rows.filter_map(Result::ok).collect())
        .unwrap_or_default()
    }

    /// A new API token for an account (shown once; stored hashed); it works
    /// for [`TOKEN_DAYS`] days, until the account's password or role changes.
    pub fn create_token(&self, name: &str) -> Result<String, Diagnostic> {
        let token = random_token()?;
        let n = self
            .conn
            .execute(
                "INSERT INTO tokens (token, user_id, created) SELECT ?1, id, ?2 FROM users WHERE name = ?3",
                params![hash_token(&token), now(), name],
            )
            .map_err(|e| Diagnostic::io(format!("cannot store the token: {e}")))?;
        if n == 0 {
            return Err(Diagnostic::data(format!("no user `{name}`")).hint("jiediqi user list shows the accounts"));
        }
        self.audit(None, "token-add", name);
        Ok(token)
    }

    /// The account of an API token, if the account is enabled. A token
    /// carries no CSRF risk (browsers never send it by themselves), so its
    /// session's CSRF token is the token itself.
    pub fn token_user(&self, token: &str) -> Option<Session> {
        if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        self.conn
            .query_row(
                "SELECT u.id, u.name, u.role, u.station FROM tokens t JOIN users u ON u.id = t.user_id
                 WHERE t.token = ?1 AND u.disabled = 0 AND t.created > ?2",
                params![hash_token(token), now() - TOKEN_DAYS * 86_400],
                |r| Ok((r.get(0)?, r.get(1)?, r.get::<_, String>(2)?, r.get(3)?)),
            )
            .optional()
            .ok()
            .flatten()
            .and_then(|(id, name, role, station): (i64, String, String, Option<String>)| {
                Some(Session { user: User { id, name, role: Role::parse(&role)?, station }, csrf: token.to_string() })
            })
    }

    /// Every stored password field (for tests that no password is in clear).
    pub fn password_fields(&self) -> Vec<String> {
        let Ok(mut st) = self.conn.prepare("SELECT password FROM users") else { return Vec::new() };
        st.query_map([], |r| r.get(0)).map(|rows| rows.filter_map(Result::ok).collect()).unwrap_or_default()
    }
}

/// The account of a sign-in row if the password matches and the account is
/// enabled. Unknown names cost a hash too, so timing does not tell them apart.
pub fn verify_sign_in(row: Option<(User, String, bool)>, password: &str) -> Option<User> {
    let Some((user, hash, disabled)) = row else {
        let _ = self::hash(password);
        return None;
    };
    let ok = Argon2::default().verify_password(password.as_bytes(), hash.as_str()).is_ok();
    (ok && !disabled).then_some(user)
}

/// A password long enough for `name`, hashed.
fn hash_password(name: &str, password: &str) -> Result<String, Diagnostic> {
    if password.chars().count() < MIN_PASSWORD {
        return Err(Diagnostic::data(format!("the password for `{name}` is too short"))
            .hint(format!("use at least {MIN_PASSWORD} characters")));
    }
    hash(password)
}

fn hash(password: &str) -> Result<String, Diagnostic> {
    let salt = crate::review::key::random_secret()
        .map_err(|e| Diagnostic::io(format!("no random numbers: {e}")).hint("this system needs /dev/urandom"))?;
    Argon2::default()
        .hash_password_with_salt(password.as_bytes(), &salt[..16])
        .map(|h| h.to_string())
        .map_err(|e| Diagnostic::data(format!("cannot hash the password: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_hashed_and_checked() {
        let db = Db::memory();
        db.add_user("王芳", Role::Officer, Some("chengguan"), "correct horse").unwrap();
        assert!(db.add_user("王芳", Role::Officer, None, "another one").is_err());
        assert!(db.add_user("短", Role::Officer, None, "short").is_err());
        let stored = db.password_fields();
        assert_eq!(stored.len(), 1);
        assert!(stored[0].starts_with("$argon2id$") && !stored[0].contains("correct horse"));
        assert!(db.check_password("王芳", "correct horse").is_some());
        assert!(db.check_password("王芳", "wrong horse").is_none());
        assert!(db.check_password("李四", "correct horse").is_none());
    }

    #[test]
    fn disabling_or_a_new_password_ends_sessions() {
        let db = Db::memory();
        db.add_user("王芳", Role::Officer, None, "officer pass 1").unwrap();
        let user = db.check_password("王芳", "officer pass 1").unwrap();
        let (token, _) = db.create_session(&user).unwrap();
        db.set_disabled("王芳", true).unwrap();
        assert!(db.session(&token).is_none(), "a disabled account's session lives");
        assert!(db.check_password("王芳", "officer pass 1").is_none(), "a disabled account signs in");
        db.set_disabled("王芳", false).unwrap();
        let (token, _) = db.create_session(&db.check_password("王芳", "officer pass 1").unwrap()).unwrap();
        db.set_password("王芳", "a new pass 2").unwrap();
        assert!(db.session(&token).is_none(), "a session outlives the password change");
        assert!(db.check_password("王芳", "officer pass 1").is_none());
        assert!(db.check_password("王芳", "a new pass 2").is_some());
        assert!(db.set_password("nobody", "long enough").is_err());
        assert_eq!(db.users(), vec![("王芳".to_string(), "officer".to_string(), None, false)]);
    }

    #[test]
    fn sessions_are_stored_hashed_and_expire() {
        let db = Db::memory();
        db.add_user("李建国", Role::Reviewer, None, "reviewer pass").unwrap();
        let user = db.check_password("李建国", "reviewer pass").unwrap();
        let (token, csrf) = db.create_session(&user).unwrap();
        let s = db.session(&token).unwrap();
        assert_eq!((s.user.name.as_str(), s.user.role, s.csrf.as_str()), ("李建国", Role::Reviewer, csrf.as_str()));
        let stored: String = db.conn.query_row("SELECT token FROM sessions", [], |r| r.get(0)).unwrap();
        assert_ne!(stored, token);
        assert!(db.session(&stored).is_none(), "the stored hash is not a token");
        db.conn.execute("UPDATE sessions SET expires = 0", []).unwrap();
        assert!(db.session(&token).is_none(), "expired");
    }
}
