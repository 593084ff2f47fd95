//! Station lists from Excel workbooks (.xlsx), read with calamine into the
//! same rows of text as a CSV. The bytes are checked before calamine sees
//! them: an old .xls or a password-protected workbook is named as such, and
//! the zip's parts must unpack to a bounded size (the zip crate refuses a
//! part that inflates past the size it declares) and the shared strings may
//! not claim more strings than they can hold, so a small file cannot make
//! the reader allocate without bound.

use std::io::{Cursor, Read};
use std::path::Path;

use calamine::{DataRef, Reader, SheetType, SheetVisible, Xlsx, XlsxError};

use super::Rows;
use crate::diag::{Diagnostic, Location};

/// All parts of a workbook together, unpacked: 10 000 stations are a few MiB.
const UNPACKED_MAX: u64 = 64 << 20;
/// Excel writes a dozen parts; thousands are not a station list.
const PARTS_MAX: usize = 1000;
/// Columns read (a station list uses six); each row is kept as wide as its
/// last filled cell, so this bounds the memory rows take.
const COLUMNS_MAX: u32 = 256;
/// A sheet with one of these names holds the list; else the first visible worksheet.
const SHEET_NAMES: [&str; 2] = ["派出所", "stations"];

const RESAVE: &str = "open it in Excel or WPS and save it again as an Excel workbook (另存为 → Excel 工作簿 .xlsx), \
                      or save the list as CSV UTF-8 and use `csv:`";

/// The non-empty rows of the sheet that holds the list, and that sheet's
/// name. Reading stops at `max_rows` + 1 rows: one more than allowed is
/// enough to refuse the list.
pub fn rows(path: &Path, bytes: &[u8], max_rows: usize) -> Result<(String, Rows), Diagnostic> {
    sniff(bytes).map_err(|d| d.in_file(path))?;
    check_zip(bytes).map_err(|d| d.in_file(path))?;
    // calamine is not ours to prove panic-free on every input; a panic in
    // it is a file we cannot read, not a crash of the CLI or the studio.
    match std::panic::catch_unwind(|| read_sheet(path, bytes, max_rows)) {
        Ok(read) => read,
        Err(_) => Err(Diagnostic::data("the workbook could not be read (the xlsx reader failed on it)")
            .in_file(path)
            .hint(RESAVE)),
    }
}

fn password() -> Diagnostic {
    Diagnostic::data("the workbook is protected with a password").hint(
        "open it in Excel or WPS, remove the password (文件 → 信息 → 保护工作簿 → 用密码进行加密) and save it \
         again, or save the list as CSV UTF-8 and use `csv:`",
    )
}

/// An xlsx is a zip; say what the file is instead when it is not.
fn sniff(bytes: &[u8]) -> Result<(), Diagnostic> {
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return Ok(());
    }
    // OLE compound files: .xls, WPS .et, and Excel's encrypted .xlsx, which
    // holds a stream named EncryptedPackage (UTF-16 in the directory).
    if bytes.starts_with(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1") {
        let name: Vec<u8> = "EncryptedPackage".encode_utf16().flat_map(u16::to_le_bytes).collect();
        if bytes.windows(name.len()).any(|w| w == name) {
            return Err(password());
        }
        return Err(Diagnostic::data("this is an old-format workbook (Excel 97–2003 .xls or WPS .et), not .xlsx")
            .hint("open it in Excel or WPS and 另存为 → Excel 工作簿 (.xlsx), or save the list as CSV UTF-8"));
    }
    if bytes.is_empty() {
        return Err(Diagnostic::data("the file is empty, not an Excel workbook").hint(RESAVE));
    }
    let head = &bytes[..bytes.len().min(512)];
    if !head.iter().any(|&b| b < 0x20 && !matches!(b, b'\t' | b'\r' | b'\n')) {
        return Err(Diagnostic::data(
            "this is a text file (a CSV, or a web page saved under an Excel name), not an Excel workbook (.xlsx)",
        )
        .hint("a CSV list goes under `csv:` in the order; otherwise open the file in Excel and 另存为 → Excel 工作簿 (.xlsx)"));
    }
    Err(Diagnostic::data("not an Excel workbook (.xlsx)").hint(RESAVE))
}

/// The zip's own account of its parts, through the same zip crate calamine
/// reads with: few, of bounded size together, not encrypted; and shared
/// strings whose declared count is possible.
fn check_zip(bytes: &[u8]) -> Result<(), Diagnostic> {
    let damaged = |e: &dyn std::fmt::Display| Diagnostic::data(format!("the workbook is damaged: {e}")).hint(RESAVE);
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| damaged(&e))?;
    if zip.len() > PARTS_MAX {
        return Err(damaged(&format!("it has {} parts", zip.len())));
    }
    let mut total = 0u64;
    let mut strings = Vec::new();
    for i in 0..zip.len() {
        let part = zip.by_index_raw(i).map_err(|e| damaged(&e))?;
        if part.encrypted() {
            return Err(password());
        }
        total = total.saturating_add(part.size());
        // calamine finds parts by lower-case name with `/` for `\`.
        let name = part.name().map_err(|e| damaged(&e))?;
        if name.replace('\\', "/").to_ascii_lowercase().ends_with("sharedstrings.xml") {
            strings.push((i, part.size()));
        }
    }
    if total > UNPACKED_MAX {
        return Err(Diagnostic::data(format!(
            "the workbook unpacks to {} MiB; a station list is at most {} MiB",
            total.div_ceil(1 << 20),
            UNPACKED_MAX >> 20
        ))
        .hint("put the station list alone in a workbook, or save it as CSV UTF-8 and use `csv:`"));
    }
    for (i, size) in strings {
        let mut text = Vec::new();
        let part = zip.by_index(i).map_err(|e| damaged(&e))?;
        part.take(size).read_to_end(&mut text).map_err(|e| damaged(&e))?;
        string_count_ok(&text).map_err(|m| damaged(&m))?;
    }
    Ok(())
}

/// calamine reserves room for as many strings as the table's `uniqueCount`
/// says before reading any, so a forged count asks for terabytes and aborts
/// the process. Every `uniqueCount="digits"` in the part (a superset of the
/// one calamine reads) must be possible: each string takes at least five
/// bytes (`<si/>`). XML in UTF-16 (NUL bytes) would hide the attribute from
/// this scan; Excel writes UTF-8, so it is refused.
fn string_count_ok(text: &[u8]) -> Result<(), String> {
    if text.contains(&0) {
        return Err("its shared strings are not UTF-8 XML".into());
    }
    let key = b"uniqueCount";
    let mut at = 0;
    while let Some(found) = text[at..].windows(key.len()).position(|w| w == key) {
        at += found + key.len();
        let rest = &text[at..];
        let rest = rest.trim_ascii_start();
        let Some(rest) = rest.strip_prefix(b"=") else { continue };
        let rest = rest.trim_ascii_start();
        let Some((&quote, rest)) = rest.split_first().filter(|(q, _)| matches!(q, b'"' | b'\'')) else { continue };
        let value = &rest[..rest.iter().position(|&b| b == quote).unwrap_or(rest.len())];
        if value.is_empty() || !value.iter().all(u8::is_ascii_digit) {
            continue;
        }
        let count = std::str::from_utf8(value).ok().and_then(|v| v.parse::<u64>().ok()).unwrap_or(u64::MAX);
        if count > text.len() as u64 / 5 {
            return Err(format!("its shared strings claim {count} strings in {} bytes", text.len()));
        }
    }
    Ok(())
}

fn book_error(e: XlsxError) -> Diagnostic {
    match e {
        XlsxError::Password => password(),
        XlsxError::FileNotFound(part) => Diagnostic::data(format!(
            "not an Excel workbook: it has no `{part}` (an OpenDocument .ods, or another kind of zip?)"
        ))
        .hint(RESAVE),
        XlsxError::RelationshipNotFound => {
            Diagnostic::data("not an Excel workbook: it does not say where its workbook part is").hint(RESAVE)
        }
        e => Diagnostic::data(format!("the workbook is damaged or not in Excel's format: {e}")).hint(RESAVE),
    }
}

/// `A`, …, `Z`, `AA`, … for a column index from 0.
fn column_name(mut col: u32) -> String {
    let mut name = Vec::new();
    loop {
        name.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    name.iter().rev().map(|&b| char::from(b)).collect()
}

/// A number as Excel shows it in a General cell: 15 significant digits,
/// no `.0`, no exponent (a phone number typed as a number is 9121234567,
/// not 9121234567.0 or 9.121234567E9).
pub fn number_text(v: f64) -> String {
    if !v.is_finite() {
        return v.to_string();
    }
    let rounded: f64 = format!("{v:.14e}").parse().unwrap_or(v);
    // -0 is 0; Display writes no exponent and no trailing `.0`.
    if rounded == 0.0 { "0".into() } else { rounded.to_string() }
}

fn cell_text(value: &DataRef<'_>) -> Result<String, String> {
    Ok(match value {
        DataRef::Empty => String::new(),
        DataRef::String(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_string(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) => number_text(*f),
        DataRef::Bool(b) => (if *b { "TRUE" } else { "FALSE" }).into(),
        DataRef::DateTime(d) if d.is_datetime() => {
            let (y, mo, day, h, mi, s, _) = d.to_ymd_hms_milli();
            if (h, mi, s) == (0, 0, 0) {
                format!("{y:04}-{mo:02}-{day:02}")
            } else {
                format!("{y:04}-{mo:02}-{day:02} {h:02}:{mi:02}:{s:02}")
            }
        }
        DataRef::DateTime(d) => number_text(d.as_f64()),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::Error(e) => return Err(format!("holds the spreadsheet error `{e}`")),
    })
}

fn read_sheet(path: &Path, bytes: &[u8], max_rows: usize) -> Result<(String, Rows), Diagnostic> {
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| book_error(e).in_file(path))?;
    let sheets = book.sheets_metadata();
    let named = sheets
        .iter()
        .find(|s| s.typ == SheetType::WorkSheet && SHEET_NAMES.iter().any(|n| s.name.trim().eq_ignore_ascii_case(n)));
    let first = || sheets.iter().find(|s| s.typ == SheetType::WorkSheet && s.visible == SheetVisible::Visible);
    let Some(sheet) = named.or_else(first).map(|s| s.name.clone()) else {
        return Err(Diagnostic::data("the workbook has no visible worksheet")
            .in_file(path)
            .hint("put the station list on the first sheet, or name its sheet 派出所"));
    };
    let mut cells = book.worksheet_cells_reader(&sheet).map_err(|e| book_error(e).in_file(path))?;
    let mut rows: Rows = Vec::new();
    while let Some(cell) = cells.next_cell().map_err(|e| {
        let d = book_error(e);
        Diagnostic { message: format!("sheet `{sheet}`: {}", d.message), ..d }.in_file(path)
    })? {
        let (r, c) = cell.get_position();
        let at = || Location::at(path, u64::from(r) + 1, u64::from(c) + 1);
        let text = cell_text(cell.get_value()).map_err(|m| {
            Diagnostic::data(format!("cell {}{} of sheet `{sheet}` {m}", column_name(c), u64::from(r) + 1))
                .at(at())
                .hint("correct the formula, or type the value itself")
        })?;
        if text.trim().is_empty() {
            continue;
        }
        if c >= COLUMNS_MAX {
            return Err(Diagnostic::data(format!(
                "cell {}{} of sheet `{sheet}` is beyond column {}; a station list is read from the first {COLUMNS_MAX} columns",
                column_name(c),
                u64::from(r) + 1,
                column_name(COLUMNS_MAX - 1)
            ))
            .at(at())
            .hint("move the list to the left, or delete what is far to the right"));
        }
        let line = r as usize + 1;
        if rows.last().is_none_or(|(l, _)| *l != line) {
            // One more row than allowed is enough to say there are too many.
            if rows.len() > max_rows {
                break;
            }
            rows.push((line, Vec::new()));
        }
        if let Some((_, row)) = rows.last_mut() {
            let c = c as usize;
            if row.len() <= c {
                row.resize(c + 1, String::new());
            }
            row[c] = text;
        }
    }
    Ok((sheet, rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_excel_shows_them() {
        assert_eq!(number_text(9121234567.0), "9121234567");
        assert_eq!(number_text(96110.0), "96110");
        assert_eq!(number_text(1.2345678901234568e17), "123456789012346000");
        assert_eq!(number_text(0.30000000000000004), "0.3");
        assert_eq!(number_text(-0.0), "0");
        assert_eq!(number_text(1e-7), "0.0000001");
        assert_eq!(number_text(12.5), "12.5");
    }

    #[test]
    fn column_names() {
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(25), "Z");
        assert_eq!(column_name(26), "AA");
        assert_eq!(column_name(255), "IV");
        assert_eq!(column_name(16383), "XFD");
    }

    #[test]
    fn forged_string_counts_are_refused() {
        let ok = br#"<?xml version="1.0"?><sst xmlns="x" count="2" uniqueCount="2"><si><t>a</t></si><si><t>b</t></si></sst>"#;
        assert!(string_count_ok(ok).is_ok());
        for bad in [
            &br#"<sst uniqueCount="4000000000000"><si><t>a</t></si></sst>"#[..],
            br#"<sst uniqueCount = '99999999999999999999999999'/>"#,
            br#"<x:sst count="1" x:uniqueCount="100"/>"#,
        ] {
            assert!(string_count_ok(bad).is_err(), "{}", String::from_utf8_lossy(bad));
        }
        // UTF-16 would hide the attribute from the scan.
        let utf16: Vec<u8> = "<sst uniqueCount=\"1\"/>".encode_utf16().flat_map(u16::to_le_bytes).collect();
        assert!(string_count_ok(&utf16).is_err());
    }
}
