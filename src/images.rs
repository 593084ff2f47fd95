//! A station's own pictures: its logo, the community officer's photo and an
//! app's QR code given as a file. Read and checked once, when the station is
//! loaded; converted to an item's inks when a zone places them.
//!
//! - PNG and JPEG (the `image` crate, nothing else compiled in) become 8-bit
//!   sRGB pixels, converted from their embedded ICC profile when they have
//!   one (see `to_srgb`). Refused: a file past [`MAX_BYTES`], a picture past
//!   [`MAX_PIXELS`] or [`MAX_SIDE`] (checked from the header, before a pixel
//!   is decoded: a small file that claims a huge picture is a decompression
//!   bomb), 16 bits a channel, transparency, CMYK JPEG, a name whose
//!   extension says another format. Each with what to do instead.
//! - SVG is read by usvg and kept as vector paths, drawn in the zone's one
//!   ink: never rasterised. Its fills and strokes must be one colour (it
//!   prints in one ink), with no text (outline it) and no embedded picture.
//!
//! Conversions (deterministic: the same file gives the same bytes):
//! - [`StationImage::cmyk`]: sRGB → the output profile's CMYK (moxcms,
//!   relative colorimetric), for process-colour items;
//! - [`StationImage::threshold`]: one ink where a pixel is darker than mid
//!   grey, pixel for pixel (QR codes, line logos), for any item;
//! - [`halftone`]: round dots at a line screen (45°), as a 1-bit mask at
//!   [`halftone_dpi`], for a photo in one spot ink.

use std::path::{Path as FsPath, PathBuf};
use std::sync::{Arc, OnceLock};

use resvg::usvg;

use crate::scene::{PixelData, Pixels, Seg};

/// The largest picture file read: a 6000 × 6000 JPEG at high quality is
/// about 15 MB.
pub const MAX_BYTES: u64 = 32 << 20;
/// The most pixels decoded: 36 MP (6000 × 6000), an A2 poster's width at
/// 300 ppi; 108 MB of RGB and 144 MB of CMYK at most.
pub const MAX_PIXELS: u64 = 36_000_000;
/// The longest side, pixels (a banner's logo at its 100 ppi floor over 3 m).
pub const MAX_SIDE: u32 = 12_000;

/// Which station picture a zone places (`source:` of an image zone).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// The station's logo (`logo:`).
    Logo,
    /// The community officer's photo (`officer: { photo: … }`).
    Photo,
    /// An app's QR code given as a picture (`qr_image:`).
    QrImage,
}

impl Source {
    /// The station file's field that names the picture.
    pub fn field(self) -> &'static str {
        match self {
            Source::Logo => "logo",
            Source::Photo => "officer.photo",
            Source::QrImage => "qr_image",
        }
    }
}

/// A station picture, read and checked.
#[derive(Debug)]
pub struct StationImage {
    pub file: PathBuf,
    /// The station file's field (`logo`, `officer.photo`, `qr_image`).
    pub field: &'static str,
    /// FNV-1a of the file's bytes: with the conversion, the pixels' key.
    pub hash: u64,
    pub kind: Kind,
    cmyk: OnceLock<Result<Arc<Pixels>, String>>,
    threshold: OnceLock<Arc<Pixels>>,
}

#[derive(Debug)]
pub enum Kind {
    /// 8-bit sRGB, 3 bytes a pixel, rows top down.
    Raster {
        width: u32,
        height: u32,
        rgb: Vec<u8>,
    },
    Vector(Vector),
}

/// An SVG's shapes in its own units (y down), each filled nonzero; strokes
/// are outlined and even-odd fills reoriented to nonzero.
#[derive(Debug, Clone)]
pub struct Vector {
    pub width: f64,
    pub height: f64,
    pub path: crate::scene::Path,
}

impl StationImage {
    /// Read and check the picture at `file` (a station's `field`).
    pub fn load(file: &FsPath, field: &'static str) -> Result<StationImage, String> {
        let name = file.display();
        let bytes = crate::library::read_bounded(file, MAX_BYTES).map_err(|d| match d.message.as_str() {
            m if m.starts_with("cannot read") => format!("{m}; put the file next to the station file"),
            m => format!("`{name}`: {m}"),
        })?;
        Self::from_bytes(file, &bytes, field)
    }

    /// Check a picture's bytes (an upload) as [`StationImage::load`] checks
    /// a file's; `file` names it in errors and its extension must match.
    pub fn from_bytes(file: &FsPath, bytes: &[u8], field: &'static str) -> Result<StationImage, String> {
        let name = file.display();
        if bytes.len() as u64 > MAX_BYTES {
            return Err(format!("`{name}` is larger than {} MB", MAX_BYTES >> 20));
        }
        let hash = fnv(bytes);
        let ext = file.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
        let found = sniff(bytes);
        let named = match ext.as_str() {
            "png" => Some(Format::Png),
            "jpg" | "jpeg" => Some(Format::Jpeg),
            "svg" => Some(Format::Svg),
            _ => None,
        };
        let format = match (found, named) {
            (Some(f), Some(n)) if f == n => f,
            (Some(f), Some(n)) => {
                return Err(format!(
                    "`{name}` is a {} file named .{ext} (a {} name): rename it to .{}",
                    f.label(),
                    n.label(),
                    f.ext()
                ));
            }
            (_, None) => {
                return Err(format!("`{name}`: .{ext} is not a picture jiediqi reads; give a PNG, JPEG or SVG file"));
            }
            (None, Some(n)) => {
                return Err(format!(
                    "`{name}` is not a {} file (its first bytes are not a {} header): export the picture again",
                    n.label(),
                    n.label()
                ));
            }
        };
        let kind = match format {
            Format::Png => raster_png(bytes),
            Format::Jpeg => raster_jpeg(bytes),
            Format::Svg => vector(bytes).map(Kind::Vector),
        }
        .map_err(|m| format!("`{name}`: {m}"))?;
        Ok(StationImage {
            file: file.to_path_buf(),
            field,
            hash,
            kind,
            cmyk: OnceLock::new(),
            threshold: OnceLock::new(),
        })
    }

    /// The file extension a picture's bytes call for (`png`, `jpg`, `svg`),
    /// or `None` when they are none of those.
    pub fn extension_of(bytes: &[u8]) -> Option<&'static str> {
        sniff(bytes).map(Format::ext)
    }

    /// Pixel width and height (`None` for a vector picture).
    pub fn pixel_size(&self) -> Option<(u32, u32)> {
        match &self.kind {
            Kind::Raster { width, height, .. } => Some((*width, *height)),
            Kind::Vector(_) => None,
        }
    }

    /// The picture's aspect: width and height in any unit.
    pub fn size(&self) -> (f64, f64) {
        match &self.kind {
            Kind::Raster { width, height, .. } => (f64::from(*width), f64::from(*height)),
            Kind::Vector(v) => (v.width, v.height),
        }
    }

    /// The pixels in the output profile's CMYK (converted once).
    pub fn cmyk(&self) -> Result<Arc<Pixels>, String> {
        self.cmyk
            .get_or_init(|| {
                let Kind::Raster { width, height, rgb } = &self.kind else {
                    return Err("a vector picture has no pixels".into());
                };
                let (cmyk, srgb) = to_cmyk(rgb)?;
                Ok(Arc::new(Pixels {
                    width: *width,
                    height: *height,
                    key: fnv_mix(self.hash, b"cmyk"),
                    data: PixelData::Cmyk { cmyk, srgb },
                }))
            })
            .clone()
    }

    /// One ink where a pixel is darker than mid grey (pixel for pixel).
    pub fn threshold(&self) -> Option<Arc<Pixels>> {
        let Kind::Raster { width, height, rgb } = &self.kind else { return None };
        Some(
            self.threshold
                .get_or_init(|| {
                    let (w, h) = (*width as usize, *height as usize);
                    let stride = w.div_ceil(8);
                    let mut bits = vec![0u8; stride * h];
                    for y in 0..h {
                        for x in 0..w {
                            if darkness(&rgb[(y * w + x) * 3..]) > 0.5 {
                                bits[y * stride + x / 8] |= 0x80 >> (x % 8);
                            }
                        }
                    }
                    Arc::new(Pixels {
                        width: *width,
                        height: *height,
                        key: fnv_mix(self.hash, b"threshold"),
                        data: PixelData::Mask { bits },
                    })
                })
                .clone(),
        )
    }

    /// A QR code picture's module, in pixels, and its modules a side, read
    /// from its top-left finder pattern (7 modules, dark from the code's left
    /// edge); an error when the picture does not look like a QR code.
    pub fn qr_module(&self) -> Result<(f64, u32), String> {
        let Some(mask) = self.threshold() else {
            return Err("a QR code given as SVG is not measured; give it as PNG".into());
        };
        let (w, h) = (mask.width, mask.height);
        let dark_rows: Vec<u32> = (0..h).filter(|&y| (0..w).any(|x| mask.inked(x, y))).collect();
        let dark_cols: Vec<u32> = (0..w).filter(|&x| (0..h).any(|y| mask.inked(x, y))).collect();
        let (Some(&top), Some(&bottom), Some(&left), Some(&right)) =
            (dark_rows.first(), dark_rows.last(), dark_cols.first(), dark_cols.last())
        else {
            return Err("the picture has no dark modules: it is not a QR code".into());
        };
        // The finder's top edge: the dark run from the code's left edge, on
        // the first rows (median of up to 5, for soft or jagged edges).
        let run_at = |y: u32| (left..=right).take_while(|&x| mask.inked(x, y)).count() as f64;
        let mut runs: Vec<f64> = (top..=bottom).take(5).map(run_at).collect();
        runs.sort_by(f64::total_cmp);
        let finder = runs[runs.len() / 2];
        let module = finder / 7.0;
        let side = f64::from(right - left + 1).max(f64::from(bottom - top + 1));
        let modules = side / module.max(1e-9);
        let n = modules.round() as u32;
        let fits = module >= 1.0
            && (21..=177).contains(&n)
            && (n - 21).is_multiple_of(4)
            && (modules - f64::from(n)).abs() < 0.5;
        if !fits {
            return Err(format!(
                "the picture does not look like a QR code (its top-left mark is {finder:.0} px, so {modules:.1} modules a side, not 21, 25, … 177)"
            ));
        }
        Ok((module, n))
    }
}

/// A mask with each pixel made `k` × `k` pixels (the same shapes).
fn enlarged(m: &Pixels, k: u32) -> Arc<Pixels> {
    let (w, h) = (m.width * k, m.height * k);
    let stride = (w as usize).div_ceil(8);
    let mut bits = vec![0u8; stride * h as usize];
    for y in 0..h {
        for x in 0..w {
            if m.inked(x / k, y / k) {
                bits[y as usize * stride + x as usize / 8] |= 0x80 >> (x % 8);
            }
        }
    }
    Arc::new(Pixels { width: w, height: h, key: fnv_mix(m.key, &k.to_be_bytes()), data: PixelData::Mask { bits } })
}

/// How dark an sRGB pixel is, 0 (white) to 1 (black): 1 − luma (Rec. 709
/// weights on the encoded values, as a greyscale conversion takes them).
fn darkness(p: &[u8]) -> f64 {
    1.0 - (0.2126 * f64::from(p[0]) + 0.7152 * f64::from(p[1]) + 0.0722 * f64::from(p[2])) / 255.0
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Png,
    Jpeg,
    Svg,
}

impl Format {
    fn label(self) -> &'static str {
        match self {
            Format::Png => "PNG",
            Format::Jpeg => "JPEG",
            Format::Svg => "SVG",
        }
    }
    fn ext(self) -> &'static str {
        match self {
            Format::Png => "png",
            Format::Jpeg => "jpg",
            Format::Svg => "svg",
        }
    }
}

/// The format the bytes begin with.
fn sniff(b: &[u8]) -> Option<Format> {
    if b.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some(Format::Png);
    }
    if b.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some(Format::Jpeg);
    }
    let text = b.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(b);
    let start = text.iter().position(|c| !c.is_ascii_whitespace()).unwrap_or(text.len());
    (text[start..].starts_with(b"<") && memchr::memmem::find(&text[..text.len().min(4096)], b"<svg").is_some())
        .then_some(Format::Svg)
}

fn limits() -> image::Limits {
    let mut l = image::Limits::default();
    l.max_image_width = Some(MAX_SIDE);
    l.max_image_height = Some(MAX_SIDE);
    // The decoded picture and the decoder's working buffers.
    l.max_alloc = Some(MAX_PIXELS * 4 + (64 << 20));
    l
}

fn check_size(w: u32, h: u32) -> Result<(), String> {
    if w == 0 || h == 0 {
        return Err("the picture has no pixels".into());
    }
    if w > MAX_SIDE || h > MAX_SIDE || u64::from(w) * u64::from(h) > MAX_PIXELS {
        return Err(format!(
            "the picture is {w} × {h} pixels, more than jiediqi reads ({MAX_SIDE} a side, {} megapixels): scale it down to what the zone needs at 300 ppi",
            MAX_PIXELS / 1_000_000
        ));
    }
    Ok(())
}

fn decoded(e: image::ImageError) -> String {
    format!("cannot decode the picture ({e}): the file may be cut short or damaged; export it again")
}

fn raster_png(bytes: &[u8]) -> Result<Kind, String> {
    use image::ImageDecoder as _;
    // The header's size first: a decoder given a bomb may fail less clearly.
    if let Some(ihdr) = bytes.get(16..24) {
        let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
        check_size(be(&ihdr[..4]), be(&ihdr[4..]))?;
    }
    let mut dec = image::codecs::png::PngDecoder::new(std::io::Cursor::new(bytes)).map_err(decoded)?;
    let (w, h) = dec.dimensions();
    check_size(w, h)?;
    let ct = dec.color_type();
    if ct.bytes_per_pixel() / ct.channel_count() > 1 {
        return Err("the picture has 16 bits a channel: save it with 8 bits a channel (8-bit RGB)".into());
    }
    dec.set_limits(limits()).map_err(decoded)?;
    let icc = dec.icc_profile().map_err(decoded)?;
    let img = image::DynamicImage::from_decoder(dec).map_err(decoded)?;
    to_srgb(rgb_of(img)?, icc.as_deref())
}

fn raster_jpeg(bytes: &[u8]) -> Result<Kind, String> {
    use image::ImageDecoder as _;
    match jpeg_components(bytes) {
        Some(4) => {
            return Err(
                "the picture is a CMYK JPEG, separated for another press: give the RGB original (jiediqi converts it through the print profile)"
                    .into(),
            );
        }
        Some(1 | 3) => {}
        Some(n) => return Err(format!("the JPEG has {n} colour components: save it as an RGB JPEG")),
        None => return Err(decoded(image::ImageError::IoError(std::io::ErrorKind::UnexpectedEof.into()))),
    }
    let mut dec = image::codecs::jpeg::JpegDecoder::new(std::io::Cursor::new(bytes)).map_err(decoded)?;
    let (w, h) = dec.dimensions();
    check_size(w, h)?;
    dec.set_limits(limits()).map_err(decoded)?;
    // Phones store pictures sideways with an EXIF turn: apply it.
    let orientation = dec.orientation().unwrap_or(image::metadata::Orientation::NoTransforms);
    let icc = dec.icc_profile().map_err(decoded)?;
    let mut img = image::DynamicImage::from_decoder(dec).map_err(decoded)?;
    img.apply_orientation(orientation);
    to_srgb(rgb_of(img)?, icc.as_deref())
}

/// Pixels in the colour space of their embedded ICC profile (a camera's
/// Display P3, a designer's Adobe RGB) converted to sRGB, the space the
/// print conversion starts from: read as sRGB they would print duller or
/// shifted. No profile: sRGB, as the web and phones assume. A grey
/// profile (on a grey picture) is left alone: its tone curve is all it has.
fn to_srgb(kind: Kind, icc: Option<&[u8]>) -> Result<Kind, String> {
    let (Some(icc), Kind::Raster { width, height, rgb }) = (icc, &kind) else { return Ok(kind) };
    let unreadable = |e: moxcms::CmsError| {
        format!("its colour profile (ICC) cannot be read ({e:?}): save the picture as sRGB, or without a profile")
    };
    let profile = moxcms::ColorProfile::new_from_slice(icc).map_err(unreadable)?;
    match profile.color_space {
        moxcms::DataColorSpace::Rgb => {}
        // A grey picture's tone curve is all its profile has; RGB pixels
        // under a grey profile are a file that contradicts itself.
        moxcms::DataColorSpace::Gray if rgb.chunks(3).all(|p| p[0] == p[1] && p[1] == p[2]) => return Ok(kind),
        other => {
            return Err(format!(
                "its colour profile is for {other:?} pixels, not RGB: save the picture as sRGB, or without a profile"
            ));
        }
    }
    let opts = moxcms::TransformOptions {
        rendering_intent: moxcms::RenderingIntent::RelativeColorimetric,
        ..Default::default()
    };
    let srgb = moxcms::ColorProfile::new_srgb();
    let t = profile.create_transform_8bit(moxcms::Layout::Rgb, &srgb, moxcms::Layout::Rgb, opts).map_err(unreadable)?;
    let mut out = vec![0u8; rgb.len()];
    t.transform(rgb, &mut out).map_err(unreadable)?;
    Ok(Kind::Raster { width: *width, height: *height, rgb: out })
}

/// The colour components of a JPEG's frame header (SOFn), read from its
/// markers; `None` when there is none.
fn jpeg_components(b: &[u8]) -> Option<u8> {
    let mut i = 2;
    while i + 4 <= b.len() {
        if b[i] != 0xFF {
            return None;
        }
        let marker = b[i + 1];
        if marker == 0xFF {
            i += 1;
            continue;
        }
        let len = usize::from(u16::from_be_bytes([b[i + 2], b[i + 3]]));
        // SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC).
        if (0xC0..=0xCF).contains(&marker) && !matches!(marker, 0xC4 | 0xC8 | 0xCC) {
            return b.get(i + 9).copied();
        }
        if marker == 0xDA {
            return None;
        }
        i += 2 + len;
    }
    None
}

fn rgb_of(img: image::DynamicImage) -> Result<Kind, String> {
    if img.color().has_alpha() {
        let rgba = img.to_rgba8();
        if rgba.pixels().any(|p| p.0[3] != 255) {
            return Err(
                "the picture is transparent in places: print has no transparency over the item's inks; flatten it onto white (or give a logo as SVG)"
                    .into(),
            );
        }
    }
    let rgb = img.to_rgb8();
    let (width, height) = rgb.dimensions();
    Ok(Kind::Raster { width, height, rgb: rgb.into_raw() })
}

/// sRGB → CMYK through the output profile, and the CMYK back to screen
/// colours (what the pixels print as), both with moxcms's 8-bit tables.
fn to_cmyk(rgb: &[u8]) -> Result<(Vec<u8>, Vec<u8>), String> {
    type T = Arc<moxcms::Transform8BitExecutor>;
    static TRANSFORMS: OnceLock<Result<(T, T), String>> = OnceLock::new();
    let (fwd, back) = TRANSFORMS
        .get_or_init(|| {
            let opts = moxcms::TransformOptions {
                rendering_intent: moxcms::RenderingIntent::RelativeColorimetric,
                ..Default::default()
            };
            let e = |e: moxcms::CmsError| format!("the output profile cannot convert pictures: {e:?}");
            let cmyk = moxcms::ColorProfile::new_from_slice(crate::color::PROFILE).map_err(e)?;
            let srgb = moxcms::ColorProfile::new_srgb();
            let fwd = srgb.create_transform_8bit(moxcms::Layout::Rgb, &cmyk, moxcms::Layout::Rgba, opts).map_err(e)?;
            let back = cmyk.create_transform_8bit(moxcms::Layout::Rgba, &srgb, moxcms::Layout::Rgb, opts).map_err(e)?;
            Ok((fwd, back))
        })
        .as_ref()
        .map_err(Clone::clone)?;
    let mut cmyk = vec![0u8; rgb.len() / 3 * 4];
    fwd.transform(rgb, &mut cmyk).map_err(|e| format!("cannot convert the picture to CMYK: {e:?}"))?;
    let mut srgb = vec![0u8; rgb.len()];
    back.transform(&cmyk, &mut srgb)
        .map_err(|e| format!("cannot convert the picture's CMYK to screen colours: {e:?}"))?;
    Ok((cmyk, srgb))
}

/// The resolution of a halftone mask at `lpi` lines an inch: 16 device
/// pixels a screen line (257 tone levels a dot), at least 300 and at most
/// 1200 dpi.
pub fn halftone_dpi(lpi: f64) -> f64 {
    (lpi * 16.0).clamp(300.0, 1200.0)
}

/// The round-dot spot function's values over one cell, sorted: a pixel
/// whose spot value ranks below a tone's share of the cell prints, so the
/// dot's area is the tone (no dot gain curve: the print shop's RIP or film
/// step adds its own).
fn spot_ranks() -> &'static [f64] {
    static R: OnceLock<Vec<f64>> = OnceLock::new();
    R.get_or_init(|| {
        const N: usize = 128;
        let mut v: Vec<f64> = (0..N * N)
            .map(|i| {
                let (a, b) = (((i % N) as f64 + 0.5) / N as f64 - 0.5, ((i / N) as f64 + 0.5) / N as f64 - 0.5);
                spot(a, b)
            })
            .collect();
        v.sort_by(f64::total_cmp);
        v
    })
}

/// Euclidean dot: round dots that join at 50 % and become round holes.
fn spot(a: f64, b: f64) -> f64 {
    let (a, b) = (a.abs(), b.abs());
    let (c, d) = (0.5 - a, 0.5 - b);
    if a + b <= 0.5 { a * a + b * b } else { 1.0 - (c * c + d * d) }
}

/// A photo as an AM halftone in one ink: round dots at `lpi` lines an inch,
/// the screen at 45°, as a 1-bit mask of the part of `rect` (where the whole
/// picture lies, pt) inside `clip`, at [`halftone_dpi`]. Returns the mask
/// and the rectangle it covers.
pub fn halftone(img: &StationImage, rect: [f64; 4], clip: [f64; 4], lpi: f64) -> Option<(Arc<Pixels>, [f64; 4])> {
    let Kind::Raster { width, height, rgb } = &img.kind else { return None };
    let x0 = rect[0].max(clip[0]);
    let y0 = rect[1].max(clip[1]);
    let x1 = (rect[0] + rect[2]).min(clip[0] + clip[2]);
    let y1 = (rect[1] + rect[3]).min(clip[1] + clip[3]);
    if x1 <= x0 || y1 <= y0 {
        return None;
    }
    let dpi = halftone_dpi(lpi);
    let (mw, mh) = (((x1 - x0) / 72.0 * dpi).round().max(1.0) as u32, ((y1 - y0) / 72.0 * dpi).round().max(1.0) as u32);
    let covered = [x0, y0, f64::from(mw) * 72.0 / dpi, f64::from(mh) * 72.0 / dpi];
    let (w, h) = (*width as usize, *height as usize);
    let ranks = spot_ranks();
    let grey = |sx: f64, sy: f64| -> f64 {
        // Bilinear in the source's pixel centres.
        let fx = (sx - 0.5).clamp(0.0, (w - 1) as f64);
        let fy = (sy - 0.5).clamp(0.0, (h - 1) as f64);
        let (ix, iy) = (fx as usize, fy as usize);
        let (jx, jy) = ((ix + 1).min(w - 1), (iy + 1).min(h - 1));
        let (tx, ty) = (fx - ix as f64, fy - iy as f64);
        let d = |x: usize, y: usize| darkness(&rgb[(y * w + x) * 3..]);
        (d(ix, iy) * (1.0 - tx) + d(jx, iy) * tx) * (1.0 - ty) + (d(ix, jy) * (1.0 - tx) + d(jx, jy) * tx) * ty
    };
    let stride = (mw as usize).div_ceil(8);
    let mut bits = vec![0u8; stride * mh as usize];
    // Screen coordinates: lines an inch along the diagonals (45°: the
    // rotation is (x ± y)/√2, no sine needed).
    let k = lpi / 72.0 / std::f64::consts::SQRT_2;
    let n = ranks.len() as f64;
    for my in 0..mh {
        let py = y0 + (f64::from(my) + 0.5) * 72.0 / dpi;
        for mx in 0..mw {
            let px = x0 + (f64::from(mx) + 0.5) * 72.0 / dpi;
            let tone = grey((px - rect[0]) / rect[2] * w as f64, (py - rect[1]) / rect[3] * h as f64);
            let (u, v) = ((px + py) * k, (py - px) * k);
            let (a, b) = (u - u.floor() - 0.5, v - v.floor() - 0.5);
            let rank = ranks.partition_point(|&r| r < spot(a, b)) as f64 / n;
            if rank < tone {
                bits[my as usize * stride + mx as usize / 8] |= 0x80 >> (mx % 8);
            }
        }
    }
    let mut key = fnv_mix(img.hash, b"halftone");
    for v in [lpi, covered[0], covered[1], covered[2], covered[3], rect[0], rect[1], rect[2], rect[3]] {
        key = fnv_mix(key, &v.to_bits().to_be_bytes());
    }
    Some((Arc::new(Pixels { width: mw, height: mh, key, data: PixelData::Mask { bits } }), covered))
}

/// An SVG's shapes: fills and outlined strokes in one colour.
fn vector(bytes: &[u8]) -> Result<Vector, String> {
    if memchr::memmem::find(bytes, b"<text").is_some() {
        return Err("the SVG has text: convert the text to outlines (paths) and save it again".into());
    }
    let tree = usvg::Tree::from_data(bytes, &usvg::Options::default())
        .map_err(|e| format!("cannot read the SVG ({e}): save it again as plain SVG"))?;
    let mut out = Vec::new();
    let mut colours = std::collections::BTreeSet::new();
    collect(tree.root(), &mut out, &mut colours)?;
    if out.is_empty() {
        return Err("the SVG has no filled or stroked shape".into());
    }
    if colours.len() > 1 {
        let list: Vec<String> = colours.iter().map(|&(r, g, b)| format!("#{r:02x}{g:02x}{b:02x}")).collect();
        return Err(format!(
            "the SVG has {} colours ({}): it prints in the zone's one ink, so give a one-colour logo (no white shapes on top: leave them out)",
            list.len(),
            list.join(", ")
        ));
    }
    let size = tree.size();
    Ok(Vector { width: f64::from(size.width()), height: f64::from(size.height()), path: crate::scene::Path(out) })
}

type Colours = std::collections::BTreeSet<(u8, u8, u8)>;

fn colour_of(p: &usvg::Paint, colours: &mut Colours) -> Result<(), String> {
    match p {
        usvg::Paint::Color(c) => {
            colours.insert((c.red, c.green, c.blue));
            Ok(())
        }
        _ => Err("the SVG has a gradient or pattern: it prints in one flat ink, so give flat shapes".into()),
    }
}

fn collect(group: &usvg::Group, out: &mut Vec<Seg>, colours: &mut Colours) -> Result<(), String> {
    for node in group.children() {
        match node {
            usvg::Node::Group(g) => collect(g, out, colours)?,
            usvg::Node::Path(p) => {
                if !p.is_visible() {
                    continue;
                }
                let t = p.abs_transform();
                if let Some(fill) = p.fill() {
                    colour_of(fill.paint(), colours)?;
                    let mut segs = segments(p.data(), t);
                    if fill.rule() == usvg::FillRule::EvenOdd {
                        segs = nonzero_of_even_odd(segs);
                    }
                    out.extend(segs);
                }
                if let Some(stroke) = p.stroke() {
                    colour_of(stroke.paint(), colours)?;
                    // Outlined in the path's own units, then placed.
                    if let Some(outline) = p.data().stroke(&stroke.to_tiny_skia(), 1.0) {
                        out.extend(segments(&outline, t));
                    }
                }
            }
            usvg::Node::Image(_) => {
                return Err("the SVG embeds a raster picture: give the logo as vector paths only, or as a PNG".into());
            }
            usvg::Node::Text(_) => {
                return Err("the SVG has text: convert the text to outlines (paths) and save it again".into());
            }
        }
    }
    Ok(())
}

/// A usvg path's segments with `t` applied (quadratics as cubics).
fn segments(path: &usvg::tiny_skia_path::Path, t: usvg::Transform) -> Vec<Seg> {
    let map = |pt: usvg::tiny_skia_path::Point| {
        let mut q = [pt];
        t.map_points(&mut q);
        (f64::from(q[0].x), f64::from(q[0].y))
    };
    let mut out = Vec::new();
    let mut last = (0.0, 0.0);
    for seg in path.segments() {
        use usvg::tiny_skia_path::PathSegment as S;
        match seg {
            S::MoveTo(a) => {
                last = map(a);
                out.push(Seg::Move(last.0, last.1));
            }
            S::LineTo(a) => {
                last = map(a);
                out.push(Seg::Line(last.0, last.1));
            }
            S::QuadTo(c, a) => {
                let (c, a) = (map(c), map(a));
                let c1 = (last.0 + 2.0 / 3.0 * (c.0 - last.0), last.1 + 2.0 / 3.0 * (c.1 - last.1));
                let c2 = (a.0 + 2.0 / 3.0 * (c.0 - a.0), a.1 + 2.0 / 3.0 * (c.1 - a.1));
                out.push(Seg::Cubic(c1.0, c1.1, c2.0, c2.1, a.0, a.1));
                last = a;
            }
            S::CubicTo(c1, c2, a) => {
                let (c1, c2, a) = (map(c1), map(c2), map(a));
                out.push(Seg::Cubic(c1.0, c1.1, c2.0, c2.1, a.0, a.1));
                last = a;
            }
            S::Close => out.push(Seg::Close),
        }
    }
    out
}

/// An even-odd fill as a nonzero one: each closed outline turned so that
/// outlines nested an even number of times run one way and the others the
/// other way, which fills the same as even-odd while outlines do not cross
/// each other (a logo's shapes and their holes).
fn nonzero_of_even_odd(segs: Vec<Seg>) -> Vec<Seg> {
    let mut subs: Vec<Vec<Seg>> = Vec::new();
    for s in segs {
        if matches!(s, Seg::Move(..)) || subs.is_empty() {
            subs.push(Vec::new());
        }
        if let Some(v) = subs.last_mut() {
            v.push(s);
        }
    }
    let polys: Vec<Vec<(f64, f64)>> = subs.iter().map(|s| polygon(s)).collect();
    let mut out = Vec::new();
    for (i, sub) in subs.iter().enumerate() {
        let Some(&p) = polys[i].first() else { continue };
        let depth = polys.iter().enumerate().filter(|&(j, q)| j != i && inside(p, q)).count();
        let positive = area(&polys[i]) >= 0.0;
        if positive == (depth % 2 == 0) {
            out.extend(sub.iter().copied());
        } else {
            out.extend(reversed(sub));
        }
    }
    out
}

/// An outline's corner and curve points (curves sampled at thirds).
fn polygon(sub: &[Seg]) -> Vec<(f64, f64)> {
    let mut pts: Vec<(f64, f64)> = Vec::new();
    for s in sub {
        match *s {
            Seg::Move(x, y) | Seg::Line(x, y) => pts.push((x, y)),
            Seg::Cubic(a, b, c, d, x, y) => {
                let p0 = pts.last().copied().unwrap_or((x, y));
                for t in [1.0 / 3.0, 2.0 / 3.0, 1.0] {
                    let u = 1.0 - t;
                    let f = |p: f64, q: f64, r: f64, s: f64| {
                        u * u * u * p + 3.0 * u * u * t * q + 3.0 * u * t * t * r + t * t * t * s
                    };
                    pts.push((f(p0.0, a, c, x), f(p0.1, b, d, y)));
                }
            }
            Seg::Close => {}
        }
    }
    pts
}

fn area(p: &[(f64, f64)]) -> f64 {
    let n = p.len();
    (0..n).map(|i| p[i].0 * p[(i + 1) % n].1 - p[(i + 1) % n].0 * p[i].1).sum::<f64>() / 2.0
}

fn inside(pt: (f64, f64), poly: &[(f64, f64)]) -> bool {
    let n = poly.len();
    let mut c = false;
    for i in 0..n {
        let (a, b) = (poly[i], poly[(i + 1) % n]);
        if (a.1 > pt.1) != (b.1 > pt.1) && pt.0 < (b.0 - a.0) * (pt.1 - a.1) / (b.1 - a.1) + a.0 {
            c = !c;
        }
    }
    c
}

/// One outline run the other way round.
fn reversed(sub: &[Seg]) -> Vec<Seg> {
    // Points each segment ends at, and the segment that reaches it.
    let mut ends: Vec<(f64, f64)> = Vec::new();
    let mut body: Vec<Seg> = Vec::new();
    for s in sub {
        match *s {
            Seg::Move(x, y) | Seg::Line(x, y) | Seg::Cubic(_, _, _, _, x, y) => {
                ends.push((x, y));
                if !matches!(s, Seg::Move(..)) {
                    body.push(*s);
                }
            }
            Seg::Close => {}
        }
    }
    let Some(&last) = ends.last() else { return Vec::new() };
    let mut out = vec![Seg::Move(last.0, last.1)];
    for (k, s) in body.iter().enumerate().rev() {
        let to = ends[k];
        out.push(match *s {
            Seg::Cubic(a, b, c, d, _, _) => Seg::Cubic(c, d, a, b, to.0, to.1),
            _ => Seg::Line(to.0, to.1),
        });
    }
    out.push(Seg::Close);
    out
}

fn fnv(bytes: &[u8]) -> u64 {
    fnv_mix(0xcbf2_9ce4_8422_2325, bytes)
}

fn fnv_mix(seed: u64, bytes: &[u8]) -> u64 {
    bytes.iter().fold(seed, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3))
}

/// The share of an item's resolution floor below which a picture is refused;
/// between it and the floor a picture prints with a note. At 80 % of 300 ppi
/// (240 ppi) a photo read in the hand is still sharp to the eye; below that
/// pixels and soft edges begin to show (and a banner's 100 ppi floor allows 80).
pub const PPI_REFUSE_SHARE: f64 = 0.8;

/// A station picture placed in an image zone of `item`: the elements to
/// draw, after the resolution and QR-module checks (`notes` gets what is
/// worth saying but prints).
pub fn place(
    item: &crate::validate::Item,
    z: &crate::validate::Zone,
    img: &StationImage,
    notes: &mut Vec<String>,
) -> Result<Vec<crate::scene::Element>, String> {
    use crate::library::{Align, Fit, PrintAs};
    use crate::scene::{Element, Paint, Raster};
    let [x, y, w, h] = z.rect.map(crate::mm);
    let (iw, ih) = img.size();
    let vector = matches!(img.kind, Kind::Vector(_));
    // A vector logo is always shown whole: it has no pixels to spare.
    let cover = z.fit == Fit::Cover && !vector;
    let scale = if cover { (w / iw).max(h / ih) } else { (w / iw).min(h / ih) };
    let (pw, ph) = (iw * scale, ih * scale);
    let off = |a: Align, room: f64| match a {
        Align::Start if !cover => 0.0,
        Align::End if !cover => room,
        _ => room / 2.0,
    };
    let rect = [x + off(z.align, w - pw), y + off(z.valign, h - ph), pw, ph];
    let paint = z.ink.map(|ink| Paint { ink, tint: z.tint, overprint: false });
    if let Kind::Vector(v) = &img.kind {
        let Some(paint) = paint else {
            return Err("a vector logo prints in the zone's ink, and the zone has none".into());
        };
        let (sx, sy) = (pw / v.width, ph / v.height);
        let path = v.path.mapped(|a, b| (rect[0] + a * sx, rect[1] + b * sy));
        return Ok(vec![Element::Fill { path, paint }]);
    }
    let (pxw, _) = img.pixel_size().unwrap_or((1, 1));
    // Pixels per inch at the printed size (the same both ways: the scale is uniform).
    let ppi = f64::from(pxw) / (pw / 72.0);
    let floor = item.minimums.image_ppi.unwrap_or(crate::library::Minimums::DEFAULT_IMAGE_PPI);
    let (wmm, hmm) = (pw / crate::PT_PER_MM, ph / crate::PT_PER_MM);
    let at = format!(
        "{} × {} pixels printed at {wmm:.1} × {hmm:.1} mm is {ppi:.0} ppi",
        pxw,
        img.pixel_size().map_or(0, |p| p.1)
    );
    // Largest print size at the floor, for the message.
    let (fw, fh) = (iw / floor * 25.4, ih / floor * 25.4);
    let qr = z.source == Some(Source::QrImage);
    // A QR code's measure is its module (below), not its pixels: its
    // modules are sharp at any resolution, and the mask is enlarged pixel
    // for pixel to the floor so a preflight's resolution check holds too.
    if !qr && ppi < floor * PPI_REFUSE_SHARE {
        return Err(format!(
            "{at}, below the item's floor of {floor:.0} ppi (refused under {:.0}): it would print blurred; at {floor:.0} ppi this file covers at most {fw:.1} × {fh:.1} mm, or give {:.0} × {:.0} pixels or more",
            floor * PPI_REFUSE_SHARE,
            (wmm / 25.4 * floor).ceil(),
            (hmm / 25.4 * floor).ceil()
        ));
    }
    if !qr && ppi < floor {
        notes.push(format!(
            "item `{}` zone `{}`: `{}` ({}): {at}, a little under the item's {floor:.0} ppi; it prints, slightly soft",
            item.id,
            z.id,
            img.field,
            img.file.display()
        ));
    }
    let how = match (z.print_as, z.source) {
        (_, Some(Source::QrImage)) => PrintAs::Threshold,
        (Some(p), _) => p,
        (None, _) if !item.process.uses_spot_inks() => PrintAs::Colour,
        (None, Some(Source::Photo)) => PrintAs::Halftone,
        (None, _) => PrintAs::Threshold,
    };
    if z.source == Some(Source::QrImage) {
        let (module_px, modules) = img.qr_module()?;
        let module_mm = module_px * pw / f64::from(pxw) / crate::PT_PER_MM;
        let min = item.minimums.qr_module.unwrap_or_else(|| item.process.default_qr_module());
        if module_mm + 1e-9 < min {
            return Err(format!(
                "the QR code's {modules} modules a side print {module_mm:.2} mm each, below the item's minimum module of {min} mm: make the zone at least {:.1} mm wide, or give a QR code with fewer modules (a shorter link)",
                min / module_mm * wmm
            ));
        }
    }
    let clip = [x, y, w, h];
    let element = match how {
        PrintAs::Colour => Raster { rect, clip, pixels: img.cmyk()?, paint: None },
        PrintAs::Threshold => {
            let Some(paint) = paint else {
                return Err("a threshold prints in the zone's ink, and the zone has none".into());
            };
            let mut pixels = img.threshold().ok_or("a vector picture has no pixels")?;
            if qr && ppi < floor {
                pixels = enlarged(&pixels, (floor / ppi).ceil().min(64.0) as u32);
            }
            Raster { rect, clip, pixels, paint: Some(paint) }
        }
        PrintAs::Halftone => {
            let Some(paint) = paint else {
                return Err("a halftone prints in the zone's ink, and the zone has none".into());
            };
            let Some((pixels, covered)) = halftone(img, rect, clip, item.line_screen) else { return Ok(Vec::new()) };
            Raster { rect: covered, clip, pixels, paint: Some(paint) }
        }
    };
    Ok(vec![Element::Raster(element)])
}
