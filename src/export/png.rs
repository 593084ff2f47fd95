//! PNG proofs: the trim area drawn by resvg from the scene's SVG, so the proof
//! shows exactly the geometry that is printed.

use super::svg::{self, Area, PreviewOptions};
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

/// A scene's SVG parsed and scaled to pixels, ready to draw in bands.
struct Canvas {
    tree: resvg::usvg::Tree,
    width: u32,
    height: u32,
    backdrop: resvg::tiny_skia::Color,
    scale: (f32, f32),
}

impl Canvas {
    fn new(scene: &Scene, dpi: f64, max_pixels: u64) -> Result<Canvas, PngError> {
        let (width, height) = pixel_size(scene, &PngOptions { dpi });
        if u64::from(width) * u64::from(height) > max_pixels {
            return Err(PngError::TooLarge(width, height));
        }
        let text = svg::preview(scene, &PreviewOptions { area: Area::Trim, backdrop: false });
        let tree = resvg::usvg::Tree::from_str(&text, &resvg::usvg::Options::default())
            .map_err(|e| PngError::Render(e.to_string()))?;
        let bg = svg::backdrop_colour(scene);
        let size = tree.size();
        Ok(Canvas {
            width,
            height,
            backdrop: resvg::tiny_skia::Color::from_rgba8(bg.0, bg.1, bg.2, 255),
            scale: (width as f32 / size.width(), height as f32 / size.height()),
            tree,
        })
    }

    /// Draw rows `y0..` into `pixmap` (as many as it holds), backdrop first.
    fn draw(&self, pixmap: &mut resvg::tiny_skia::Pixmap, y0: u32) {
        pixmap.fill(self.backdrop);
        let t = resvg::tiny_skia::Transform::from_row(self.scale.0, 0.0, 0.0, self.scale.1, 0.0, -(y0 as f32));
        resvg::render(&self.tree, t, &mut pixmap.as_mut());
    }
}

/// A PNG encoder with our settings: 8-bit, fdeflate with the Sub filter
/// (the default encoder spent four fifths of a proof's time compressing),
/// the resolution recorded.
fn encoder<W: std::io::Write>(
    out: W,
    width: u32,
    height: u32,
    color: png::ColorType,
    dpi: f64,
) -> png::Encoder<'static, W> {
    let mut enc = png::Encoder::new(out, width, height);
    enc.set_color(color);
    enc.set_depth(png::BitDepth::Eight);
    enc.set_compression(png::Compression::Fast);
    enc.set_filter(png::Filter::Sub);
    let ppm = (dpi / 0.0254).round() as u32;
    enc.set_pixel_dims(Some(png::PixelDimensions { xppu: ppm, yppu: ppm, unit: png::Unit::Meter }));
    enc
}

/// The trim area as 8-bit RGB pixels (for previews placed in other documents).
pub fn render_rgb(scene: &Scene, dpi: f64) -> Result<(u32, u32, Vec<u8>), PngError> {
    let canvas = Canvas::new(scene, dpi, 50_000_000)?;
    let (pw, ph) = (canvas.width, canvas.height);
    let mut pixmap = resvg::tiny_skia::Pixmap::new(pw, ph).ok_or(PngError::TooLarge(pw, ph))?;
    canvas.draw(&mut pixmap, 0);
    let mut rgb = Vec::with_capacity(pw as usize * ph as usize * 3);
    for p in pixmap.data().chunks_exact(4) {
        rgb.extend_from_slice(&p[..3]);
    }
    Ok((pw, ph, rgb))
}

/// A PNG of RGB pixels made by [`render_rgb`].
pub fn encode_rgb(width: u32, height: u32, rgb: &[u8], dpi: f64) -> Result<Vec<u8>, PngError> {
    let err = |e: png::EncodingError| PngError::Render(e.to_string());
    let mut out = Vec::new();
    let mut writer = encoder(&mut out, width, height, png::ColorType::Rgb, dpi).write_header().map_err(err)?;
    writer.write_image_data(rgb).map_err(err)?;
    writer.finish().map_err(err)?;
    Ok(out)
}

/// Rows drawn at a time: a band of an A3 proof is 1.8 MB instead of a
/// 17 MB canvas, which the kernel had to fault in and zero page by page.
const BAND_ROWS: u32 = 512;

pub fn export(scene: &Scene, opts: &PngOptions) -> Result<Vec<u8>, PngError> {
    let canvas = Canvas::new(scene, opts.dpi, 400_000_000)?;
    let (pw, ph) = (canvas.width, canvas.height);
    let band = BAND_ROWS.min(ph);
    let mut pixmap = resvg::tiny_skia::Pixmap::new(pw, band).ok_or(PngError::TooLarge(pw, ph))?;
    let err = |e: png::EncodingError| PngError::Render(e.to_string());
    let mut out = Vec::with_capacity(pw as usize * ph as usize / 2);
    {
        // RGBA straight from the canvas: the backdrop makes every pixel opaque,
        // so premultiplied equals straight alpha and no conversion pass is needed.
        let mut writer = encoder(&mut out, pw, ph, png::ColorType::Rgba, opts.dpi).write_header().map_err(err)?;
        let mut stream = writer.stream_writer().map_err(err)?;
        let row_bytes = pw as usize * 4;
        let mut y0 = 0;
        while y0 < ph {
            let rows = band.min(ph - y0);
            canvas.draw(&mut pixmap, y0);
            std::io::Write::write_all(&mut stream, &pixmap.data()[..rows as usize * row_bytes])
                .map_err(|e| PngError::Render(e.to_string()))?;
            y0 += rows;
        }
        stream.finish().map_err(err)?;
    }
    Ok(out)
}
