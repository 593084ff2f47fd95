//! Exporters: pure functions from a [`Scene`](crate::scene::Scene) to bytes.
//! PDF for print, SVG for vendors who recolour, PNG proofs drawn from the SVG.

pub mod films;
pub mod outline;
pub mod pdf;
pub mod png;
pub mod svg;
