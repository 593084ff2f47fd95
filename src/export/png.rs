//! PNG proofs: the trim area drawn by resvg from the scene's SVG, so the proof
//! shows exactly the geometry that is printed.

use super::svg::{self, Area, SvgOptions};
use crate::scene::Scene;

#[derive(Debug, Clone)]
pub struct PngOptions {
    pub dpi: f64,
}

impl Default for PngOptions {
    fn default() -> Self {
        PngOptions { dpi: 150.0 }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PngError {
    #[error("the proof would be {0}×{1} pixels; lower --dpi")]
    TooLarge(u32, u32),
    #[error("cannot draw the proof: {0}")]
    Render(String),
}

/// Pixel size of the proof.
pub fn pixel_size(scene: &Scene, opts: &PngOptions) -> (u32, u32) {
    let px = |pt: f64| (pt / 72.0 * opts.dpi).round().max(1.0) as u32;
    (px(scene.width), px(scene.height))
}

pub fn export(scene: &Scene, opts: &PngOptions) -> Result<Vec<u8>, PngError> {
    let (pw, ph) = pixel_size(scene, opts);
    if u64::from(pw) * u64::from(ph) > 400_000_000 {
        return Err(PngError::TooLarge(pw, ph));
    }
    let text = svg::export(scene, &SvgOptions { area: Area::Trim, backdrop: false });
    let tree = resvg::usvg::Tree::from_str(&text, &resvg::usvg::Options::default())
        .map_err(|e| PngError::Render(e.to_string()))?;
    let mut pixmap = resvg::tiny_skia::Pixmap::new(pw, ph).ok_or(PngError::TooLarge(pw, ph))?;
    let bg = svg::backdrop_colour(scene);
    pixmap.fill(resvg::tiny_skia::Color::from_rgba8(bg.0, bg.1, bg.2, 255));
    let size = tree.size();
    let t = resvg::tiny_skia::Transform::from_scale(pw as f32 / size.width(), ph as f32 / size.height());
    resvg::render(&tree, t, &mut pixmap.as_mut());
    encode_rgb(&pixmap, opts.dpi)
}

/// Encode as 8-bit RGB with the fast deflate (fdeflate): the substrate makes
/// every proof opaque, so alpha carries nothing, and the default encoder
/// spent four fifths of a proof's time compressing.
fn encode_rgb(pixmap: &resvg::tiny_skia::Pixmap, dpi: f64) -> Result<Vec<u8>, PngError> {
    let (w, h) = (pixmap.width() as usize, pixmap.height() as usize);
    let mut out = Vec::with_capacity(w * h / 2);
    {
        let mut enc = png::Encoder::new(&mut out, pixmap.width(), pixmap.height());
        enc.set_color(png::ColorType::Rgba);
        enc.set_depth(png::BitDepth::Eight);
        enc.set_compression(png::Compression::Fast);
        enc.set_filter(png::Filter::Sub);
        let ppm = (dpi / 0.0254).round() as u32;
        enc.set_pixel_dims(Some(png::PixelDimensions { xppu: ppm, yppu: ppm, unit: png::Unit::Meter }));
        let err = |e: png::EncodingError| PngError::Render(e.to_string());
        let mut writer = enc.write_header().map_err(err)?;
        writer.write_image_data(pixmap.data()).map_err(err)?;
        writer.finish().map_err(err)?;
    }
    Ok(out)
}
