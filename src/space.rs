//! Empty space on a built scene: the largest axis-aligned rectangle of the
//! safe area that no text, picture, rule or frame touches. A designer's rule
//! of thumb is that a blank patch over about a quarter of the page reads as
//! "something is missing"; the styles are held to it in the tests.
//!
//! Measured on a grid of about [`CELLS`] square cells over the safe area (a
//! cell is empty when nothing printed reaches into it). Grounds do not count
//! as content: the background, and any filled shape larger than
//! [`GROUND`] of the safe area (a colour panel), since what matters is what
//! sits on them. Outside a shaped die line (a circle, a triangle, the strips
//! of a couplet) cells are neither empty nor part of the area.

use crate::layout::glyph_path;
use crate::scene::{Element, Path, Scene, Seg};
use crate::validate::{Die, Item};

/// Cells in the grid, about: fine enough that a line's gap is not a hole,
/// coarse enough to measure every item × style × slogan in the tests.
pub const CELLS: f64 = 4000.0;

/// A filled shape covering more than this share of the safe area is a ground.
pub const GROUND: f64 = 0.25;

/// The largest empty rectangle found.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Empty {
    /// [x, y, width, height], mm from the trim's top-left corner.
    pub rect: [f64; 4],
    /// Its area over the safe area's (inside the die line, if shaped).
    pub fraction: f64,
}

/// The largest empty rectangle of the first piece's safe area.
pub fn largest_empty(scene: &Scene, item: &Item) -> Empty {
    let s = item.safe;
    let (x0, y0, w, h) = (s, s, item.width - 2.0 * s, item.height - 2.0 * s);
    let cell = (w * h / CELLS).sqrt().max(0.5);
    let (cols, rows) = (((w / cell).ceil() as usize).max(1), ((h / cell).ceil() as usize).max(1));
    let (cw, ch) = (w / cols as f64, h / rows as f64);
    // 0: outside the area, 1: empty, 2: covered.
    let mut grid = vec![0u8; cols * rows];
    for r in 0..rows {
        for c in 0..cols {
            let p = [x0 + (c as f64 + 0.5) * cw, y0 + (r as f64 + 0.5) * ch];
            let inside = match item.die_line.as_ref().map(|(d, _)| d) {
                None | Some(Die::Rect { .. }) => true,
                Some(d) => d.holds(p, item.width, item.height, s),
            };
            grid[r * cols + c] = u8::from(inside);
        }
    }
    let area = grid.iter().filter(|&&g| g == 1).count().max(1) as f64;
    // Mark what a box (mm) reaches.
    let mut cover = |b: [f64; 4]| {
        let c0 = ((b[0] - x0) / cw).floor().max(0.0) as usize;
        let r0 = ((b[1] - y0) / ch).floor().max(0.0) as usize;
        let c1 = (((b[2] - x0) / cw).ceil().max(0.0) as usize).min(cols);
        let r1 = (((b[3] - y0) / ch).ceil().max(0.0) as usize).min(rows);
        for r in r0..r1 {
            for c in c0..c1 {
                if grid[r * cols + c] == 1 {
                    grid[r * cols + c] = 2;
                }
            }
        }
    };
    // What the product's use covers is not a dead area of the design.
    for b in &item.keep_clear {
        cover([b[0], b[1], b[0] + b[2], b[1] + b[3]]);
    }
    let to_mm = 1.0 / crate::PT_PER_MM;
    for e in &scene.elements {
        match e {
            Element::Fill { path, .. } => {
                if let Some(b) = path.bounds() {
                    let b = b.map(|v| v * to_mm);
                    if (b[2] - b[0]) * (b[3] - b[1]) <= GROUND * w * h {
                        cover(b);
                    }
                }
            }
            Element::Stroke { path, width, .. } => {
                // Along the stroke only: a frame's inside stays empty.
                let half = width / 2.0 * to_mm;
                for [a, b] in segments(path) {
                    let n = (((b[0] - a[0]).hypot(b[1] - a[1]) * to_mm / cw.min(ch)).ceil() as usize).max(1);
                    for i in 0..=n {
                        let t = i as f64 / n as f64;
                        let (x, y) = ((a[0] + (b[0] - a[0]) * t) * to_mm, (a[1] + (b[1] - a[1]) * t) * to_mm);
                        cover([x - half, y - half, x + half, y + half]);
                    }
                }
            }
            Element::Text(run) => {
                for g in &run.glyphs {
                    if let Some(b) = glyph_path(&run.font, g).bounds() {
                        cover(b.map(|v| v * to_mm));
                    }
                }
            }
            Element::Image(img) => {
                let [x, y, w, h] = img.rect.map(|v| v * to_mm);
                cover([x, y, x + w, y + h]);
            }
            Element::Raster(r) => {
                let ([x, y, w, h], [cx, cy, cw, ch]) = (r.rect.map(|v| v * to_mm), r.clip.map(|v| v * to_mm));
                cover([x.max(cx), y.max(cy), (x + w).min(cx + cw), (y + h).min(cy + ch)]);
            }
        }
    }
    let (best, [c, r, bw, bh]) = largest_rect(&grid, cols, rows);
    Empty {
        rect: [x0 + c as f64 * cw, y0 + r as f64 * ch, bw as f64 * cw, bh as f64 * ch],
        fraction: best as f64 / area,
    }
}

/// A path as straight pieces (a cubic by its control polygon: enough for a
/// grid of millimetre cells).
fn segments(p: &Path) -> Vec<[[f64; 2]; 2]> {
    let (mut out, mut at, mut start) = (Vec::new(), [0.0, 0.0], [0.0, 0.0]);
    for s in &p.0 {
        match *s {
            Seg::Move(x, y) => {
                at = [x, y];
                start = at;
            }
            Seg::Line(x, y) => {
                out.push([at, [x, y]]);
                at = [x, y];
            }
            Seg::Cubic(a, b, c, d, e, f) => {
                out.extend([[at, [a, b]], [[a, b], [c, d]], [[c, d], [e, f]]]);
                at = [e, f];
            }
            Seg::Close => {
                out.push([at, start]);
                at = start;
            }
        }
    }
    out
}

/// The largest rectangle of empty cells (value 1): its cell count and
/// [column, row, width, height] in cells. Row by row, the heights of empty
/// runs above form a histogram whose largest rectangle a stack finds.
fn largest_rect(grid: &[u8], cols: usize, rows: usize) -> (usize, [usize; 4]) {
    let mut heights = vec![0usize; cols];
    let mut best = (0, [0, 0, 0, 0]);
    for r in 0..rows {
        for c in 0..cols {
            heights[c] = if grid[r * cols + c] == 1 { heights[c] + 1 } else { 0 };
        }
        let mut stack: Vec<usize> = Vec::new();
        for c in 0..=cols {
            let hc = if c < cols { heights[c] } else { 0 };
            while let Some(&top) = stack.last() {
                if heights[top] < hc {
                    break;
                }
                stack.pop();
                let left = stack.last().map_or(0, |&l| l + 1);
                let (wd, ht) = (c - left, heights[top]);
                if wd * ht > best.0 {
                    best = (wd * ht, [left, r + 1 - ht, wd, ht]);
                }
            }
            stack.push(c);
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn largest_rect_finds_the_hole_beside_a_block() {
        // 6 × 4, a covered column at c = 2: the best is the 3 × 4 on the right.
        let mut g = vec![1u8; 24];
        for r in 0..4 {
            g[r * 6 + 2] = 2;
        }
        assert_eq!(largest_rect(&g, 6, 4), (12, [3, 0, 3, 4]));
        // Outside cells break rectangles like covered ones.
        g[6 * 3 + 5] = 0;
        assert_eq!(largest_rect(&g, 6, 4), (9, [3, 0, 3, 3]));
        assert_eq!(largest_rect(&[2u8; 4], 2, 2).0, 0);
    }
}
