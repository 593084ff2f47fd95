//! Dates without a clock dependency: civil dates from Unix seconds (UTC).

/// (year, month, day, hour, minute, second) of a Unix time, UTC.
pub fn civil(epoch: i64) -> (i64, u8, u8, u8, u8, u8) {
    let days = epoch.div_euclid(86_400);
    let secs = epoch.rem_euclid(86_400);
    // Howard Hinnant's days-to-civil algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    (y, m as u8, d as u8, (secs / 3600) as u8, (secs % 3600 / 60) as u8, (secs % 60) as u8)
}

/// `2026-11-29T04:00:00Z`
pub fn rfc3339(epoch: i64) -> String {
    let (y, mo, d, h, mi, s) = civil(epoch);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}

/// `2026-11-29 12:00:00` in China Standard Time (UTC+8, no daylight saving):
/// the time an officer's pages show; files and the API keep UTC.
pub fn beijing(epoch: i64) -> String {
    let (y, mo, d, h, mi, s) = civil(epoch + 8 * 3600);
    format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn known_dates() {
        assert_eq!(super::rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(super::rfc3339(1_795_910_400), "2026-11-29T00:00:00Z");
        assert_eq!(super::rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        // 16:00 UTC is past midnight in Beijing.
        assert_eq!(super::beijing(1_795_968_000), "2026-11-30 00:00:00");
    }
}
