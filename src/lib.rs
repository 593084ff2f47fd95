//! jiediqi (接地气): print-ready publicity material from down-to-earth slogans
//! and item templates.
//!
//! Pipeline: [`library`] (YAML as written) → [`validate`] (checked model, every
//! problem at once) → [`layout`] (line breaks, fitting, glyph placement) →
//! [`scene`] (display list in points) → [`export`] (PDF, SVG, PNG as bytes).
//! Every file is written through [`fsio`].
#![forbid(unsafe_code)]

pub mod cli;
pub mod color;
pub mod diag;
pub mod document;
pub mod edit;
pub mod export;
pub mod fault;
pub mod fonts;
pub mod fsio;
#[doc(hidden)]
pub mod fuzzing;
pub mod images;
pub mod layout;
pub mod library;
pub mod linebreak;
pub mod lint;
pub mod mockup;
pub mod order;
pub mod package;
pub mod pictogram;
pub mod preflight;
pub mod proof;
pub mod review;
pub mod routing;
pub mod scene;
pub mod segment;
pub mod slogan_index;
pub mod space;
pub mod studio;
pub mod timefmt;
pub mod validate;
pub mod zip;

/// Points per millimetre: the scene works in PostScript points (1/72 in).
pub const PT_PER_MM: f64 = 72.0 / 25.4;

/// Millimetres to points.
pub fn mm(v: f64) -> f64 {
    v * PT_PER_MM
}
