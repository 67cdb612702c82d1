//! The customer base behind the survey: who answered (a customer id on each
//! survey row) and the CRM extract `crm.csv` (one row per customer).
//!
//! Everything here is drawn from two streams of its own, never from the
//! survey's main stream, so no survey column but `customer_id` depends on it:
//! the *who* stream ([`Customers`]) gives each survey row, in row order, its
//! customer; the *CRM* stream ([`write_crm`]) then draws each customer's plan,
//! add-ons, tenure, tickets and churn, in customer-id order.
//!
//! What is planted (expected values; the committed draw is measured in
//! `tests/cli/example_data.rs`):
//!
//! - **The base.** [`base_size`] customers (16,000 for the 14,400 default
//!   rows), ids `C0000001` … in the CRM, written in id order. Surveyed
//!   customers get ids at random among them (a seeded shuffle).
//! - **Who answers.** The survey is sent after installation and then every 6
//!   months: a row is, with probability [`RETURNING`], a customer of the same
//!   persona and region who last answered at least 6 months earlier (when there
//!   is one), else a customer answering for the first time. About a quarter of
//!   the rows are repeat answers (none in the first 6 months).
//! - **Unmatched.** [`UNMATCHED`] (3 %) of the rows carry the id of an account
//!   closed and purged before the extract: a plausible `C…` id that is not in
//!   `crm.csv` (match rate about 97 %).
//! - **Churn** (`churned`, yes/no at the extract) depends on the NPS group of
//!   the customer's latest answered `q_recommend`: [`CHURN`] — detractors 22 %,
//!   passives 12 %, promoters 7 % — and [`CHURN_BASE`] (12 %) for customers
//!   never surveyed or who never answered that question.
//! - **Spend.** Promoters are on bigger plans and take add-ons more often
//!   ([`PLAN_MIX`], [`ADDONS`]): their mean monthly revenue is about 10 %
//!   above detractors'. Enterprise customers are mostly on the Business plan.
//!   Revenue = the plan's price ([`PRICE_PENCE`]) + add-ons (phone £7.50, TV
//!   £12.00) − an introductory £6.00 in the first 12 months (not Business).
//! - **Tickets** (`tickets_90d`, contact-centre tickets in the 90 days before
//!   the extract): Poisson with mean [`TICKETS_MEAN`] by NPS group, detractors
//!   about three times promoters.
//! - **Tenure** (`tenure_months` at the extract, the end of the last month):
//!   months since the first answer plus what came before it (new subscribers
//!   and porters answer right after joining; movers and enterprise customers
//!   had been customers for years: [`PRIOR_TENURE`]); unsurveyed customers
//!   exponential with mean [`UNSURVEYED_TENURE`]; at most [`MAX_TENURE`].

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::io::{self, Write};

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The CRM extract's header.
pub const CRM_HEADER: &str = "customer_id,plan,tenure_months,monthly_revenue,churned,tickets_90d";
/// Share of survey rows whose customer id is not in the CRM.
pub const UNMATCHED: f64 = 0.03;
/// Chance that a survey row is a customer answering again (6+ months later).
pub const RETURNING: f64 = 0.35;
/// Months between two invitations of one customer.
pub const CADENCE: u32 = 6;
/// Churn rate by the latest answer's NPS group: detractor, passive, promoter.
pub const CHURN: [f64; 3] = [0.22, 0.12, 0.07];
/// Churn rate of customers with no answered `q_recommend`.
pub const CHURN_BASE: f64 = 0.12;
/// Plan names, as written in `plan`.
pub const PLANS: [&str; 4] = ["Fibre 100", "Fibre 500", "Gigabit", "Business"];
/// Monthly price of each plan, in pence.
pub const PRICE_PENCE: [u32; 4] = [2_899, 3_799, 5_299, 6_900];
/// Plan mix of consumer customers by NPS group (detractor, passive,
/// promoter, none): promoters are on bigger plans.
pub const PLAN_MIX: [[f64; 4]; 4] = [
    [0.44, 0.38, 0.16, 0.02],
    [0.40, 0.39, 0.19, 0.02],
    [0.36, 0.40, 0.22, 0.02],
    [0.40, 0.39, 0.19, 0.02],
];
/// Chance of the phone and the TV add-on by NPS group (as [`PLAN_MIX`]).
pub const ADDONS: [[f64; 2]; 4] = [[0.26, 0.14], [0.28, 0.16], [0.30, 0.18], [0.28, 0.16]];
/// Mean contact-centre tickets in 90 days by NPS group (as [`PLAN_MIX`]).
pub const TICKETS_MEAN: [f64; 4] = [0.95, 0.45, 0.30, 0.45];
/// Mean months as a customer before the first answer, by persona
/// (enterprise, new, mover, porter).
pub const PRIOR_TENURE: [f64; 4] = [40.0, 0.5, 30.0, 0.5];
/// Mean tenure of a customer never surveyed.
pub const UNSURVEYED_TENURE: f64 = 34.0;
/// Longest tenure, in months (the operator's first broadband customers).
pub const MAX_TENURE: f64 = 240.0;
/// The base's persona mix (the raking margins of `cxscore.yaml`), for
/// customers never surveyed.
const BASE_PERSONAS: [f64; 4] = [0.15, 0.40, 0.30, 0.15];

/// Customers in the base for `rows` survey rows: 10 for every 9 rows
/// (16,000 for 14,400), so never fewer than the rows.
pub fn base_size(rows: usize) -> usize {
    (rows * 10).div_ceil(9)
}

/// The CRM id of customer number `n`.
fn customer_id(n: u32) -> String {
    format!("C{n:07}")
}

/// What the CRM knows of a surveyed customer.
#[derive(Clone, Copy)]
struct Surveyed {
    persona: usize,
    first_month: u32,
    /// The latest answered likelihood to recommend.
    latest: Option<u8>,
}

/// The *who* stream: gives each survey row, in row order, its customer id.
pub struct Customers {
    rng: ChaCha8Rng,
    /// Shuffled id numbers: `[..base]` the CRM's, `[base..]` purged accounts.
    pool: Vec<u32>,
    base: usize,
    /// Next unused CRM id in `pool`.
    next: usize,
    /// Per persona × region: who answered, in month order, not yet invited again.
    waiting: Vec<VecDeque<(u32, u32)>>,
    /// Per persona × region: who may answer again.
    eligible: Vec<Vec<u32>>,
    /// By id number (index 0 unused): the surveyed customers.
    known: Vec<Option<Surveyed>>,
}

impl Customers {
    /// The base and its streams for `rows` survey rows and `seed`.
    pub fn new(rows: usize, seed: u64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x6375_7374_6f6d_6572);
        let base = base_size(rows);
        let purged = base.div_ceil(25);
        let mut pool: Vec<u32> = (1..=(base + purged) as u32).collect();
        pool.shuffle(&mut rng);
        Customers {
            rng,
            known: vec![None; pool.len() + 1],
            pool,
            base,
            next: 0,
            waiting: vec![VecDeque::new(); 16],
            eligible: vec![Vec::new(); 16],
        }
    }

    /// The customer id of the next survey row (month index `month`), who
    /// answered `recommend`.
    pub fn answer(
        &mut self,
        persona: usize,
        region: usize,
        month: u32,
        recommend: Option<u8>,
    ) -> String {
        let cell = persona * 4 + region;
        while let Some(&(m, n)) = self.waiting[cell].front() {
            if m + CADENCE > month {
                break;
            }
            self.waiting[cell].pop_front();
            self.eligible[cell].push(n);
        }
        let purged = &self.pool[self.base..];
        if !purged.is_empty() && self.rng.random_bool(UNMATCHED) {
            return customer_id(purged[self.rng.random_range(0..purged.len())]);
        }
        let eligible = &mut self.eligible[cell];
        let n = if !eligible.is_empty() && self.rng.random_bool(RETURNING) {
            eligible.swap_remove(self.rng.random_range(0..eligible.len()))
        } else {
            // base ≥ rows, so a first answer always finds an unused id.
            let n = self.pool[self.next];
            self.next += 1;
            self.known[n as usize] = Some(Surveyed {
                persona,
                first_month: month,
                latest: None,
            });
            n
        };
        if let Some(s) = &mut self.known[n as usize] {
            s.latest = recommend.or(s.latest);
        }
        self.waiting[cell].push_back((month, n));
        customer_id(n)
    }
}

/// NPS group of a score: 0 detractor, 1 passive, 2 promoter; 3 none.
fn group(score: Option<u8>) -> usize {
    match score {
        Some(0..=6) => 0,
        Some(7..=8) => 1,
        Some(_) => 2,
        None => 3,
    }
}

/// Writes the CRM extract (header and rows) for the customers `who` saw,
/// the extract taken at the end of month index `months - 1`. Returns the
/// row count.
pub fn write_crm(who: &Customers, months: u32, seed: u64, w: &mut dyn Write) -> io::Result<usize> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x6372_6d5f_6578_7472);
    w.write_all(CRM_HEADER.as_bytes())?;
    w.write_all(b"\n")?;
    let mut crm: Vec<u32> = who.pool[..who.base].to_vec();
    crm.sort_unstable();
    let mut line = String::with_capacity(96);
    for &n in &crm {
        let (persona, g, tenure) = match who.known[n as usize] {
            Some(s) => {
                let since = f64::from(months - 1 - s.first_month);
                let prior = exponential(&mut rng, PRIOR_TENURE[s.persona]);
                (s.persona, group(s.latest), since + prior)
            }
            None => {
                let persona = super::pick(&mut rng, &BASE_PERSONAS);
                (persona, 3, exponential(&mut rng, UNSURVEYED_TENURE))
            }
        };
        // Nobody has had home broadband from us for more than 20 years.
        let tenure = tenure.floor().min(MAX_TENURE) as u32;
        let plan = if persona == 0 {
            if rng.random_bool(0.85) {
                3
            } else {
                2
            }
        } else {
            super::pick(&mut rng, &PLAN_MIX[g])
        };
        let mut pence = PRICE_PENCE[plan];
        if rng.random_bool(ADDONS[g][0]) {
            pence += 750;
        }
        if rng.random_bool(ADDONS[g][1]) {
            pence += 1_200;
        }
        if tenure < 12 && plan != 3 {
            pence -= 600;
        }
        let tickets = poisson(&mut rng, TICKETS_MEAN[g]);
        let churn = if g == 3 { CHURN_BASE } else { CHURN[g] };
        let churned = rng.random_bool(churn);
        line.clear();
        let _ = writeln!(
            line,
            "{},{},{tenure},{}.{:02},{},{tickets}",
            customer_id(n),
            PLANS[plan],
            pence / 100,
            pence % 100,
            if churned { "yes" } else { "no" },
        );
        w.write_all(line.as_bytes())?;
    }
    Ok(crm.len())
}

/// An exponential draw with mean `mean`.
fn exponential(rng: &mut ChaCha8Rng, mean: f64) -> f64 {
    -mean * (1.0 - rng.random::<f64>()).ln()
}

/// A Poisson draw with mean `mean` (Knuth's product of uniforms: means here are below 1).
fn poisson(rng: &mut ChaCha8Rng, mean: f64) -> u32 {
    let limit = (-mean).exp();
    let mut k = 0;
    let mut p = rng.random::<f64>();
    while p > limit {
        k += 1;
        p *= rng.random::<f64>();
    }
    k
}
