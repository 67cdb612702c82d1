//! Page builders: one function per kind of page, each returning (path, bytes).

pub mod changes;
pub mod drivers;
pub mod people;
pub mod report;
pub mod reports;
pub mod scorecard;

/// A rendered page: its path in the site and its bytes.
pub type Built = (String, Vec<u8>);
