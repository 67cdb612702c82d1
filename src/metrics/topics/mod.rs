//! Compute stage: the codebook applied (SPEC §7) — what customers talk about,
//! and what each topic costs or adds.
//!
//! `pass.rs` codes each answered comment once in the dataset's single pass
//! (a [`crate::project::topic_match::Codebook`]: one regex-set scan for
//! every topic) and tallies it per period; `results.rs` finishes the
//! tallies on the report window into [`crate::metrics::computed::TopicResult`]s.

pub mod pass;
pub mod results;

#[cfg(test)]
mod tests;
