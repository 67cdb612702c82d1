//! The survey's free-text comments, written from what each respondent lived.
//!
//! Input: one commenting row's answers and circumstances ([`Lived`]: its
//! score, persona, channel, region, whether it answered in the north after
//! the December 2025 outage, its installation, and its true attribute
//! ratings before any question was left blank). Output: one comment, in
//! `out`. Whether a row comments at all is decided by the caller, on the
//! main stream; the text is drawn here from the row's own stream
//! ([`row_stream`]: ChaCha8 keyed by the seed, stream number = the row id),
//! so rewriting these sentences never moves a score.
//!
//! How a comment is made: a comment is one to three *themes* the respondent
//! lived (a late engineer, evening slowdowns, a price rise, a long hold, a
//! helpful agent, the app…), each theme weighted by how strongly the row's
//! answers say it happened (a 1–2 speed rating makes slowness likely, a late
//! installation makes it the likeliest complaint, the north outage crowds
//! out everything else). Detractors mostly complain, promoters mostly
//! praise, passives weigh one against the other ("…, but …"). Each theme
//! has several sentence shapes with their own numbers, joined by varied
//! connectives, with openers and closers now and then; some comments are
//! short and say nothing codable ("ok", "fine", "👍"), some are negated
//! ("the engineer wasn't late"), some are lower-case, unpunctuated or carry
//! a typo, and a few leave a phone number or an e-mail address (for the
//! masking of verbatims). A few sentence shapes are deliberately worded so
//! that the example's codebook (`example-project/topics/`) misses them, as a
//! real codebook does: `cxscore topics suggest` is for finding those.
//! No comment names a member of staff (staff names are personal data, and a
//! reader takes a handful of recurring names for a template); instead about a
//! third of the longer comments carry a detail of the respondent's own, in
//! passing (a household, a town of their region, a case reference: the
//! `CONTEXT_*` lists), worded so that no codebook topic catches it. Sentence
//! alternatives nest (`{since {anymonth}|lately}`).

use std::fmt::Write as _;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The comment streams' key for a seed (one key; one stream per row id).
pub fn stream_key(seed: u64) -> [u8; 32] {
    ChaCha8Rng::seed_from_u64(seed ^ 0x636f_6d6d_656e_7473).get_seed()
}

/// The comment stream of row `id`: independent of the main stream and of
/// every other row, so one comment's text never shifts another's.
pub fn row_stream(key: &[u8; 32], id: usize) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::from_seed(*key);
    rng.set_stream(id as u64);
    rng
}

/// What a respondent lived through, from the row's own answers.
pub struct Lived {
    /// Likelihood to recommend, 0–10, or none when left blank.
    pub score: Option<u8>,
    /// Index into the personas (0 enterprise, 1 new, 2 mover, 3 porter).
    pub persona: usize,
    /// Index into the channels (0 web, 1 app, 2 shop, 3 phone).
    pub channel: usize,
    /// Index into the regions (0 north, 1 south, 2 east, 3 west).
    pub region: usize,
    /// Answered in the north after the December 2025 outage started.
    pub outage: bool,
    /// Installed in the last 90 days.
    pub installed: bool,
    /// Installed on the booked date and slot.
    pub on_time: bool,
    /// True ratings, 1–5, before any blank.
    pub price: u8,
    /// Speed rating, 1–5.
    pub speed: u8,
    /// Installation rating, 1–5.
    pub install: u8,
    /// Support rating, 1–5.
    pub support: u8,
    /// Support effort, 1 (very low) – 7 (very high).
    pub effort: u8,
}

const PERSONA_ENTERPRISE: usize = 0;
const PERSONA_MOVER: usize = 2;
const PERSONA_PORTER: usize = 3;
const CHANNEL_WEB: usize = 0;
const CHANNEL_APP: usize = 1;
const CHANNEL_SHOP: usize = 2;
const CHANNEL_PHONE: usize = 3;

/// What a sentence is about.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Theme {
    // Complaints.
    Outage,
    LateInstall,
    Workmanship,
    SlowSpeed,
    Wifi,
    PriceRise,
    Charges,
    BillError,
    LongWait,
    RepeatContact,
    SelfServiceFail,
    PortFail,
    MoveBad,
    NoUpdates,
    // Praise.
    SmoothInstall,
    FastReliable,
    HelpfulStaff,
    GoodValue,
    AppEasy,
    PortSmooth,
    MoveSmooth,
    KeptInformed,
    Happy,
}

const COMPLAINTS: [Theme; 14] = [
    Theme::Outage,
    Theme::LateInstall,
    Theme::Workmanship,
    Theme::SlowSpeed,
    Theme::Wifi,
    Theme::PriceRise,
    Theme::Charges,
    Theme::BillError,
    Theme::LongWait,
    Theme::RepeatContact,
    Theme::SelfServiceFail,
    Theme::PortFail,
    Theme::MoveBad,
    Theme::NoUpdates,
];

const PRAISE: [Theme; 9] = [
    Theme::SmoothInstall,
    Theme::FastReliable,
    Theme::HelpfulStaff,
    Theme::GoodValue,
    Theme::AppEasy,
    Theme::PortSmooth,
    Theme::MoveSmooth,
    Theme::KeptInformed,
    Theme::Happy,
];

/// How likely a respondent is to write about a theme: 0 when they did not
/// live it; larger the more their answers say it happened.
fn weight(theme: Theme, l: &Lived) -> f64 {
    let late = l.installed && !l.on_time;
    let on_time = l.installed && l.on_time;
    let by = |rating: u8, w: [f64; 5]| w[usize::from(rating.clamp(1, 5)) - 1];
    let plus = |cond: bool, w: f64| if cond { w } else { 0.0 };
    match theme {
        // The north outage crowds out everything else; elsewhere a line
        // drops now and then for those who rate speed poorly.
        Theme::Outage if l.outage => 14.0,
        Theme::Outage => by(l.speed, [0.35, 0.15, 0.0, 0.0, 0.0]),
        // Installation is the weak stage: a late engineer is the complaint.
        Theme::LateInstall if late => 10.0 + plus(l.install <= 2, 3.0),
        Theme::LateInstall => 0.0,
        Theme::Workmanship if l.installed => by(l.install, [2.2, 1.3, 0.2, 0.0, 0.0]),
        Theme::Workmanship => 0.0,
        Theme::SlowSpeed => by(l.speed, [4.5, 3.0, 0.7, 0.0, 0.0]) + plus(l.outage, 1.0),
        Theme::Wifi => by(l.speed, [1.0, 1.0, 0.7, 0.25, 0.15]),
        Theme::PriceRise => {
            by(l.price, [1.8, 1.1, 0.4, 0.05, 0.0]) + plus(l.persona == PERSONA_PORTER, 0.4)
        }
        Theme::Charges => {
            by(l.price, [1.2, 0.8, 0.2, 0.0, 0.0])
                + plus(l.channel == CHANNEL_SHOP && l.price <= 3, 0.8)
                + plus(l.persona == PERSONA_MOVER && l.price <= 3, 0.5)
        }
        Theme::BillError => by(l.price, [0.9, 0.6, 0.2, 0.0, 0.0]),
        Theme::LongWait => {
            by(l.support, [2.2, 1.6, 0.4, 0.0, 0.0])
                + plus(l.effort >= 5, 0.8)
                + plus(l.channel == CHANNEL_PHONE && l.support <= 2, 0.5)
        }
        Theme::RepeatContact => {
            plus(l.effort >= 5, 1.8)
                + plus(l.effort == 4, 0.4)
                + by(l.support, [0.9, 0.6, 0.1, 0.0, 0.0])
        }
        Theme::SelfServiceFail => {
            if matches!(l.channel, CHANNEL_WEB | CHANNEL_APP) {
                by(l.support, [1.0, 0.8, 0.3, 0.05, 0.0])
            } else {
                0.0
            }
        }
        Theme::PortFail if l.persona == PERSONA_PORTER => {
            1.4 + plus(late, 1.5) + by(l.support, [0.8, 0.5, 0.0, 0.0, 0.0])
        }
        Theme::PortFail => 0.0,
        Theme::MoveBad if l.persona == PERSONA_MOVER => 0.8 + plus(late, 1.2),
        Theme::MoveBad => 0.0,
        Theme::NoUpdates => {
            if l.outage {
                2.2
            } else if late {
                0.8
            } else {
                0.15
            }
        }
        Theme::SmoothInstall if on_time => by(l.install, [0.0, 0.0, 0.6, 2.6, 3.4]),
        Theme::SmoothInstall => 0.0,
        Theme::FastReliable => {
            by(l.speed, [0.0, 0.0, 0.5, 2.8, 3.6]) * if l.outage { 0.3 } else { 1.0 }
        }
        Theme::HelpfulStaff => {
            by(l.support, [0.0, 0.0, 0.4, 2.2, 3.0])
                + plus(l.channel == CHANNEL_SHOP && l.support >= 4, 0.6)
        }
        Theme::GoodValue => by(l.price, [0.0, 0.0, 0.2, 1.6, 2.4]),
        Theme::AppEasy => match l.channel {
            CHANNEL_APP => 1.6,
            CHANNEL_WEB => 0.5,
            _ => 0.0,
        },
        Theme::PortSmooth if l.persona == PERSONA_PORTER && !late => 1.3,
        Theme::PortSmooth => 0.0,
        Theme::MoveSmooth if l.persona == PERSONA_MOVER && !late => 1.2,
        Theme::MoveSmooth => 0.0,
        Theme::KeptInformed if l.persona == PERSONA_ENTERPRISE => 1.0,
        Theme::KeptInformed => 0.1,
        Theme::Happy => 1.2,
    }
}

// ---------------------------------------------------------------------------
// Sentences. Placeholders: {days} {mins} {hours} {fee} {years} {room} {when}
// {plan} {mbps} {times} {calls} {outdays} {month} {anymonth} {ref}
// {email} {phone},
// and {a|b|c}: one of the alternatives (an empty one allowed).

/// The December 2025 north outage (2–4 December), as those who lived it say it.
const OUTAGE_DEC: &[&str] = &[
    "No internet for {outdays} at the start of December and not a word from you.",
    "The outage in early December lasted {outdays}. No compensation, no updates, nothing.",
    "Lost connection on the 2nd and it didn't come back until the {4th|5th}.",
    "Whole {area|street|village} was down for days in December. I work from home, so that cost me {money|a day's pay|two days' work}.",
    "{outdays} without broadband. {outdays}!",
    "The December outage was handled {badly|terribly|poorly}, I was on my phone's hotspot all week.",
    "Had no connection for most of the first week of December.",
    "Nothing worked from the 2nd to the 4th of December and the helpline just played a recorded message.",
    "Everyone {round here|on our road|in the village} was without internet for {outdays} in December.",
    "The outage in the north was a disaster for anyone working from home.",
    "{My|Our} broadband went down on {Tuesday|the Tuesday} and stayed down {until Friday|for three days}.",
    "After the outage in December I've lost all faith in the network.",
    "{We|I} had {outdays} with no internet {just before Christmas|in December} and {still no apology|no credit on the bill|nobody called}.",
];

/// A line that drops now and then, any month.
const OUTAGE_ANY: &[&str] = &[
    "The line went down for {a whole day|most of a weekend|two days} last month with no explanation.",
    "Keeps losing connection for an hour at a time, then comes back as if nothing happened.",
    "We had no broadband {over a weekend|for a day and a half} and nobody could tell us why.",
    "Connection was down {twice|three times} in a month.",
];

const LATE_INSTALL: &[&str] = &[
    "Engineer never turned up for the first {slot|appointment} and nobody called to say why.",
    "Took {days} days to get the line working after the date I was given.",
    "The installer was {hours} hours late, I'd taken the day off for nothing.",
    "Waited in all day for an engineer who didn't turn up.",
    "Installation was rescheduled {twice|three times}, the {second|last} time on the morning itself.",
    "They missed the appointment and the next slot was {a week|ten days|two weeks} later.",
    "engineer came late and then said he had to come back another day",
    "The engineer arrived {mins} minutes after the end of the slot.",
    "I booked a morning slot, he rang at {4pm|3pm|half four} to say he was on his way.",
    "The installation date was moved {times} without anyone asking me.",
    "{First|The first} engineer was a no show, the second one {was late too|came a week later}.",
    "Why give me a {four-hour|two-hour|morning} slot if the engineer turns up {hours} hours late?",
];

const WORKMANSHIP: &[&str] = &[
    "Installer left a cable across the hallway\nand a hole in the wall. Still waiting for someone to fix it.",
    "The engineer drilled through the wrong wall and left a mess.",
    "Cables everywhere and the box is stuck behind the {TV|sofa|front door}.",
    "Installation felt rushed, he didn't test anything before leaving.",
    "The old box was left hanging off the wall.",
    "The engineer did a messy job and I had to {tidy|clean} up after him.",
    "He put the router {in the cupboard under the stairs|on the floor by the front door} and drilled {a hole|two holes} where I asked him not to.",
];

const SLOW_SPEED: &[&str] = &[
    "Speed drops to almost nothing {when}, which is exactly when we need it.",
    "Paying for {plan} and getting {mbps} on a good day.",
    "The \"superfast\" package is anything but{| {when}}.",
    "Constant buffering {when}.",
    "so slow {when} that a video call is impossible",
    "Slower than my old provider, and I {moved|left them} to get a better connection.",
    "Speeds are nowhere near what was advertised.",
    "Evenings are unusable, pages take ages to load.",
    "{Netflix|iPlayer|YouTube} buffers {when}, {every single time|without fail}.",
    "Download speed is {painfully|ridiculously|really} slow {when}.",
];

const WIFI: &[&str] = &[
    "Wi-Fi doesn't reach {room}.",
    "The router keeps dropping the connection and support just tell{s|} me to {restart|reset|switch off and on} it.",
    "Signal is weak {room}, I had to buy a booster.",
    "wifi drops out {several times a day|every hour or so|whenever the microwave is on}",
    "The new router is worse than the one I had before.",
    "There's a dead spot {room}, the hub can't cope with a normal house.",
    "Router needs {restarting|a reboot} {every couple of days|twice a week}.",
];

const PRICE_RISE: &[&str] = &[
    "Price went up after the {first year|offer ended|12 months}, and the {letter|email} didn't make it clear.",
    "Too expensive for what you get{| now| since {anymonth}}.",
    "The price rise in {month} was more than inflation, again.",
    "New customers get a better deal than loyal ones.",
    "{Pricey|Dear|Expensive} compared with what my {neighbours pay|friends pay|old provider charged}.",
    "The renewal price is a joke.",
    "I pay nearly twice what I paid when I joined.",
    "{A bit|Far too|Way too} expensive {now|these days|for a basic package}.",
];

const CHARGES: &[&str] = &[
    "[shop]I was told \"no setup fee\" in the shop, then I was charged £{fee}.",
    "An extra charge of £{fee} appeared on my {first|latest|last} bill with no explanation.",
    "Charged £{fee} for an engineer visit that was your own fault.",
    "Hidden charges everywhere.",
    "[mover]Had to pay for a new installation when I moved, even though I've been a customer for {years} years.",
    "They charged me an exit fee on the old line by mistake.",
    "Was charged for equipment I {sent back|never received}.",
];

const BILL_ERROR: &[&str] = &[
    "Bill is confusing: {three|four|two} different discounts, and I still can't tell what I pay.",
    "I was billed twice in {month} and it took {calls} to get a refund.",
    "Direct debit taken on the wrong date, again.",
    "My bill was wrong {two months running|three times this year}.",
    "Still waiting for the refund I was promised {in April|weeks ago|back in the summer}.",
];

const LONG_WAIT: &[&str] = &[
    "Spent {mins} minutes on hold, then got cut off.",
    "Over an hour in the queue to speak to {someone|a human|anyone}.",
    "Promised a call back that never came. {Twice|Three times|Again}.",
    "Nobody replies to {emails|my emails|e-mails|messages}{.| at all.}",
    "It took {days} days to get a reply to my web ticket.",
    "{mins} mins waiting on the phone just to report a fault",
    "You can never get through to anyone{| on the phone| before 10am| at lunchtime}.",
    "{Hold music for|Stuck on hold for|On hold for} {mins} minutes, {again|every time|and counting}.",
];

const REPEAT_CONTACT: &[&str] = &[
    "I've called {times} about the same fault and it's still not fixed.",
    "Everything takes {too long|forever|weeks} to sort out, and nobody owns the problem.",
    "Every time I ring I have to explain it all again from the start.",
    "Raised this {times} now.",
    "Third call this {month|week} about the same thing.",
    "Each {agent|person I speak to|advisor} tells me something different{| about the fault| about my bill}.",
    "{Rang|Phoned|Called} {times} and {it's still not fixed|nothing has changed|I'm still waiting}.",
];

const SELF_SERVICE_FAIL: &[&str] = &[
    "The chat bot is useless, it goes round in circles{| and never offers a person| until you give up}.",
    "App logs me out every time I open it.",
    "Couldn't report the fault in the app, it just shows an error.",
    "The website wouldn't let me change my payment details.",
    "The online account says one thing and the bill says another.",
    "The {app|website} said there was no problem in my area when there clearly was.",
];

const PORT_FAIL: &[&str] = &[
    "Number port failed twice; I lost my old number for a week.",
    "Porting my number took {days} days, which was longer than promised.",
    "They cut off my old line before the new one worked, so I had no landline for {days} days.",
    "Nobody could tell me when my number would be moved across{| and I run a business from home|}.",
    "Had to chase the number transfer myself.",
    "{Lost|Couldn't use} my {home|old} number for {days} days while it was {ported|being ported}.",
];

const MOVE_BAD: &[&str] = &[
    "Moved house and the line wasn't ready at the new address for {days} days.",
    "Moving the line should be simple. It took {calls}.",
    "The home move was a shambles from start to finish.",
    "Told the move was booked, and arrived at the new flat with nothing working.",
];

const NO_UPDATES: &[&str] = &[
    "No updates, nothing. I found out more from the neighbours than from you.",
    "Nobody told us what was going on.",
    "A text to say what was happening would have helped.",
    "The status page said everything was fine the whole time.",
    "Communication is non-existent.",
];

const SMOOTH_INSTALL: &[&str] = &[
    "Engineer was on time, tidy, and explained everything.",
    "Installation was {quick and painless|painless|quick, easy and painless}.",
    "The installer was {brilliant|excellent|lovely}, polite and cleaned up after himself.",
    "Booked on {Monday|Tuesday|the Friday}, installed on {Thursday|the Saturday|the Wednesday}, no fuss.",
    "The engineer wasn't late and even helped set up the {TV box|printer|smart speaker}.",
    "Up and running {the same day|by lunchtime|within the hour|before the kids got home}.",
    "The technician was {friendly|professional|polite} and knew what {he|she} was doing.",
    "engineer came when he said he would and was done in {an hour|half an hour|no time}",
    "{Installation|Install|Set-up} went {smoothly|like clockwork}, the engineer was on time.",
];

const FAST_RELIABLE: &[&str] = &[
    "{Fast, reliable|Fast and reliable}, and I haven't had to {call anyone|ring support once|contact you}{| in a year| since we joined}.",
    "Best broadband we've had. {Streaming, gaming, video calls|Two of us on video calls and the kids gaming}, all at once.",
    "I work from home and haven't had a single dropout in {months|weeks|a year|ages}.",
    "{Honestly|To be honest|Seriously}, \"it just works\" is the best thing I can say about {broadband|an internet provider|you}.",
    "Speed is great even {when}.",
    "Rock solid connection{| so far| since day one| for {anymonth} and counting}.",
    "Never drops, even with {four|five|six} of us online.",
    "Good speed and no buffering, even {when}.",
    "{Really|Very|Super} fast {since the upgrade|compared with our old provider|and it never drops}.",
    "Reliable {as anything|day in, day out|since day one|, touch wood}.",
];

const HELPFUL_STAFF: &[&str] = &[
    "{Support|The helpdesk|The team on the phone} fixed {my issue|the problem|a fault} on the first call.",
    "The {lady|man|young man|woman} on the phone was really helpful and patient.",
    "[shop]Shop staff were helpful and didn't push anything I didn't need.",
    "Had a problem once, sorted within {the hour|a day|minutes} by a very knowledgeable agent.",
    "Support went above and beyond, especially {the agent who rang me back the next day|the night-shift team|the lady who sorted out my account|whoever picked up on a Sunday}.",
    "The {person|agent|lady|guy} I spoke to {actually listened|listened properly} and sorted it out{| in one go| straight away}.",
    "Customer service is excellent{| and quick|, every time| when you get through}.",
    "{Really|Very|Genuinely} helpful {staff|people|support team}.",
];

const GOOD_VALUE: &[&str] = &[
    "Clear price, no surprises on the bill{| in {years} years| so far}.",
    "{Good|Decent|Very good} value for money{| compared with the others I looked at| for what we use}.",
    "Cheaper than my last provider and {better|more reliable|faster}.",
    "Fair price for what you get{| and the bill is easy to read|}.",
    "No hidden charges, which makes a change{| after my last supplier|}.",
    "Worth every penny.",
];

const APP_EASY: &[&str] = &[
    "The app makes it easy to check {usage|my bill} and book an engineer.",
    "Love the app, I sorted my bill in {two|five} minutes.",
    "Reported a fault on the app and it was fixed the same day.",
    "The website is easy to use{| and the bill is clear online| even for me}.",
    "Everything I need is in the online account.",
];

const PORT_SMOOTH: &[&str] = &[
    "Switching was easy, they handled everything including my number.",
    "Kept my old number with no gap at all.",
    "Number port went through on the day promised.",
];

const MOVE_SMOOTH: &[&str] = &[
    "Moving the line was smoother than I expected, apart from a day offline.\nThe new router is better though.",
    "Installed the day after we moved in. Impressive.",
    "Home move sorted in one call.",
];

const KEPT_INFORMED: &[&str] = &[
    "[enterprise]Our office line was live before the deadline, as promised.\nThe account manager kept us updated every step.",
    "Good communication {throughout|from order to install|the whole way through}{.|, texts at every step.}",
    "They kept me informed at every stage{| by text| by text and e-mail|}.",
];

const HAPPY: &[&str] = &[
    "Really happy. I've already recommended you to {two neighbours|my sister|a couple of friends}.",
    "Very happy with the service{| so far| since we joined in {anymonth}}.",
    "Great service all round{| so far|, no complaints}.",
    "Would recommend {to anyone|without hesitation|to friends and family|to anyone working from home}{.|!}",
    "Excellent service{, keep it up| from start to finish| so far}.",
    "Happy customer for {years} years now.",
];

fn sentences(theme: Theme, l: &Lived) -> &'static [&'static str] {
    match theme {
        Theme::Outage if l.outage => OUTAGE_DEC,
        Theme::Outage => OUTAGE_ANY,
        Theme::LateInstall => LATE_INSTALL,
        Theme::Workmanship => WORKMANSHIP,
        Theme::SlowSpeed => SLOW_SPEED,
        Theme::Wifi => WIFI,
        Theme::PriceRise => PRICE_RISE,
        Theme::Charges => CHARGES,
        Theme::BillError => BILL_ERROR,
        Theme::LongWait => LONG_WAIT,
        Theme::RepeatContact => REPEAT_CONTACT,
        Theme::SelfServiceFail => SELF_SERVICE_FAIL,
        Theme::PortFail => PORT_FAIL,
        Theme::MoveBad => MOVE_BAD,
        Theme::NoUpdates => NO_UPDATES,
        Theme::SmoothInstall => SMOOTH_INSTALL,
        Theme::FastReliable => FAST_RELIABLE,
        Theme::HelpfulStaff => HELPFUL_STAFF,
        Theme::GoodValue => GOOD_VALUE,
        Theme::AppEasy => APP_EASY,
        Theme::PortSmooth => PORT_SMOOTH,
        Theme::MoveSmooth => MOVE_SMOOTH,
        Theme::KeptInformed => KEPT_INFORMED,
        Theme::Happy => HAPPY,
    }
}

/// A sentence of `list` that fits the respondent: one tagged `[shop]`,
/// `[mover]` or `[enterprise]` only for that channel or persona.
fn sentence_for(rng: &mut ChaCha8Rng, list: &[&'static str], l: &Lived) -> &'static str {
    let fits = |t: &&str| {
        if let Some(rest) = t.strip_prefix('[') {
            let tag = &rest[..rest.find(']').expect("a closed tag")];
            match tag {
                "shop" => l.channel == CHANNEL_SHOP,
                "mover" => l.persona == PERSONA_MOVER,
                "enterprise" => l.persona == PERSONA_ENTERPRISE,
                other => unreachable!("unknown tag {other}"),
            }
        } else {
            true
        }
    };
    let candidates: Vec<&'static str> = list.iter().copied().filter(fits).collect();
    let t = candidates[rng.random_range(0..candidates.len())];
    t.find(']')
        .filter(|_| t.starts_with('['))
        .map_or(t, |end| &t[end + 1..])
}

/// Short comments with nothing a codebook could code.
const SHORT_DETRACTOR: &[&str] = &[
    "Poor.",
    "Rubbish service.",
    "Not happy at all.",
    "Disappointed.",
    "Could be a lot better{.|, to be honest.| for the money.}",
    "Expected better.",
    "Terrible.",
    "I would not recommend you to {anyone|a friend|my worst enemy}.",
    "Avoid.",
    "nothing works properly{| anymore| since {anymonth}}",
];
const SHORT_PASSIVE: &[&str] = &[
    "ok",
    "OK",
    "fine",
    "Fine.",
    "Average.",
    "It's ok I suppose.",
    "Nothing to add.",
    "n/a",
    "No comment",
    "Could be better, could be worse{.|...| I suppose.}",
    "As expected.",
    "Does the job.",
    "Not bad.",
    "-",
];
const SHORT_PROMOTER: &[&str] = &[
    "All good.",
    "Great!",
    "Very good",
    "No issues.",
    "Spot on.",
    "Keep it up!",
    "Thanks",
    "👍",
    "Excellent.",
    "No complaints.",
    "10/10",
    "good",
];

/// Openers and closers, by how the respondent feels.
const OPEN_DETRACTOR: &[&str] = &[
    "Where do I start. ",
    "Honestly? ",
    "Very disappointed. ",
    "Not impressed. ",
    "Where to begin... ",
];
const OPEN_PASSIVE: &[&str] = &["Mostly fine. ", "Not bad overall. ", "Mixed feelings. "];
const OPEN_PROMOTER: &[&str] = &["Overall very good. ", "Great so far! ", "So far so good. "];
const CLOSE_DETRACTOR: &[&str] = &[
    " Sort it out.",
    " Thinking of leaving.",
    " Will be leaving when my contract ends.",
    " Looking at other providers.",
    " Not good enough.",
];
const CLOSE_PASSIVE: &[&str] = &[" We'll see how it goes.", " Could do better.", " Thanks."];
const CLOSE_PROMOTER: &[&str] = &[
    " Thanks!",
    " Keep it up.",
    " Cheers",
    " Won't be leaving any time soon.",
    " 🙂",
];

/// Who is writing, told in passing: a household, a town, a reference number.
/// Nothing a codebook topic would catch; it makes each comment someone's.
const CONTEXT_ANY: &[&str] = &[
    "We've been with you {years} years.",
    "{Two adults|A family of four|Just me|Three of us|Two of us and a teenager} {working from home|streaming most evenings|on video calls all day|in a two-bed flat}.",
    "I work {shifts|from home three days a week|nights}, so {evenings are|daytime is|the weekend is} when I use it most.",
    "Case ref {ref}.",
    "{Account|The contract} is in my {partner's|mum's|husband's|wife's} name.",
    "Been a customer since {anymonth}.",
];
const CONTEXT_PERSONA: [&[&str]; 4] = [
    &["We're a {small office|dental practice|team of twelve|family business} and rely on the line all day."],
    &["First time with you{| after years with my old supplier}."],
    &["We got the keys to the new place in {anymonth}."],
    &["Switched to you from my old supplier {in {anymonth}|last year|this spring}."],
];
const CONTEXT_TOWN: &[&str] = &["Here in {town}.", "{town} area.", "(We're in {town}.)"];
/// Towns of each region (north, south, east, west).
const TOWNS: [&[&str]; 4] = [
    &[
        "Leeds",
        "Sheffield",
        "York",
        "Durham",
        "Harrogate",
        "Wakefield",
        "Sunderland",
    ],
    &[
        "Brighton",
        "Southampton",
        "Reading",
        "Guildford",
        "Portsmouth",
        "Worthing",
    ],
    &[
        "Norwich",
        "Ipswich",
        "Cambridge",
        "Colchester",
        "Chelmsford",
        "Lowestoft",
    ],
    &[
        "Bristol",
        "Gloucester",
        "Swindon",
        "Bath",
        "Cheltenham",
        "Taunton",
    ],
];

/// One sentence of context about the respondent (see [`CONTEXT_ANY`]).
fn context(rng: &mut ChaCha8Rng, l: &Lived, id: usize, phone_tail: u32) -> String {
    let template = match rng.random_range(0..10u32) {
        0..=4 => one(rng, CONTEXT_ANY),
        5..=6 => one(rng, CONTEXT_PERSONA[l.persona.min(3)]),
        _ => one(rng, CONTEXT_TOWN),
    };
    let town = one(rng, TOWNS[l.region.min(3)]);
    let mut out = String::new();
    fill(
        rng,
        &template.replace("{town}", town),
        id,
        phone_tail,
        &mut out,
    );
    out
}

/// Word-level typos real respondents make (the first occurrence is replaced).
const TYPOS: &[(&str, &str)] = &[
    ("definitely", "definately"),
    ("really", "realy"),
    ("because", "becuase"),
    ("engineer", "enginer"),
    ("connection", "conection"),
    ("appointment", "appointmnet"),
    ("the ", "teh "),
    ("didn't", "didnt"),
    ("doesn't", "doesnt"),
    ("I've", "ive"),
    ("it's", "its"),
    ("which", "wich"),
    ("broadband", "broadbnad"),
    ("waiting", "wating"),
    ("nobody", "noone"),
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mood {
    Detractor,
    Passive,
    Promoter,
}

fn one<'a>(rng: &mut ChaCha8Rng, list: &[&'a str]) -> &'a str {
    list[rng.random_range(0..list.len())]
}

/// Picks a theme of `pool` by weight, leaving out those already `used`.
fn pick_theme(rng: &mut ChaCha8Rng, pool: &[Theme], l: &Lived, used: &[Theme]) -> Option<Theme> {
    let weights: Vec<f64> = pool
        .iter()
        .map(|t| if used.contains(t) { 0.0 } else { weight(*t, l) })
        .collect();
    let total: f64 = weights.iter().sum();
    if total <= 0.0 {
        return None;
    }
    let mut x = rng.random::<f64>() * total;
    for (t, w) in pool.iter().zip(&weights) {
        if x < *w {
            return Some(*t);
        }
        x -= w;
    }
    pool.iter()
        .zip(&weights)
        .rev()
        .find(|(_, w)| **w > 0.0)
        .map(|(t, _)| *t)
}

/// Fills a sentence's placeholders.
fn fill(rng: &mut ChaCha8Rng, template: &str, id: usize, phone_tail: u32, out: &mut String) {
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = open + matching_brace(&rest[open..]);
        match &rest[open + 1..close] {
            "days" => {
                let _ = write!(out, "{}", rng.random_range(3..=21u32));
            }
            "mins" => {
                let _ = write!(out, "{}", 5 * rng.random_range(6..=24u32));
            }
            "hours" => out.push_str(one(rng, &["two", "three", "3", "4", "four"])),
            "fee" => {
                let _ = write!(out, "{}", 5 * rng.random_range(6..=18u32));
            }
            "years" => out.push_str(one(rng, &["two", "three", "5", "six", "10"])),
            "room" => out.push_str(one(
                rng,
                &[
                    "upstairs",
                    "in the back bedroom",
                    "in the kitchen",
                    "in the loft",
                    "in the garden office",
                    "in the kids' rooms",
                ],
            )),
            "when" => out.push_str(one(
                rng,
                &[
                    "every evening",
                    "after 7pm",
                    "at weekends",
                    "in the evenings",
                    "when the kids get home from school",
                    "at peak times",
                ],
            )),
            "plan" => out.push_str(one(
                rng,
                &[
                    "500 Mbps",
                    "the 150 meg package",
                    "900",
                    "the fastest plan",
                    "fibre 300",
                ],
            )),
            "mbps" => out.push_str(one(
                rng,
                &[
                    "12",
                    "a tenth of that",
                    "about 40",
                    "30 if I'm lucky",
                    "under 20",
                ],
            )),
            "times" => out.push_str(one(
                rng,
                &[
                    "three times",
                    "four times",
                    "five times",
                    "three times now",
                    "twice",
                ],
            )),
            "calls" => out.push_str(one(
                rng,
                &[
                    "three calls",
                    "four calls",
                    "five phone calls",
                    "weeks of calls",
                ],
            )),
            "outdays" => out.push_str(one(
                rng,
                &["three days", "3 days", "three whole days", "72 hours"],
            )),
            "month" => out.push_str(one(rng, &["April", "March", "the spring"])),
            "anymonth" => out.push_str(one(
                rng,
                &[
                    "January",
                    "February",
                    "March",
                    "April",
                    "May",
                    "June",
                    "July",
                    "August",
                    "September",
                    "October",
                    "November",
                    "the summer",
                    "last year",
                ],
            )),
            "ref" => {
                let _ = write!(out, "{}", rng.random_range(10_000..1_000_000u32));
            }
            "email" => {
                let _ = write!(out, "user{id}@example.com");
            }
            "phone" => {
                let _ = write!(out, "07700 900{phone_tail:03}");
            }
            alternatives if alternatives.contains('|') => {
                let options = split_top_level(alternatives);
                let chosen = options[rng.random_range(0..options.len())];
                // An alternative may hold placeholders of its own.
                fill(rng, chosen, id, phone_tail, out);
            }
            other => unreachable!("unknown placeholder {other}"),
        }
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
}

/// The byte offset of the `}` that closes the `{` at the start of `s`.
fn matching_brace(s: &str) -> usize {
    let mut depth = 0usize;
    for (i, b) in s.bytes().enumerate() {
        match b {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
    }
    unreachable!("placeholder braces balance in {s}")
}

/// The alternatives of `a|b|{c|d}`, split at the `|` outside inner braces.
fn split_top_level(s: &str) -> Vec<&str> {
    let (mut parts, mut depth, mut start) = (Vec::new(), 0usize, 0usize);
    for (i, b) in s.bytes().enumerate() {
        match b {
            b'{' => depth += 1,
            b'}' => depth -= 1,
            b'|' if depth == 0 => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&s[start..]);
    parts
}

/// The first letter in lower case, when the first word is an ordinary
/// capitalised word (not "I", "I've", "Wi-Fi", a number or a quote).
fn lower_first(s: &str) -> String {
    let first_word = s.split_whitespace().next().unwrap_or("");
    let mut chars = first_word.chars();
    let simple = match chars.next() {
        Some('I') if first_word.len() == 1 || first_word.starts_with("I'") => false,
        Some(c) if c.is_ascii_uppercase() => {
            chars.all(|c| c.is_ascii_lowercase() || matches!(c, ',' | '.' | '\''))
        }
        _ => false,
    };
    if simple {
        let mut out = String::with_capacity(s.len());
        let mut it = s.chars();
        if let Some(c) = it.next() {
            out.push(c.to_ascii_lowercase());
        }
        out.extend(it);
        out
    } else {
        s.to_string()
    }
}

/// A sentence without its final full stop (to be continued with ", but …").
fn open_end(s: &str) -> &str {
    s.strip_suffix('.').unwrap_or(s)
}

/// Joins two sentences of the same feeling.
fn join_same(rng: &mut ChaCha8Rng, a: &str, b: &str) -> String {
    match rng.random_range(0..6u32) {
        0 => format!("{a}\n{b}"),
        1 => format!("{a} Also, {}", lower_first(b)),
        2 => format!("{} and {}", open_end(a), lower_first(b)),
        3 => format!("{a} On top of that, {}", lower_first(b)),
        _ => format!("{a} {b}"),
    }
}

/// Joins a sentence and one of the opposite feeling.
fn join_contrast(rng: &mut ChaCha8Rng, a: &str, b: &str, turning_sour: bool) -> String {
    match rng.random_range(0..5u32) {
        0 => format!("{a} But {}", lower_first(b)),
        1 => format!("{} - {}", open_end(a), lower_first(b)),
        2 if turning_sour => format!("{a} Only complaint: {}", lower_first(b)),
        2 => format!("{a} To be fair, {}", lower_first(b)),
        3 if turning_sour => format!("{a} The downside: {}", lower_first(b)),
        3 => format!("{a} Saying that, {}", lower_first(b)),
        _ => format!("{}, but {}", open_end(a), lower_first(b)),
    }
}

/// Writes the comment of one respondent into `out` (which the caller cleared).
pub fn write_comment(
    rng: &mut ChaCha8Rng,
    l: &Lived,
    id: usize,
    phone_tail: u32,
    out: &mut String,
) {
    let mood = match l.score.unwrap_or(7) {
        0..=6 => Mood::Detractor,
        7..=8 => Mood::Passive,
        _ => Mood::Promoter,
    };
    // The plan: which feelings, in which order (true = a complaint).
    let plan: Vec<bool> = match mood {
        Mood::Detractor => {
            let n = [1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 3][rng.random_range(0..11usize)];
            let mut p = vec![true; n];
            if n >= 2 && rng.random_bool(0.12) {
                p[n - 1] = false;
            }
            p
        }
        Mood::Passive => match rng.random_range(0..10u32) {
            0..=2 => vec![false, true],
            3..=4 => vec![true, false],
            5..=7 => vec![true],
            _ => vec![false],
        },
        Mood::Promoter => {
            let n = [1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 3][rng.random_range(0..11usize)];
            let mut p = vec![false; n];
            if rng.random_bool(0.12) {
                p.push(true);
            }
            p
        }
    };
    // Those who lived the north outage mostly write about it first; a
    // promoter among them now and then mentions it in passing.
    let mut plan = plan;
    let mut force_outage = false;
    if l.outage {
        let p = if mood == Mood::Promoter { 0.35 } else { 0.85 };
        if rng.random_bool(p) {
            if !plan.contains(&true) {
                plan.push(true);
            }
            force_outage = true;
        }
    }
    let p_short = match mood {
        Mood::Detractor => 0.11,
        Mood::Passive => 0.24,
        Mood::Promoter => 0.21,
    };
    let short = rng.random_bool(p_short);

    let mut used: Vec<Theme> = Vec::new();
    let mut text = String::new();
    let mut last_sour: Option<bool> = None;
    if !short {
        for sour in plan {
            let pool: &[Theme] = if sour { &COMPLAINTS } else { &PRAISE };
            let chosen = if sour && force_outage && !used.contains(&Theme::Outage) {
                Some(Theme::Outage)
            } else {
                pick_theme(rng, pool, l, &used)
            };
            let Some(theme) = chosen else {
                continue;
            };
            used.push(theme);
            let mut sentence = String::new();
            let template = sentence_for(rng, sentences(theme, l), l);
            fill(rng, template, id, phone_tail, &mut sentence);
            text = match last_sour {
                None => sentence,
                Some(prev) if prev == sour => join_same(rng, &text, &sentence),
                Some(_) => join_contrast(rng, &text, &sentence, sour),
            };
            last_sour = Some(sour);
        }
    }
    if !text.is_empty() && rng.random_bool(0.35) {
        let about = context(rng, l, id, phone_tail);
        let sep = if rng.random_bool(0.2) { "\n" } else { " " };
        text = if rng.random_bool(0.4) {
            format!("{about}{sep}{text}")
        } else {
            if !text.ends_with(['.', '!', '?']) {
                text.push('.');
            }
            format!("{text}{sep}{about}")
        };
    }
    if text.is_empty() {
        // Nothing lived to write about, or a short answer.
        let list = match mood {
            Mood::Detractor => SHORT_DETRACTOR,
            Mood::Passive => SHORT_PASSIVE,
            Mood::Promoter => SHORT_PROMOTER,
        };
        let short = one(rng, list);
        fill(rng, short, id, phone_tail, &mut text);
    } else {
        if rng.random_bool(0.12) {
            let opener = one(
                rng,
                match mood {
                    Mood::Detractor => OPEN_DETRACTOR,
                    Mood::Passive => OPEN_PASSIVE,
                    Mood::Promoter => OPEN_PROMOTER,
                },
            );
            text.insert_str(0, opener);
        }
        if rng.random_bool(0.12) {
            let closer = one(
                rng,
                match mood {
                    Mood::Detractor => CLOSE_DETRACTOR,
                    Mood::Passive => CLOSE_PASSIVE,
                    Mood::Promoter => CLOSE_PROMOTER,
                },
            );
            if !text.ends_with(['.', '!', '?']) {
                text.push('.');
            }
            text.push_str(closer);
        }
    }

    // How people type.
    if rng.random_bool(0.05) {
        let (right, wrong) = TYPOS[rng.random_range(0..TYPOS.len())];
        if let Some(at) = text.find(right) {
            text.replace_range(at..at + right.len(), wrong);
        }
    }
    let roll = rng.random::<f64>();
    if roll < 0.07 {
        text = text.to_lowercase();
    } else if roll < 0.09 && mood == Mood::Detractor && text.len() < 90 {
        text = text.to_uppercase();
    }
    if rng.random_bool(0.10) {
        while text.ends_with('.') {
            text.pop();
        }
    } else if mood == Mood::Detractor && text.ends_with('.') && rng.random_bool(0.10) {
        text.pop();
        text.push_str(if rng.random_bool(0.5) { "!!" } else { "!" });
    }
    // Contact details left in the comment (the site must mask them),
    // written as typed: after the case changes above.
    match mood {
        Mood::Detractor if rng.random_bool(0.05) => {
            let tail = if rng.random_bool(0.6) {
                " Please call me back on {phone}, I have raised this {times}."
            } else {
                " Nobody replies to emails. Contact me at {email} if anyone actually reads this."
            };
            fill(rng, tail, id, phone_tail, &mut text);
        }
        Mood::Promoter if l.persona == PERSONA_ENTERPRISE && rng.random_bool(0.08) => {
            fill(
                rng,
                " Happy to be a reference customer, contact me at {email}.",
                id,
                phone_tail,
                &mut text,
            );
        }
        _ => {}
    }

    out.push_str(&text);
}
