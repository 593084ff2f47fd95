//! Where the words starting with each character begin in jieba's dictionary
//! (`src/segment/jieba-dict.txt`, sorted by the word's bytes): a table of
//! (character, byte offset) pairs, little-endian u32, so a lookup reads a few
//! pages of the 4 MB dictionary instead of binary-searching all of it (each
//! page touched is a page fault in a fresh process).

fn main() {
    let src = "src/segment/jieba-dict.txt";
    println!("cargo:rerun-if-changed={src}");
    let dict = std::fs::read_to_string(src).expect("jieba-dict.txt is UTF-8 text");
    let mut table = Vec::new();
    let mut last = None;
    let mut at = 0usize;
    for line in dict.split_inclusive('\n') {
        if let Some(c) = line.chars().next()
            && last != Some(c)
        {
            table.extend_from_slice(&u32::from(c).to_le_bytes());
            table.extend_from_slice(&u32::try_from(at).expect("dictionary under 4 GB").to_le_bytes());
            last = Some(c);
        }
        at += line.len();
    }
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out.join("jieba-first-chars.bin"), table).expect("OUT_DIR is writable");
}
