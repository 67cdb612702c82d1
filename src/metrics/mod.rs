//! Compute stage: a validated project and its CSV data in, [`computed::Computed`] out.

pub mod computed;
pub mod drivers;
