//! Compute stage: a validated project and its CSV data in, [`computed::Computed`] out.

pub mod acc;
pub mod computed;
pub mod drivers;
pub mod estimate;
pub mod intervals;
pub mod measure;
pub mod pass;
pub mod periods;
pub mod rounding;
pub mod status;
