//! The pipeline: load → validate → compute → render → write.
