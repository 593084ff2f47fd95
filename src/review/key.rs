//! The review key: a secret outside the project folder that authenticates
//! every record of the review log (HMAC-SHA256), so a record typed into
//! `reviews/log.yaml` by hand, however well its wording hash is computed, is
//! not an approval.
//!
//! A key file (mode 0600) holds one current key and any number of retired
//! ones, one per line, as hex: `current <64 hex>` then `retired <64 hex>`.
//! New records are signed with the current key and name it by its id (the
//! first 16 hex digits of SHA-256 over a label and the key); records signed
//! with a retired key still verify, so rotating loses no history.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::diag::Diagnostic;
use crate::fsio;

/// Where the key file is looked for when neither `--key` nor
/// `JIEDIQI_KEY_FILE` names one: `$XDG_CONFIG_HOME/jiediqi/review.key`, else
/// `$HOME/.config/jiediqi/review.key`.
pub fn default_path() -> Option<PathBuf> {
    let config = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").filter(|v| !v.is_empty()).map(|h| PathBuf::from(h).join(".config")))?;
    Some(config.join("jiediqi").join("review.key"))
}

/// The key file to use: `explicit` (`--key`), else `JIEDIQI_KEY_FILE`, else
/// [`default_path`].
pub fn resolve_path(explicit: Option<&Path>) -> Option<PathBuf> {
    explicit
        .map(Path::to_path_buf)
        .or_else(|| std::env::var_os("JIEDIQI_KEY_FILE").filter(|v| !v.is_empty()).map(PathBuf::from))
        .or_else(default_path)
}

/// One secret.
#[derive(Clone)]
pub struct Key {
    pub id: String,
    secret: [u8; 32],
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the secret.
        write!(f, "Key({})", self.id)
    }
}

impl Key {
    fn new(secret: [u8; 32]) -> Key {
        let mut h = Sha256::new();
        h.update(b"jiediqi review key id\n");
        h.update(secret);
        let id = crate::review::hex(&h.finalize()[..8]);
        Key { id, secret }
    }

    /// HMAC-SHA256 (RFC 2104) of `message` under this key, lowercase hex.
    pub fn mac(&self, message: &[u8]) -> String {
        let mut block = [0u8; 64];
        block[..32].copy_from_slice(&self.secret);
        let pad = |byte: u8| block.map(|b| b ^ byte);
        let inner = Sha256::new().chain_update(pad(0x36)).chain_update(message).finalize();
        let outer = Sha256::new().chain_update(pad(0x5c)).chain_update(inner).finalize();
        crate::review::hex(&outer)
    }
}

/// Equal strings, compared without an early exit (no timing hint for a forger).
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The keys of one key file.
#[derive(Debug, Clone)]
pub struct Keyring {
    pub path: PathBuf,
    pub current: Key,
    pub retired: Vec<Key>,
}

fn key_problem(path: &Path, what: impl std::fmt::Display, hint: &str) -> Diagnostic {
    Diagnostic::io(format!("review key {}: {what}", path.display())).hint(hint.to_string())
}

impl Keyring {
    /// Read a key file. It must be private to its owner and lie outside the
    /// project folder `root` (a key beside the log protects nothing).
    pub fn load(path: &Path, root: &Path) -> Result<Keyring, Diagnostic> {
        let meta = std::fs::metadata(path).map_err(|e| {
            key_problem(
                path,
                format_args!("cannot be read: {e}"),
                "a reviewer creates one with `jiediqi key init` (see README: review key)",
            )
        })?;
        {
            use std::os::unix::fs::PermissionsExt as _;
            if meta.permissions().mode() & 0o077 != 0 {
                return Err(key_problem(
                    path,
                    "is readable by other users",
                    &format!("run `chmod 600 {}`", path.display()),
                ));
            }
        }
        if inside(path, root) {
            return Err(key_problem(
                path,
                "lies inside the project folder, where anyone who can edit the log can read it",
                "move it to ~/.config/jiediqi/review.key (or name it with --key / JIEDIQI_KEY_FILE)",
            ));
        }
        let text = std::fs::read_to_string(path)
            .map_err(|e| key_problem(path, format_args!("cannot be read: {e}"), "check its permissions"))?;
        let mut current = None;
        let mut retired = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let bad = || {
                key_problem(
                    path,
                    format_args!("line {} is not `current HEX` or `retired HEX`", n + 1),
                    "restore the key file from its backup; never edit it by hand",
                )
            };
            let (kind, hex) = line.split_once(' ').ok_or_else(bad)?;
            let key = Key::new(parse_secret(hex.trim()).ok_or_else(bad)?);
            match kind {
                "current" if current.is_none() => current = Some(key),
                "retired" => retired.push(key),
                _ => return Err(bad()),
            }
        }
        let current = current.ok_or_else(|| {
            key_problem(path, "has no current key", "restore the key file from its backup, or run `jiediqi key init`")
        })?;
        Ok(Keyring { path: path.to_path_buf(), current, retired })
    }

    /// The key with this id, current or retired.
    pub fn find(&self, id: &str) -> Option<&Key> {
        std::iter::once(&self.current).chain(&self.retired).find(|k| k.id == id)
    }

    /// Make a new key file with a fresh random key; refuses to overwrite one.
    pub fn create(path: &Path, root: &Path) -> Result<Keyring, Diagnostic> {
        if std::fs::symlink_metadata(path).is_ok() {
            return Err(key_problem(
                path,
                "already exists",
                "keep using it; `jiediqi key rotate` makes a new current key and keeps the old one for verifying",
            ));
        }
        if inside(path, root) {
            return Err(key_problem(path, "would lie inside the project folder", "put the key outside the project"));
        }
        let key = Key::new(random_secret().map_err(|e| key_problem(path, e, "this system has no /dev/urandom"))?);
        write_keyfile(path, &key, &[])?;
        Ok(Keyring { path: path.to_path_buf(), current: key, retired: Vec::new() })
    }

    /// A new current key; the old one is kept as retired, so every record
    /// signed before still verifies.
    pub fn rotate(&mut self) -> Result<(), Diagnostic> {
        let fresh = Key::new(random_secret().map_err(|e| key_problem(&self.path, e, "no /dev/urandom"))?);
        let old = std::mem::replace(&mut self.current, fresh);
        self.retired.insert(0, old);
        write_keyfile(&self.path, &self.current, &self.retired)
    }

    /// The folder that keeps this machine's record of each log's head (see
    /// [`crate::review::log`]): beside the key, outside the project.
    pub fn heads_dir(&self) -> PathBuf {
        self.path.parent().unwrap_or(Path::new(".")).join("heads")
    }
}

fn parse_secret(hex: &str) -> Option<[u8; 32]> {
    if hex.len() != 64 || !hex.is_ascii() {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

/// 32 random bytes from the kernel.
pub(crate) fn random_secret() -> Result<[u8; 32], std::io::Error> {
    use std::io::Read as _;
    let mut out = [0u8; 32];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut out)?;
    Ok(out)
}

fn write_keyfile(path: &Path, current: &Key, retired: &[Key]) -> Result<(), Diagnostic> {
    use std::os::unix::fs::{DirBuilderExt as _, OpenOptionsExt as _};
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|e| key_problem(path, format_args!("cannot create its folder: {e}"), "check the path"))?;
    }
    let mut text = String::from(
        "# jiediqi review key: signs review decisions. Keep it secret, back it up,\n\
         # never put it in the project folder. `current` signs; `retired` only verifies.\n",
    );
    text.push_str(&format!("current {}\n", crate::review::hex(&current.secret)));
    for k in retired {
        text.push_str(&format!("retired {}\n", crate::review::hex(&k.secret)));
    }
    // Private before the secret is in it: the temporary is made 0600 and renamed.
    let tmp = fsio::temp_path(path);
    let result = (|| {
        use std::io::Write as _;
        let mut f = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    result.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        key_problem(path, format_args!("cannot be written: {e}"), "check that its folder is writable")
    })
}

/// Whether `path` is `root` or inside it (both made absolute where they exist).
pub fn inside(path: &Path, root: &Path) -> bool {
    let abs = |p: &Path| {
        // The nearest existing ancestor, canonicalised, plus the rest.
        let mut base = p.to_path_buf();
        let mut rest = Vec::new();
        loop {
            if let Ok(c) = base.canonicalize() {
                let mut out = c;
                for r in rest.iter().rev() {
                    out.push(r);
                }
                return out;
            }
            match (base.file_name().map(|n| n.to_os_string()), base.parent()) {
                (Some(n), Some(parent)) => {
                    rest.push(n);
                    base = if parent.as_os_str().is_empty() { PathBuf::from(".") } else { parent.to_path_buf() };
                }
                _ => return p.to_path_buf(),
            }
        }
    };
    abs(path).starts_with(abs(root))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231_case_2_shape() {
        // RFC 4231 test case 2 uses a 4-byte key; ours are 32 bytes, padded
        // the same way, so check against a key of "Jefe" padded with zeros.
        let mut secret = [0u8; 32];
        secret[..4].copy_from_slice(b"Jefe");
        let k = Key::new(secret);
        assert_eq!(
            k.mac(b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn a_key_inside_the_project_or_readable_by_others_is_refused() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = std::env::temp_dir().join(format!("jiediqi-key-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("project")).unwrap();
        let outside = dir.join("cfg/review.key");
        let ring = Keyring::create(&outside, &dir.join("project")).unwrap();
        assert!(Keyring::create(&outside, &dir.join("project")).is_err(), "never overwrites a key");
        let again = Keyring::load(&outside, &dir.join("project")).unwrap();
        assert_eq!(again.current.id, ring.current.id);
        let e = Keyring::create(&dir.join("project/k"), &dir.join("project")).unwrap_err();
        assert!(e.to_string().contains("inside the project"), "{e}");
        std::fs::set_permissions(&outside, std::fs::Permissions::from_mode(0o644)).unwrap();
        let e = Keyring::load(&outside, &dir.join("project")).unwrap_err();
        assert!(e.to_string().contains("readable by other users"), "{e}");
        std::fs::set_permissions(&outside, std::fs::Permissions::from_mode(0o600)).unwrap();
        let mut r = Keyring::load(&outside, &dir.join("project")).unwrap();
        let old = r.current.id.clone();
        r.rotate().unwrap();
        let r = Keyring::load(&outside, &dir.join("project")).unwrap();
        assert_ne!(r.current.id, old);
        assert!(r.find(&old).is_some(), "a retired key still verifies");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
