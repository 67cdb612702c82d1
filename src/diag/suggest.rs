//! "Did you mean" hints: the closest known name to a typo, when one is close.

/// Returns the candidate closest to `typo`, if it is close enough to be a likely typo.
///
/// Typos of ids and keys are the most common mistake in hand-edited YAML; a
/// hint that names the intended word saves a trip to the docs. A candidate is
/// "close" when its edit distance (with transpositions, so `nsp` is one edit
/// from `nps`) is at most a third of the typo's length (at least 1), or when
/// its Jaro-Winkler similarity is at least 0.8 (which catches long names with
/// a shared prefix). The closest by edit distance wins, then by similarity,
/// then by text, so the hint is stable.
pub fn did_you_mean<'a, I>(typo: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = &'a str>,
{
    let max_edits = (typo.chars().count() / 3).max(1);
    let mut best: Option<(usize, f64, &str)> = None;
    for candidate in candidates {
        if candidate == typo {
            continue;
        }
        let edits = strsim::osa_distance(typo, candidate);
        let similarity = strsim::jaro_winkler(typo, candidate);
        if edits > max_edits && similarity < 0.8 {
            continue;
        }
        let better = match best {
            None => true,
            Some((e, s, c)) => (edits, -similarity, candidate) < (e, -s, c),
        };
        if better {
            best = Some((edits, similarity, candidate));
        }
    }
    best.map(|(_, _, c)| format!("did you mean `{c}`?"))
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

    #[test]
    fn a_transposition_in_a_short_word_is_one_edit() {
        let metrics = ["nps", "csat", "ces", "mean", "count"];
        assert_eq!(
            did_you_mean("nsp", metrics).as_deref(),
            Some("did you mean `nps`?")
        );
        assert_eq!(
            did_you_mean("cstat", metrics).as_deref(),
            Some("did you mean `csat`?")
        );
        assert_eq!(did_you_mean("xyz", metrics), None);
    }

    #[test]
    fn never_suggests_the_word_itself() {
        assert_eq!(did_you_mean("nps", ["nps"]), None);
    }
}
