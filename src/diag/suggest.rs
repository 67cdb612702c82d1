//! "Did you mean" hints: the closest known name to a typo, when one is close.

/// Returns the candidate closest to `typo`, if it is close enough to be a likely typo.
///
/// Typos of ids and keys are the most common mistake in hand-edited YAML; a
/// hint that names the intended word saves a trip to the docs. "Close" is a
/// Jaro-Winkler similarity of at least 0.8, ties broken by the candidate's text
/// so the hint is stable.
pub fn did_you_mean<'a, I>(typo: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = &'a str>,
{
    let mut best: Option<(f64, &str)> = None;
    for candidate in candidates {
        let score = strsim::jaro_winkler(typo, candidate);
        let better = match best {
            None => true,
            Some((s, c)) => score > s || (score == s && candidate < c),
        };
        if better {
            best = Some((score, candidate));
        }
    }
    best.filter(|(score, _)| *score >= 0.8)
        .map(|(_, c)| format!("did you mean `{c}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_a_close_name_and_nothing_for_a_far_one() {
        let keys = ["target", "thresholds", "direction"];
        assert_eq!(
            did_you_mean("tagret", keys).as_deref(),
            Some("did you mean `target`?")
        );
        assert_eq!(did_you_mean("colour", keys), None);
    }
}
