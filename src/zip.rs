//! A small, deterministic zip writer (deflate via miniz_oxide, CRC-32 via
//! crc32fast): fixed timestamps, UTF-8 names, entries in the given order.

/// Something to put in a zip.
pub trait ZipEntry {
    fn name(&self) -> &str;
    fn data(&self) -> &[u8];
}

/// DOS date and time of a Unix time (1980-01-01 when absent or earlier).
fn dos_time(epoch: Option<i64>) -> (u16, u16) {
    let e = epoch.unwrap_or(315_532_800).max(315_532_800);
    let (y, mo, d, h, mi, s) = crate::timefmt::civil(e);
    let date = (((y - 1980).clamp(0, 127) as u16) << 9) | (u16::from(mo) << 5) | u16::from(d);
    let time = (u16::from(h) << 11) | (u16::from(mi) << 5) | (u16::from(s) / 2);
    (time, date)
}

/// The zip of `entries`, each under `folder/`. Without zip64, a zip holds at
/// most 65 535 entries and 4 GiB: larger packages are an error, not a
/// silently broken archive.
pub fn write<E: ZipEntry>(folder: &str, entries: &[E], epoch: Option<i64>) -> Result<Vec<u8>, String> {
    let total: u64 = entries.iter().map(|e| e.data().len() as u64).sum();
    if entries.len() > 65_535 || total >= 4_000_000_000 {
        return Err(format!(
            "the package is too large for a zip ({} files, {:.1} GB; the limit is 65 535 files and 4 GB)",
            entries.len(),
            total as f64 / 1e9
        ));
    }
    let (time, date) = dos_time(epoch);
    let mut out = Vec::new();
    let mut central = Vec::new();
    for e in entries {
        let name = format!("{folder}/{}", e.name());
        let data = e.data();
        let crc = crc32fast::hash(data);
        let packed = miniz_oxide::deflate::compress_to_vec(data, 6);
        let (method, body): (u16, &[u8]) = if packed.len() < data.len() { (8, &packed) } else { (0, data) };
        let offset = out.len() as u32;
        let header = |sig: u32, central: bool| {
            let mut h = Vec::new();
            h.extend(sig.to_le_bytes());
            if central {
                h.extend(20u16.to_le_bytes()); // made by
            }
            h.extend(20u16.to_le_bytes()); // needed to extract
            h.extend((1u16 << 11).to_le_bytes()); // UTF-8 names
            h.extend(method.to_le_bytes());
            h.extend(time.to_le_bytes());
            h.extend(date.to_le_bytes());
            h.extend(crc.to_le_bytes());
            h.extend((body.len() as u32).to_le_bytes());
            h.extend((data.len() as u32).to_le_bytes());
            h.extend((name.len() as u16).to_le_bytes());
            h.extend(0u16.to_le_bytes()); // extra
            if central {
                h.extend(0u16.to_le_bytes()); // comment
                h.extend(0u16.to_le_bytes()); // disk
                h.extend(0u16.to_le_bytes()); // internal attributes
                h.extend(0u32.to_le_bytes()); // external attributes
                h.extend(offset.to_le_bytes());
            }
            h.extend(name.as_bytes());
            h
        };
        out.extend(header(0x0403_4b50, false));
        out.extend(body);
        central.extend(header(0x0201_4b50, true));
    }
    let cd_offset = out.len() as u32;
    let cd_len = central.len() as u32;
    out.extend(central);
    out.extend(0x0605_4b50u32.to_le_bytes());
    out.extend([0u8; 4]); // disk numbers
    out.extend((entries.len() as u16).to_le_bytes());
    out.extend((entries.len() as u16).to_le_bytes());
    out.extend(cd_len.to_le_bytes());
    out.extend(cd_offset.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    if out.len() as u64 >= u64::from(u32::MAX) {
        return Err("the package is too large for a zip (over 4 GB)".into());
    }
    Ok(out)
}
