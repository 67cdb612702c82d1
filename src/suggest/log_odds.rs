//! `topics suggest`, step two: which terms tell detractors from promoters.
//!
//! Input: each term's weighted count among detractors' and promoters'
//! comments. Output: each term's z-score — positive when detractors use it
//! more, negative when promoters do. It exists apart because it is the one
//! formula of the command, and is checked here against numbers worked by hand.
//!
//! **The statistic** is the weighted log-odds ratio with an informative
//! Dirichlet prior of Monroe, Colaresi & Quinn (2008), "Fightin' Words:
//! Lexical Feature Selection and Evaluation for Identifying the Content of
//! Political Conflict", *Political Analysis* 16(4), §3.5. With `y_w^D`,
//! `y_w^P` the counts of term `w` in the two groups, `n^D`, `n^P` their
//! totals (over every term), `n = n^D + n^P`, `y_w = y_w^D + y_w^P` and the
//! prior `α_w = α0 · y_w / n`:
//!
//! ```text
//! δ_w  = ln((y_w^D + α_w) / (n^D + α0 − y_w^D − α_w)) − ln((y_w^P + α_w) / (n^P + α0 − y_w^P − α_w))
//! σ²_w ≈ 1/(y_w^D + α_w) + 1/(y_w^P + α_w)
//! z_w  = δ_w / σ_w
//! ```
//!
//! The prior's strength is `α0 = n`: the pooled comments themselves are the
//! prior, as strong as the data. That shrinks the log-odds of rare terms
//! toward zero (a word two detractors wrote once does not top the list) and
//! dividing by σ rewards terms that are both frequent and lopsided — the
//! paper's remedy for both the raw-frequency lists, topped by function words,
//! and the plain log-odds lists, topped by words used once.

/// A term's weighted counts: (detractors, promoters).
pub type Counts = (f64, f64);

/// The totals of both groups and the prior's strength.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Totals {
    /// `n^D`: every term's count among detractors, summed.
    pub detractors: f64,
    /// `n^P`: the same among promoters.
    pub promoters: f64,
    /// `α0`, the prior's total weight.
    pub alpha0: f64,
}

impl Totals {
    /// The totals of `counts` with the prior this command uses, `α0 = n`.
    pub fn of(counts: impl IntoIterator<Item = Counts>) -> Totals {
        let (detractors, promoters) = counts
            .into_iter()
            .fold((0.0, 0.0), |(d, p), (yd, yp)| (d + yd, p + yp));
        Totals {
            detractors,
            promoters,
            alpha0: detractors + promoters,
        }
    }
}

/// `z_w` of a term with counts `(y_d, y_p)`; `None` when it is not defined:
/// a term no comment carries (with weight), or one group without any term
/// at all (nothing to compare with), or a term that is every term of the
/// corpus (the odds' denominators vanish).
pub fn z_score((y_d, y_p): Counts, totals: &Totals) -> Option<f64> {
    let n = totals.detractors + totals.promoters;
    let y = y_d + y_p;
    // n = 0 or y = 0 first: no prior, no count, nothing to say.
    if totals.detractors <= 0.0 || totals.promoters <= 0.0 || y <= 0.0 {
        return None;
    }
    let alpha = totals.alpha0 * y / n;
    let odds = |y_g: f64, n_g: f64| (y_g + alpha) / (n_g + totals.alpha0 - y_g - alpha);
    let delta = odds(y_d, totals.detractors).ln() - odds(y_p, totals.promoters).ln();
    let variance = 1.0 / (y_d + alpha) + 1.0 / (y_p + alpha);
    let z = delta / variance.sqrt();
    z.is_finite().then_some(z)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Worked on paper. Detractors wrote `slow` 3 times and `great` once
    /// (n^D = 4); promoters `slow` once and `great` 5 times (n^P = 6);
    /// n = 10, α0 = n = 10.
    ///
    /// slow:  y = 4, α = 10·4/10 = 4.
    ///        δ = ln((3+4)/(4+10−3−4)) − ln((1+4)/(6+10−1−4)) = ln(7/7) − ln(5/11) = ln 2.2 = 0.788457
    ///        σ² = 1/7 + 1/5 = 0.342857;  z = 0.788457 / 0.585540 = 1.346547
    /// great: y = 6, α = 6.
    ///        δ = ln((1+6)/(4+10−1−6)) − ln((5+6)/(6+10−5−6)) = ln(7/7) − ln(11/5) = −0.788457
    ///        σ² = 1/7 + 1/11 = 0.233766;  z = −0.788457 / 0.483494 = −1.630750
    #[test]
    fn two_terms_worked_by_hand() {
        let counts = [(3.0, 1.0), (1.0, 5.0)];
        let totals = Totals::of(counts);
        assert_eq!(
            totals,
            Totals {
                detractors: 4.0,
                promoters: 6.0,
                alpha0: 10.0
            }
        );
        let slow = z_score(counts[0], &totals).unwrap();
        let great = z_score(counts[1], &totals).unwrap();
        assert!((slow - 1.346547).abs() < 1e-6, "{slow}");
        assert!((great - -1.630750).abs() < 1e-6, "{great}");
    }

    /// The same counts with a weaker prior, α0 = 5 (the general α_w = α0·y_w/n):
    ///
    /// slow:  α = 5·4/10 = 2.
    ///        δ = ln((3+2)/(4+5−3−2)) − ln((1+2)/(6+5−1−2)) = ln(5/4) − ln(3/8) = ln(10/3) = 1.203973
    ///        σ² = 1/5 + 1/3 = 0.533333;  z = 1.203973 / 0.730297 = 1.648608
    /// great: α = 5·6/10 = 3.
    ///        δ = ln((1+3)/(4+5−1−3)) − ln((5+3)/(6+5−5−3)) = ln(4/5) − ln(8/3) = −1.203973
    ///        σ² = 1/4 + 1/8 = 0.375;  z = −1.203973 / 0.612372 = −1.966079
    #[test]
    fn a_weaker_prior_moves_the_scores_away_from_zero() {
        let totals = Totals {
            detractors: 4.0,
            promoters: 6.0,
            alpha0: 5.0,
        };
        let slow = z_score((3.0, 1.0), &totals).unwrap();
        let great = z_score((1.0, 5.0), &totals).unwrap();
        assert!((slow - 1.648608).abs() < 1e-6, "{slow}");
        assert!((great - -1.966079).abs() < 1e-6, "{great}");
    }

    #[test]
    fn z_grows_with_the_square_root_of_the_counts_scale() {
        // Doubling every count keeps δ (the odds are ratios) and shrinks σ by
        // √2: why the caller rescales weights to average 1 (z must not depend
        // on the unit of a weight column).
        let counts = [(3.0, 1.0), (1.0, 5.0)];
        let doubled = [(6.0, 2.0), (2.0, 10.0)];
        let z1 = z_score(counts[0], &Totals::of(counts)).unwrap();
        let z2 = z_score(doubled[0], &Totals::of(doubled)).unwrap();
        assert!((z2 / z1 - 2f64.sqrt()).abs() < 1e-12, "{z1} {z2}");
    }

    #[test]
    fn undefined_cases_give_no_score_and_never_panic() {
        // No promoters' terms at all: nothing to compare with.
        let totals = Totals::of([(3.0, 0.0)]);
        assert_eq!(z_score((3.0, 0.0), &totals), None);
        // A term of weight zero.
        let totals = Totals::of([(3.0, 1.0), (0.0, 0.0)]);
        assert_eq!(z_score((0.0, 0.0), &totals), None);
        // The only term of the corpus: its odds' denominators are zero.
        let totals = Totals::of([(2.0, 2.0)]);
        assert_eq!(z_score((2.0, 2.0), &totals), None);
        // Empty.
        let totals = Totals::of(Vec::new());
        assert_eq!(z_score((0.0, 0.0), &totals), None);
    }

    #[test]
    fn a_term_used_alike_by_both_groups_scores_zero() {
        let counts = [(2.0, 3.0), (2.0, 3.0)];
        let z = z_score(counts[0], &Totals::of(counts)).unwrap();
        assert!(z.abs() < 1e-12, "{z}");
    }
}
