//! Page builders: one function per kind of page, each returning (path, bytes).

pub mod actions;
pub mod changes;
pub mod dimensions;
mod driver_views;
pub mod drivers;
pub mod journey_grid;
pub mod methods;
pub mod people;
pub mod report;
pub mod reports;
pub mod scorecard;
mod segments;
pub mod topics;
pub mod value;
pub mod window;

pub use crate::site::render::Built;
