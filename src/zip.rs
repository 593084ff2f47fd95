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

/// The zip of `entries`, each under `folder/`, in memory (see [`Writer`]).
pub fn write<E: ZipEntry>(folder: &str, entries: &[E], epoch: Option<i64>) -> Result<Vec<u8>, String> {
    let mut z = Writer::new(Vec::new(), folder, epoch);
    for e in entries {
        z.add(e.name(), e.data(), &pack(e.data())).map_err(|e| e.to_string())?;
    }
    z.finish().map_err(|e| e.to_string())
}

/// An entry's data as stored: CRC-32 and, when that is smaller, deflated.
/// Separate from [`Writer::add`] so that entries can be packed in parallel
/// and written in order.
pub struct Packed {
    crc: u32,
    /// Deflated bytes, or `None` when storing the data as it is is smaller.
    deflated: Option<Vec<u8>>,
}

pub fn pack(data: &[u8]) -> Packed {
    let crc = crc32fast::hash(data);
    let packed = miniz_oxide::deflate::compress_to_vec(data, 6);
    Packed { crc, deflated: (packed.len() < data.len()).then_some(packed) }
}

/// A zip written as it goes: each entry's header and body straight to `out`,
/// only the central directory (about 100 bytes an entry) kept until
/// [`Writer::finish`]. Without zip64 a zip holds at most 65 535 entries and
/// 4 GiB: a larger package is an error, not a silently broken archive.
pub struct Writer<W: std::io::Write> {
    out: W,
    folder: String,
    time: u16,
    date: u16,
    offset: u64,
    count: usize,
    central: Vec<u8>,
}

fn too_large(what: String) -> std::io::Error {
    std::io::Error::other(format!("the package is too large for a zip ({what}; the limit is 65 535 files and 4 GB)"))
}

impl<W: std::io::Write> Writer<W> {
    pub fn new(out: W, folder: &str, epoch: Option<i64>) -> Writer<W> {
        let (time, date) = dos_time(epoch);
        Writer { out, folder: folder.to_string(), time, date, offset: 0, count: 0, central: Vec::new() }
    }

    /// Add `data` as `name` (under the folder), packed from it by [`pack`].
    pub fn add(&mut self, name: &str, data: &[u8], packed: &Packed) -> std::io::Result<()> {
        let len = data.len() as u64;
        let (method, body): (u16, &[u8]) = match &packed.deflated {
            Some(d) => (8, d),
            None => (0, data),
        };
        self.count += 1;
        let end = self.offset + 30 + (self.folder.len() + 1 + name.len()) as u64 + body.len() as u64;
        if self.count > 65_535 || end >= 4_000_000_000 || len >= 4_000_000_000 {
            return Err(too_large(format!("{} files, over {:.1} GB", self.count, end as f64 / 1e9)));
        }
        let name = format!("{}/{name}", self.folder);
        let offset = self.offset as u32;
        let header = |sig: u32, central: bool| {
            let mut h = Vec::new();
            h.extend(sig.to_le_bytes());
            if central {
                h.extend(20u16.to_le_bytes()); // made by
            }
            h.extend(20u16.to_le_bytes()); // needed to extract
            h.extend((1u16 << 11).to_le_bytes()); // UTF-8 names
            h.extend(method.to_le_bytes());
            h.extend(self.time.to_le_bytes());
            h.extend(self.date.to_le_bytes());
            h.extend(packed.crc.to_le_bytes());
            h.extend((body.len() as u32).to_le_bytes());
            h.extend((len as u32).to_le_bytes());
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
        let local = header(0x0403_4b50, false);
        self.out.write_all(&local)?;
        self.out.write_all(body)?;
        self.offset += (local.len() + body.len()) as u64;
        let c = header(0x0201_4b50, true);
        self.central.extend(c);
        Ok(())
    }

    /// The central directory and its end record; returns the writer.
    pub fn finish(mut self) -> std::io::Result<W> {
        let cd_offset = self.offset as u32;
        let cd_len = self.central.len() as u32;
        if self.offset + self.central.len() as u64 + 22 >= u64::from(u32::MAX) {
            return Err(too_large("over 4 GB".into()));
        }
        self.out.write_all(&self.central)?;
        let mut end = Vec::new();
        end.extend(0x0605_4b50u32.to_le_bytes());
        end.extend([0u8; 4]); // disk numbers
        end.extend((self.count as u16).to_le_bytes());
        end.extend((self.count as u16).to_le_bytes());
        end.extend(cd_len.to_le_bytes());
        end.extend(cd_offset.to_le_bytes());
        end.extend(0u16.to_le_bytes());
        self.out.write_all(&end)?;
        Ok(self.out)
    }
}
