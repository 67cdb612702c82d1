//! Data stage: opening CSV datasets and turning bytes into cells.
