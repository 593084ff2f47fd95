//! Screen colours of print inks. CMYK becomes sRGB through the project's
//! output profile (`profiles/jiediqi-fogra39.icc`, FOGRA39), the profile every
//! print PDF carries as its PDF/X output intent, at relative colorimetric
//! intent without black point compensation: paper white is screen white, and
//! 100 % K shows as the dark grey it prints, not as `#000000`. PNG proofs, SVG
//! fill colours and the studio's previews take every ink colour from
//! [`cmyk_to_srgb`]; spot inks through their CMYK alternate, as a RIP or a PDF
//! viewer shows them. Substrate colours are sRGB already and stay as written.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, OnceLock};

use crate::scene::{Ink, Rgb};

/// The output profile, built by `profiles/make-profile.sh` (see `profiles/README.md`).
pub const PROFILE: &[u8] = include_bytes!("../profiles/jiediqi-fogra39.icc");

/// The same profile as a zlib stream, as print PDFs embed it (made by the
/// same script: deflating it in each process cost about 1 ms, 9 M instructions).
pub const PROFILE_ZLIB: &[u8] = include_bytes!("../profiles/jiediqi-fogra39.icc.zlib");

/// The printing condition a profile characterises, as a PDF/X output intent names it.
#[derive(Debug, Clone, Copy)]
pub struct PrintCondition {
    /// A name from the ICC's registry of characterisations.
    pub identifier: &'static str,
    pub condition: &'static str,
    pub registry: &'static str,
    /// The profile's own description.
    pub info: &'static str,
}

/// What [`PROFILE`] characterises (the words of the FOGRA39L data file).
pub const FOGRA39: PrintCondition = PrintCondition {
    identifier: "FOGRA39",
    condition: "Offset printing, according to ISO 12647-2:2004/Amd 1, OFCOM, paper type 1 or 2 = coated art, \
                115 g/m2, tone value increase curves A (CMY) and B (K)",
    registry: "http://www.color.org",
    info: "Jiediqi FOGRA39 (ISO 12647-2:2004 coated, from FOGRA39L data)",
};

type Transform = Arc<moxcms::TransformF64Executor>;

/// How CMYK becomes sRGB.
enum Engine {
    /// The profile's colorimetric table (lut8/lut16, as ArgyllCMS writes
    /// it), evaluated for each colour asked for.
    Table(Box<Table>),
    /// Any other profile: moxcms's own transform.
    Moxcms(Transform),
}

/// The profile parsed (by moxcms) once per process. moxcms's transform
/// samples the whole profile into a 17⁴ grid before its first colour: 25–35 ms
/// measured here, more than drawing a poster proof, for the handful of ink
/// colours a process needs. Evaluating the table itself costs about a
/// microsecond a colour and skips the second interpolation; a test holds it
/// to moxcms's transform and one to Ghostscript's rendering.
fn engine() -> Result<&'static Engine, &'static str> {
    static E: OnceLock<Result<Engine, String>> = OnceLock::new();
    E.get_or_init(|| {
        let profile = moxcms::ColorProfile::new_from_slice(PROFILE).map_err(|e| format!("{e:?}"))?;
        if profile.color_space != moxcms::DataColorSpace::Cmyk {
            return Err("the output profile is not a CMYK profile".into());
        }
        match Table::of(&profile) {
            Some(t) => Ok(Engine::Table(Box::new(t))),
            None => moxcms_transform(&profile).map(Engine::Moxcms),
        }
    })
    .as_ref()
    .map_err(String::as_str)
}

fn moxcms_transform(profile: &moxcms::ColorProfile) -> Result<Transform, String> {
    let opts = moxcms::TransformOptions {
        rendering_intent: moxcms::RenderingIntent::RelativeColorimetric,
        ..Default::default()
    };
    profile
        .create_transform_f64(moxcms::Layout::Rgba, &moxcms::ColorProfile::new_srgb(), moxcms::Layout::Rgb, opts)
        .map_err(|e| format!("{e:?}"))
}

/// A CMYK → Lab table (ICC lut8Type/lut16Type): input curves, a grid,
/// output curves; its Lab is relative to the paper (colorimetric intent).
struct Table {
    lut: moxcms::LutDataType,
    /// XYZ (D50, the ICC's PCS) to linear sRGB: the sRGB profile's colorants
    /// adapted to D50, inverted, as an ICC colour engine does.
    xyz_to_rgb: [[f64; 3]; 3],
}

impl Table {
    fn of(profile: &moxcms::ColorProfile) -> Option<Table> {
        let Some(moxcms::LutWarehouse::Lut(lut)) = &profile.lut_a_to_b_colorimetric else { return None };
        let (ni, no, g) = (
            usize::from(lut.num_input_table_entries),
            usize::from(lut.num_output_table_entries),
            usize::from(lut.num_clut_grid_points),
        );
        let len = |s: &moxcms::LutStore| match s {
            moxcms::LutStore::Store8(v) => v.len(),
            moxcms::LutStore::Store16(v) => v.len(),
        };
        let shaped = profile.pcs == moxcms::DataColorSpace::Lab
            && lut.num_input_channels == 4
            && lut.num_output_channels == 3
            && ni >= 2
            && no >= 2
            && g >= 2
            && len(&lut.input_table) == 4 * ni
            && len(&lut.output_table) == 3 * no
            && len(&lut.clut_table) == g.pow(4) * 3;
        let m = moxcms::ColorProfile::new_srgb().rgb_to_xyz_matrix().inverse();
        shaped.then(|| Table { lut: lut.clone(), xyz_to_rgb: m.v })
    }

    fn value(store: &moxcms::LutStore, i: usize) -> f64 {
        match store {
            moxcms::LutStore::Store8(v) => f64::from(v[i]) / 255.0,
            moxcms::LutStore::Store16(v) => f64::from(v[i]) / 65535.0,
        }
    }

    /// A 1-D table of `n` entries for channel `ch`, linearly interpolated at `x` (0–1).
    fn curve(store: &moxcms::LutStore, ch: usize, n: usize, x: f64) -> f64 {
        let p = x.clamp(0.0, 1.0) * (n - 1) as f64;
        let i = (p as usize).min(n - 2);
        let (a, b) = (Self::value(store, ch * n + i), Self::value(store, ch * n + i + 1));
        a + (b - a) * (p - i as f64)
    }

    /// Lab (D50, relative to the paper) of CMYK ink amounts.
    fn lab(&self, cmyk: [f64; 4]) -> [f64; 3] {
        let l = &self.lut;
        let (ni, no, g) = (
            usize::from(l.num_input_table_entries),
            usize::from(l.num_output_table_entries),
            usize::from(l.num_clut_grid_points),
        );
        let x: [f64; 4] = std::array::from_fn(|c| Self::curve(&l.input_table, c, ni, cmyk[c]) * (g - 1) as f64);
        let base = x.map(|p| (p as usize).min(g - 2));
        let frac: [f64; 4] = std::array::from_fn(|d| x[d] - base[d] as f64);
        // The 16 corners of the grid cell, weighted (the first channel varies slowest).
        let mut pcs = [0.0f64; 3];
        for corner in 0..16usize {
            let mut w = 1.0;
            let mut index = 0;
            for d in 0..4 {
                let up = corner >> (3 - d) & 1;
                w *= if up == 1 { frac[d] } else { 1.0 - frac[d] };
                index = index * g + base[d] + up;
            }
            if w > 0.0 {
                for (o, v) in pcs.iter_mut().enumerate() {
                    *v += w * Self::value(&l.clut_table, index * 3 + o);
                }
            }
        }
        let v: [f64; 3] = std::array::from_fn(|o| Self::curve(&l.output_table, o, no, pcs[o]));
        // ICC v2 Lab: 16-bit tables put L* 100 at 0xFF00, 8-bit ones at 0xFF.
        let scale = match l.output_table {
            moxcms::LutStore::Store16(_) => 65535.0 / 65280.0,
            moxcms::LutStore::Store8(_) => 1.0,
        };
        [v[0] * scale * 100.0, v[1] * scale * 255.0 - 128.0, v[2] * scale * 255.0 - 128.0]
    }

    fn srgb(&self, cmyk: [f64; 4]) -> [f64; 3] {
        let [l, a, b] = self.lab(cmyk);
        let fy = (l + 16.0) / 116.0;
        let (fx, fz) = (fy + a / 500.0, fy - b / 200.0);
        let inv = |t: f64| {
            let d: f64 = 6.0 / 29.0;
            if t > d { t * t * t } else { 3.0 * d * d * (t - 4.0 / 29.0) }
        };
        // The ICC's D50 white.
        let xyz = [0.9642 * inv(fx), inv(fy), 0.8249 * inv(fz)];
        let m = &self.xyz_to_rgb;
        let encode = |v: f64| {
            let v = v.clamp(0.0, 1.0);
            if v <= 0.003_130_8 { 12.92 * v } else { 1.055 * v.powf(1.0 / 2.4) - 0.055 }
        };
        std::array::from_fn(|r| encode(m[r][0] * xyz[0] + m[r][1] * xyz[1] + m[r][2] * xyz[2]))
    }
}

/// Whether colours go through the profile; the reason when they cannot (the
/// profile is compiled in and tested, so only a damaged build says so).
pub fn status() -> Result<(), String> {
    engine().map(|_| ()).map_err(|e| format!("the output profile cannot be used for proof colours: {e}"))
}

/// Steps per ink: 1/10 000, a hundredth of a percent, far finer than 8-bit sRGB.
const STEPS: f64 = 10_000.0;

/// Colours converted so far: a process draws a few inks at a few tints, so
/// each distinct colour is converted once.
static CACHE: Mutex<BTreeMap<[u16; 4], Rgb>> = Mutex::new(BTreeMap::new());

/// The sRGB colour of CMYK ink amounts (0–1 each) printed on the profile's paper.
pub fn cmyk_to_srgb(cmyk: [f64; 4]) -> Rgb {
    let key = cmyk.map(|v| (if v.is_finite() { v.clamp(0.0, 1.0) } else { 0.0 } * STEPS).round() as u16);
    if let Some(hit) = CACHE.lock().ok().and_then(|m| m.get(&key).copied()) {
        return hit;
    }
    let rgb = convert(key.map(|v| f64::from(v) / STEPS));
    if let Ok(mut m) = CACHE.lock() {
        // Bounded: a run of all-different tints must not grow without end.
        if m.len() >= 4096 {
            m.clear();
        }
        m.insert(key, rgb);
    }
    rgb
}

/// An ink at a tint (0–1), as it prints on white paper: the profile's colour
/// of the tinted CMYK values (a Separation's tint transform is linear in its
/// alternate), not a mix of the solid with white, which would miss dot gain.
pub fn ink_srgb(ink: &Ink, tint: f64) -> Rgb {
    cmyk_to_srgb(ink.cmyk().map(|v| v * tint))
}

/// How far (CIEDE2000) an ink's CMYK values may show from the `preview:`
/// colour its template or order gives. Spot inks outside what CMYK prints
/// differ by several units (PANTONE Black 6 C against 100 % K: 9); a
/// mistyped alternate (a swapped or dropped digit) by far more.
pub const PREVIEW_TOLERANCE: f64 = 12.0;

/// Why an ink's CMYK values do not look like its `preview:` colour, if they do not.
pub fn preview_mismatch(ink: &Ink) -> Option<String> {
    let want = ink.preview?;
    let got = ink_srgb(ink, 1.0);
    let de = delta_e2000_srgb(got, want);
    let [c, m, y, k] = ink.cmyk().map(|v| (v * 100.0).round() as i64);
    (de > PREVIEW_TOLERANCE).then(|| {
        format!(
            "ink `{}` ({}): its CMYK {c}/{m}/{y}/{k} prints as {}, ΔE2000 {de:.0} from its preview {} (at most {PREVIEW_TOLERANCE} allowed)",
            ink.id,
            ink.label(),
            got.hex(),
            want.hex()
        )
    })
}

/// The hint that goes with [`preview_mismatch`].
pub const PREVIEW_HINT: &str = "proofs and CMYK printers use `cmyk`: check it against the ink's swatch book \
                                (its FOGRA39 coated values); if the ink lies outside what CMYK prints, remove `preview:`";

fn convert(cmyk: [f64; 4]) -> Rgb {
    let b = |v: f64| (v.clamp(0.0, 1.0) * 255.0).round() as u8;
    let mut out = [0.0f64; 3];
    match engine() {
        Ok(Engine::Table(t)) => {
            let [r, g, bl] = t.srgb(cmyk);
            Rgb(b(r), b(g), b(bl))
        }
        Ok(Engine::Moxcms(t)) if t.transform(&cmyk, &mut out).is_ok() => Rgb(b(out[0]), b(out[1]), b(out[2])),
        // Only a damaged build gets here (`status` and `jiediqi check` say so):
        // a naive conversion keeps drawing instead of failing every proof.
        _ => {
            let [c, m, y, k] = cmyk;
            let f = |v: f64| ((1.0 - v) * (1.0 - k) * 255.0).round() as u8;
            Rgb(f(c), f(m), f(y))
        }
    }
}

/// CIE L*a*b* of an sRGB colour (D65 white, no adaptation): for differences
/// between screen colours.
pub fn srgb_to_lab(c: Rgb) -> [f64; 3] {
    let lin = |v: u8| {
        let v = f64::from(v) / 255.0;
        if v <= 0.040_45 { v / 12.92 } else { ((v + 0.055) / 1.055).powf(2.4) }
    };
    let (r, g, b) = (lin(c.0), lin(c.1), lin(c.2));
    // IEC 61966-2-1 matrix; the white point is its row sums.
    let x = 0.412_456_4 * r + 0.357_576_1 * g + 0.180_437_5 * b;
    let y = 0.212_672_9 * r + 0.715_152_2 * g + 0.072_175_0 * b;
    let z = 0.019_333_9 * r + 0.119_192_0 * g + 0.950_304_1 * b;
    let (xn, yn, zn) = (0.950_47, 1.0, 1.088_83);
    let f = |t: f64| {
        let d: f64 = 6.0 / 29.0;
        if t > d * d * d { t.cbrt() } else { t / (3.0 * d * d) + 4.0 / 29.0 }
    };
    let (fx, fy, fz) = (f(x / xn), f(y / yn), f(z / zn));
    [116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz)]
}

/// CIEDE2000 colour difference of two L*a*b* colours (kL = kC = kH = 1),
/// after Sharma, Wu and Dalal, "The CIEDE2000 color-difference formula:
/// implementation notes, supplementary test data, and mathematical
/// observations", Color Res. Appl. 30 (2005).
pub fn delta_e2000(lab1: [f64; 3], lab2: [f64; 3]) -> f64 {
    let [l1, a1, b1] = lab1;
    let [l2, a2, b2] = lab2;
    let pow7 = |v: f64| v.powi(7);
    let c_bar = (a1.hypot(b1) + a2.hypot(b2)) / 2.0;
    let g = 0.5 * (1.0 - (pow7(c_bar) / (pow7(c_bar) + pow7(25.0))).sqrt());
    let (a1p, a2p) = ((1.0 + g) * a1, (1.0 + g) * a2);
    let (c1p, c2p) = (a1p.hypot(b1), a2p.hypot(b2));
    // Hue angles in degrees, 0–360; undefined (0) for a neutral colour.
    let hue = |b: f64, a: f64| {
        if a == 0.0 && b == 0.0 {
            0.0
        } else {
            let h = b.atan2(a).to_degrees();
            if h < 0.0 { h + 360.0 } else { h }
        }
    };
    let (h1p, h2p) = (hue(b1, a1p), hue(b2, a2p));
    let dl = l2 - l1;
    let dc = c2p - c1p;
    let dh = if c1p * c2p == 0.0 {
        0.0
    } else if (h2p - h1p).abs() <= 180.0 {
        h2p - h1p
    } else if h2p - h1p > 180.0 {
        h2p - h1p - 360.0
    } else {
        h2p - h1p + 360.0
    };
    let dh_big = 2.0 * (c1p * c2p).sqrt() * (dh / 2.0).to_radians().sin();
    let l_bar = (l1 + l2) / 2.0;
    let c_bar_p = (c1p + c2p) / 2.0;
    let h_bar = if c1p * c2p == 0.0 {
        h1p + h2p
    } else if (h1p - h2p).abs() <= 180.0 {
        (h1p + h2p) / 2.0
    } else if h1p + h2p < 360.0 {
        (h1p + h2p + 360.0) / 2.0
    } else {
        (h1p + h2p - 360.0) / 2.0
    };
    let t = 1.0 - 0.17 * (h_bar - 30.0).to_radians().cos()
        + 0.24 * (2.0 * h_bar).to_radians().cos()
        + 0.32 * (3.0 * h_bar + 6.0).to_radians().cos()
        - 0.20 * (4.0 * h_bar - 63.0).to_radians().cos();
    let d_theta = 30.0 * (-((h_bar - 275.0) / 25.0).powi(2)).exp();
    let r_c = 2.0 * (pow7(c_bar_p) / (pow7(c_bar_p) + pow7(25.0))).sqrt();
    let s_l = 1.0 + 0.015 * (l_bar - 50.0).powi(2) / (20.0 + (l_bar - 50.0).powi(2)).sqrt();
    let s_c = 1.0 + 0.045 * c_bar_p;
    let s_h = 1.0 + 0.015 * c_bar_p * t;
    let r_t = -(2.0 * d_theta).to_radians().sin() * r_c;
    let (tl, tc, th) = (dl / s_l, dc / s_c, dh_big / s_h);
    (tl * tl + tc * tc + th * th + r_t * tc * th).sqrt()
}

/// CIEDE2000 between two sRGB colours.
pub fn delta_e2000_srgb(a: Rgb, b: Rgb) -> f64 {
    delta_e2000(srgb_to_lab(a), srgb_to_lab(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Table 1 of Sharma, Wu and Dalal (2005): 34 pairs and their ΔE00, which
    /// exercise the hue wrap-around, neutral colours and the rotation term.
    const SHARMA: [([f64; 3], [f64; 3], f64); 34] = [
        ([50.0, 2.6772, -79.7751], [50.0, 0.0, -82.7485], 2.0425),
        ([50.0, 3.1571, -77.2803], [50.0, 0.0, -82.7485], 2.8615),
        ([50.0, 2.8361, -74.0200], [50.0, 0.0, -82.7485], 3.4412),
        ([50.0, -1.3802, -84.2814], [50.0, 0.0, -82.7485], 1.0000),
        ([50.0, -1.1848, -84.8006], [50.0, 0.0, -82.7485], 1.0000),
        ([50.0, -0.9009, -85.5211], [50.0, 0.0, -82.7485], 1.0000),
        ([50.0, 0.0, 0.0], [50.0, -1.0, 2.0], 2.3669),
        ([50.0, -1.0, 2.0], [50.0, 0.0, 0.0], 2.3669),
        ([50.0, 2.4900, -0.0010], [50.0, -2.4900, 0.0009], 7.1792),
        ([50.0, 2.4900, -0.0010], [50.0, -2.4900, 0.0010], 7.1792),
        ([50.0, 2.4900, -0.0010], [50.0, -2.4900, 0.0011], 7.2195),
        ([50.0, 2.4900, -0.0010], [50.0, -2.4900, 0.0012], 7.2195),
        ([50.0, -0.0010, 2.4900], [50.0, 0.0009, -2.4900], 4.8045),
        ([50.0, -0.0010, 2.4900], [50.0, 0.0010, -2.4900], 4.8045),
        ([50.0, -0.0010, 2.4900], [50.0, 0.0011, -2.4900], 4.7461),
        ([50.0, 2.5, 0.0], [50.0, 0.0, -2.5], 4.3065),
        ([50.0, 2.5, 0.0], [73.0, 25.0, -18.0], 27.1492),
        ([50.0, 2.5, 0.0], [61.0, -5.0, 29.0], 22.8977),
        ([50.0, 2.5, 0.0], [56.0, -27.0, -3.0], 31.9030),
        ([50.0, 2.5, 0.0], [58.0, 24.0, 15.0], 19.4535),
        ([50.0, 2.5, 0.0], [50.0, 3.1736, 0.5854], 1.0000),
        ([50.0, 2.5, 0.0], [50.0, 3.2972, 0.0], 1.0000),
        ([50.0, 2.5, 0.0], [50.0, 1.8634, 0.5757], 1.0000),
        ([50.0, 2.5, 0.0], [50.0, 3.2592, 0.3350], 1.0000),
        ([60.2574, -34.0099, 36.2677], [60.4626, -34.1751, 39.4387], 1.2644),
        ([63.0109, -31.0961, -5.8663], [62.8187, -29.7946, -4.0864], 1.2630),
        ([61.2901, 3.7196, -5.3901], [61.4292, 2.2480, -4.9620], 1.8731),
        ([35.0831, -44.1164, 3.7933], [35.0232, -40.0716, 1.5901], 1.8645),
        ([22.7233, 20.0904, -46.6940], [23.0331, 14.9730, -42.5619], 2.0373),
        ([36.4612, 47.8580, 18.3852], [36.2715, 50.5065, 21.2231], 1.4146),
        ([90.8027, -2.0831, 1.4410], [91.1528, -1.6435, 0.0447], 1.4441),
        ([90.9257, -0.5406, -0.9208], [88.6381, -0.8985, -0.7239], 1.5381),
        ([6.7747, -0.2908, -2.4247], [5.8714, -0.0985, -2.2286], 0.6377),
        ([2.0776, 0.0795, -1.1350], [0.9033, -0.0636, -0.5514], 0.9082),
    ];

    #[test]
    fn delta_e2000_gives_sharmas_published_differences() {
        for (i, (a, b, want)) in SHARMA.iter().enumerate() {
            // Published to four decimals.
            let got = delta_e2000(*a, *b);
            assert!((got - want).abs() < 5e-5, "pair {}: {got:.5}, published {want}", i + 1);
            let back = delta_e2000(*b, *a);
            assert!((back - got).abs() < 1e-12, "pair {} is not symmetric: {got} vs {back}", i + 1);
        }
        assert_eq!(delta_e2000([53.0, 10.0, -20.0], [53.0, 10.0, -20.0]), 0.0);
    }

    #[test]
    fn srgb_to_lab_matches_known_values() {
        let close = |a: [f64; 3], b: [f64; 3]| a.iter().zip(b).all(|(x, y)| (x - y).abs() < 0.01);
        assert!(close(srgb_to_lab(Rgb(255, 255, 255)), [100.0, 0.0, 0.0]), "{:?}", srgb_to_lab(Rgb(255, 255, 255)));
        assert!(close(srgb_to_lab(Rgb(0, 0, 0)), [0.0, 0.0, 0.0]));
        // #808080 is L* 53.585 in any white.
        assert!((srgb_to_lab(Rgb(128, 128, 128))[0] - 53.585).abs() < 0.01);
        // sRGB red under D65: L* 53.24, a* 80.09, b* 67.20.
        let red = srgb_to_lab(Rgb(255, 0, 0));
        assert!(red.iter().zip([53.24, 80.09, 67.20]).all(|(x, y)| (x - y).abs() < 0.05), "{red:?}");
    }

    #[test]
    fn the_table_gives_what_moxcms_transform_gives() {
        let profile = moxcms::ColorProfile::new_from_slice(PROFILE).unwrap();
        let table = Table::of(&profile).expect("the shipped profile has a lut16 CMYK → Lab table");
        let full = moxcms_transform(&profile).unwrap();
        let steps = [0.0, 0.1, 0.25, 0.4, 0.6, 0.75, 0.9, 1.0];
        let (mut worst, mut sum, mut n) = (0.0f64, 0.0, 0);
        for c in steps {
            for m in steps {
                for y in steps {
                    for k in steps {
                        let cmyk = [c, m, y, k];
                        let mut out = [0.0; 3];
                        full.transform(&cmyk, &mut out).unwrap();
                        let lab = |v: [f64; 3]| {
                            let b = |x: f64| (x.clamp(0.0, 1.0) * 255.0).round() as u8;
                            srgb_to_lab(Rgb(b(v[0]), b(v[1]), b(v[2])))
                        };
                        let de = delta_e2000(lab(table.srgb(cmyk)), lab(out));
                        assert!(de < 1.5, "CMYK {cmyk:?}: ΔE2000 {de:.2} between the table and moxcms");
                        worst = worst.max(de);
                        sum += de;
                        n += 1;
                    }
                }
            }
        }
        assert!(sum / f64::from(n) < 0.5, "mean ΔE2000 {:.2} (worst {worst:.2})", sum / f64::from(n));
    }

    #[test]
    fn the_zlib_copy_is_the_profile() {
        let inflated = miniz_oxide::inflate::decompress_to_vec_zlib(PROFILE_ZLIB).expect("a zlib stream");
        assert!(inflated == PROFILE, "profiles/jiediqi-fogra39.icc.zlib is not the profile");
    }

    #[test]
    fn the_shipped_profile_converts_cmyk() {
        status().expect("the profile builds a transform");
        assert!(matches!(engine(), Ok(Engine::Table(_))), "the shipped profile is evaluated directly");
        // Paper is screen white (relative colorimetric).
        assert_eq!(cmyk_to_srgb([0.0; 4]), Rgb(255, 255, 255));
        // Solid black prints as a dark grey (FOGRA39's K is about L* 16), not #000000.
        let k = cmyk_to_srgb([0.0, 0.0, 0.0, 1.0]);
        let lab = srgb_to_lab(k);
        assert!(lab[1].abs() < 2.0 && lab[2].abs() < 2.0, "100 % K is not neutral: {}", k.hex());
        assert!((10.0..25.0).contains(&lab[0]), "100 % K at L* {:.1} ({})", lab[0], k.hex());
        // The desk mat's green is far duller than the naive #39e65c.
        let green = cmyk_to_srgb([0.75, 0.0, 0.60, 0.10]);
        assert!(delta_e2000_srgb(green, Rgb(0x39, 0xe6, 0x5c)) > 10.0, "{}", green.hex());
        // Tints lighten towards paper, monotonically.
        let l = |t: f64| srgb_to_lab(cmyk_to_srgb([0.75 * t, 0.0, 0.60 * t, 0.10 * t]))[0];
        assert!(l(0.2) > l(0.4) && l(0.4) > l(0.7) && l(0.7) > l(1.0));
        // The same colour, the same answer (cached or not).
        assert_eq!(cmyk_to_srgb([0.75, 0.0, 0.60, 0.10]), green);
        assert_eq!(cmyk_to_srgb([f64::NAN, 2.0, -1.0, 0.0]), cmyk_to_srgb([0.0, 1.0, 0.0, 0.0]));
    }
}
