//! Load and validate stage: the project folder in, a checked [`model::Project`] out.

pub mod model;
