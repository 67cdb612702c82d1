//! Charts: pure functions from a view struct to SVG text.
