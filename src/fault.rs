//! Test-only crash points. With `JIEDIQI_TEST_CRASH_AT=STEP:N` in the
//! environment, the N-th time the process reaches the point named STEP it
//! aborts on the spot, as `kill -9` would stop it: no destructor, no cleanup.
//! The crash-safety tests use this to stop a run after every write step and
//! look at the disk. Without the variable a point costs one load.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

static TARGET: OnceLock<Option<(String, u64)>> = OnceLock::new();
static HITS: AtomicU64 = AtomicU64::new(0);

/// A place where a crash must leave the disk in a state we can recover from.
pub fn point(step: &str) {
    let target = TARGET.get_or_init(|| {
        let v = std::env::var("JIEDIQI_TEST_CRASH_AT").ok()?;
        let (s, n) = v.rsplit_once(':')?;
        Some((s.to_string(), n.parse().ok()?))
    });
    if let Some((s, n)) = target
        && s == step
        && HITS.fetch_add(1, Ordering::SeqCst) + 1 == *n
    {
        std::process::abort();
    }
}

static FAIL: OnceLock<Option<(String, u64)>> = OnceLock::new();
static FAIL_HITS: AtomicU64 = AtomicU64::new(0);

/// A place where an ordinary error (a full disk, say) must leave nothing
/// behind. With `JIEDIQI_TEST_FAIL_AT=STEP:N` the N-th time the process
/// reaches the point named STEP this returns true, and the caller fails as
/// it would on an I/O error, cleaning up on the way out.
pub fn fails(step: &str) -> bool {
    let target = FAIL.get_or_init(|| {
        let v = std::env::var("JIEDIQI_TEST_FAIL_AT").ok()?;
        let (s, n) = v.rsplit_once(':')?;
        Some((s.to_string(), n.parse().ok()?))
    });
    matches!(target, Some((s, n)) if s == step && FAIL_HITS.fetch_add(1, Ordering::SeqCst) + 1 == *n)
}
