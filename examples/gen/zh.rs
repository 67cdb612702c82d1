//! Seeded generator of the Chinese example project's survey
//! (`example-project-zh/data/survey.csv`), encoded **GBK** as a Chinese
//! Excel "CSV (逗号分隔)" export is.
//!
//! Shared by the `gen` example (`cargo run --release --example gen -- --zh`)
//! and `tests/cli/example_zh.rs` (which checks that the committed file is
//! exactly what this code writes), via `#[path = "…/gen/zh.rs"] mod zh;`.
//! Only std, rand, rand_chacha, rand_distr and encoding_rs are used.
//!
//! The model: 2025-01 to 2025-12, [`ZH_ROWS`] responses of a fictional
//! home-broadband operator's relational survey, one question (or a yes / no
//! process item) per journey stage 发现 · 探索 · 比较 · 购买 · 使用 · 保留 ·
//! 推荐. Every respondent has a latent satisfaction (normal), shifted by
//! persona (集团单位 +0.35, 新入网 +0.1, 迁移 0, 携转 −0.45) and rising
//! through the year (+0.25 by December: the installation programme). Each
//! stage's rating loads on it with its own offset; **使用 (installation) is the
//! weak stage** (on-time installation about 80 %, installation CSAT lowest),
//! and **携转客户 (number porters) struggle** at 购买 (porting authorisation:
//! one-stop completion far lower, the purchase effort item lower). The
//! likelihood to recommend follows the latent satisfaction plus the
//! installation and support experience. About 45 % of respondents comment; a
//! comment tells what the respondent lived (late engineer, porting, price,
//! speed, support), in varied sentences drawn from the row's own choices.
//! One ChaCha8 stream: the output depends only on the seed and the
//! rand / rand_distr versions pinned in `Cargo.lock`.

#![allow(dead_code)]

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::Path;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

/// Survey rows of the committed Chinese example: about 500 a month.
pub const ZH_ROWS: usize = 6_000;
/// The Chinese example's seed.
pub const ZH_SEED: u64 = 2025;
/// The survey's year (twelve months).
pub const ZH_YEAR: i32 = 2025;

/// Persona codes as the CRM writes them, with their share of the sample and
/// their latent-satisfaction shift.
pub const PERSONAS: [(&str, f64, f64); 4] = [
    ("集团单位", 0.15, 0.35),
    ("新入网", 0.40, 0.10),
    ("迁移", 0.25, 0.0),
    ("携转", 0.20, -0.45),
];
/// Main channels, with their share.
pub const CHANNELS: [(&str, f64); 4] = [
    ("营业厅", 0.30),
    ("网上营业厅", 0.25),
    ("掌上营业厅", 0.30),
    ("客服热线", 0.15),
];
/// Districts, with their share.
pub const REGIONS: [(&str, f64); 4] = [
    ("城东", 0.28),
    ("城西", 0.22),
    ("城南", 0.27),
    ("城北", 0.23),
];

/// The survey's header, in column order.
pub const HEADER: &str = "response_id,submitted_at,客户类型,办理渠道,区域,weight,\
a_ad,coverage_ok,a_explore,query_ok,a_price,quote_same,q_ces_buy,order_once,\
installed_on_time,q_csat_install,a_speed,q_ces_support,resolved_first,q_recommend,comment,phone";

/// What `write_zh_data` wrote.
pub struct ZhSummary {
    /// Survey rows written.
    pub rows: usize,
    /// The file written.
    pub path: std::path::PathBuf,
}

/// Writes `survey.csv` (GBK) into `out`, creating the folder.
pub fn write_zh_data(out: &Path, seed: u64, rows: usize) -> io::Result<ZhSummary> {
    fs::create_dir_all(out)?;
    let path = out.join("survey.csv");
    fs::write(&path, survey_gbk(seed, rows))?;
    Ok(ZhSummary { rows, path })
}

/// The survey CSV encoded GBK (every character the generator writes is in GBK).
pub fn survey_gbk(seed: u64, rows: usize) -> Vec<u8> {
    let text = survey_text(seed, rows);
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(&text);
    assert!(
        !unmappable,
        "the generator wrote a character GBK cannot hold"
    );
    bytes.into_owned()
}

/// The survey CSV as text (CRLF line ends, as Excel writes them).
pub fn survey_text(seed: u64, rows: usize) -> String {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut out = String::with_capacity(rows * 120);
    out.push_str(HEADER);
    out.push_str("\r\n");
    // Rows per month: even, the remainder to the first months.
    let per = rows / 12;
    let extra = rows % 12;
    let mut id = 0usize;
    for month in 0..12u32 {
        let n = per + usize::from((month as usize) < extra);
        let days = days_in(month + 1);
        let mut dates: Vec<u32> = (0..n).map(|_| rng.random_range(1..=days)).collect();
        dates.sort_unstable();
        for day in dates {
            id += 1;
            row(&mut rng, &mut out, id, month, day);
        }
    }
    out
}

fn days_in(month: u32) -> u32 {
    match month {
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// An index drawn with the given shares (which sum to 1).
fn pick(rng: &mut ChaCha8Rng, shares: &[f64]) -> usize {
    let u: f64 = rng.random();
    let mut acc = 0.0;
    for (i, share) in shares.iter().enumerate() {
        acc += share;
        if u < acc {
            return i;
        }
    }
    shares.len() - 1
}

fn normal(rng: &mut ChaCha8Rng) -> f64 {
    rng.sample::<f64, _>(StandardNormal)
}

/// A 1..=hi rating around `centre + level`, with noise.
fn rating(rng: &mut ChaCha8Rng, level: f64, centre: f64, hi: i32) -> i32 {
    let x = centre + level + 0.75 * normal(rng);
    (x.round() as i32).clamp(1, hi)
}

fn yes(b: bool) -> &'static str {
    if b {
        "是"
    } else {
        "否"
    }
}

/// What one respondent lived, for the comment.
struct Lived {
    persona: usize,
    channel: usize,
    g: f64,
    late: bool,
    port_trouble: bool,
    price: i32,
    speed: i32,
    contacted: bool,
    resolved: bool,
    recommend: i32,
}

fn row(rng: &mut ChaCha8Rng, out: &mut String, id: usize, month: u32, day: u32) {
    let persona = pick(rng, &PERSONAS.map(|p| p.1));
    let channel = pick(rng, &CHANNELS.map(|c| c.1));
    let region = pick(rng, &REGIONS.map(|r| r.1));
    let weight = (0.25 * normal(rng)).exp().clamp(0.5, 2.0);
    let trend = 0.25 * f64::from(month) / 11.0;
    let porter = persona == 3;
    let g = normal(rng) + PERSONAS[persona].2 + trend;

    // 发现: the advert's clarity; the coverage check told the truth.
    let a_ad = rating(rng, 0.8 * g, 3.4, 5);
    let coverage_ok = rng.random::<f64>() < 0.94;
    // 探索: package information easy to understand; online query worked first time.
    let a_explore = rating(rng, 0.8 * g, 3.5, 5);
    let query_ok = rng.random::<f64>() < if channel == 0 { 0.95 } else { 0.91 };
    // 比较: price transparency; the same quote in every channel.
    let a_price = rating(rng, 0.8 * g, 3.1, 5);
    let quote_same = rng.random::<f64>() < 0.87;
    // 购买: "办理过程很轻松" 1–7 (CES 2.0 agreement); done in one visit.
    let order_once = rng.random::<f64>() < if porter { 0.68 } else { 0.91 };
    let buy_level = 0.9 * g + if order_once { 0.0 } else { -1.0 } + if porter { -0.5 } else { 0.0 };
    let q_ces_buy = rating(rng, buy_level, 5.0, 7);
    // 使用: installed on the agreed date; installation CSAT; speed.
    let on_time_p = 0.76 + 0.08 * f64::from(month) / 11.0 - if porter { 0.06 } else { 0.0 };
    let on_time = rng.random::<f64>() < on_time_p;
    let q_csat_install = rating(rng, 0.8 * g + if on_time { 0.2 } else { -1.4 }, 3.6, 5);
    let a_speed = rating(rng, 0.8 * g, 3.6, 5);
    // 保留: about 55 % contacted support; "问题处理很轻松" 1–7; resolved first time.
    let contacted = rng.random::<f64>() < 0.55;
    let resolved = contacted && rng.random::<f64>() < 0.74;
    let support = if contacted {
        Some(rating(
            rng,
            0.9 * g + if resolved { 0.3 } else { -1.3 },
            4.8,
            7,
        ))
    } else {
        None
    };
    // 推荐: 0–10.
    let experience = 1.3 * g
        + if on_time { 0.2 } else { -0.9 }
        + if contacted && !resolved { -0.7 } else { 0.0 }
        + 0.3 * f64::from(a_speed - 3);
    let recommend = ((7.4 + 1.5 * experience + 1.0 * normal(rng)).round() as i32).clamp(0, 10);

    let lived = Lived {
        persona,
        channel,
        g,
        late: !on_time,
        port_trouble: porter && !order_once,
        price: a_price,
        speed: a_speed,
        contacted,
        resolved,
        recommend,
    };
    let comment = if rng.random::<f64>() < 0.45 {
        comment(rng, &lived)
    } else {
        String::new()
    };
    let phone = if rng.random::<f64>() < 0.6 {
        format!(
            "1{}{:09}",
            [3, 5, 8][rng.random_range(0..3)],
            rng.random_range(0..1_000_000_000u32)
        )
    } else {
        String::new()
    };

    let _ = write!(
        out,
        "Z{id:06},{ZH_YEAR}-{:02}-{day:02},{},{},{},{weight:.2},{a_ad},{},{a_explore},{},{a_price},{},{q_ces_buy},{},{},{q_csat_install},{a_speed},{},{},{recommend},{},{phone}\r\n",
        month + 1,
        PERSONAS[persona].0,
        CHANNELS[channel].0,
        REGIONS[region].0,
        yes(coverage_ok),
        yes(query_ok),
        yes(quote_same),
        yes(order_once),
        yes(on_time),
        support.map(|s| s.to_string()).unwrap_or_default(),
        if contacted { yes(resolved) } else { "" },
        quote(&comment),
    );
}

/// RFC 4180 quoting: comments may hold commas (，is not one, but `,` can be).
fn quote(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

fn one<'a>(rng: &mut ChaCha8Rng, options: &[&'a str]) -> &'a str {
    options[rng.random_range(0..options.len())]
}

/// One to three sentences about what the respondent lived, the worst or best first.
fn comment(rng: &mut ChaCha8Rng, l: &Lived) -> String {
    let mut parts: Vec<&str> = Vec::new();
    if l.late {
        parts.push(one(
            rng,
            &[
                "装机师傅迟到了三个小时，也没提前打电话",
                "约好周六上午装机，结果师傅爽约，又改期到下周",
                "为了等装机请了一天假，等了一整天没人来",
                "装机一拖再拖，改期了两次才装好",
                "师傅没按约定时间上门，打客服也说不清什么时候到",
                "预约的时段过了才来，耽误了上班",
            ],
        ));
    } else if l.g > 0.6 && rng.random::<f64>() < 0.6 {
        parts.push(one(
            rng,
            &[
                "装机师傅准时上门，很专业，线也走得整齐",
                "师傅很细心，装完还帮忙测了网速",
                "安装很快，当天就能上网",
                "准时上门，半小时就装好了",
            ],
        ));
    }
    if l.port_trouble {
        parts.push(one(
            rng,
            &[
                "携号转网手续太麻烦，来回跑了三趟营业厅",
                "携转要授权码，原运营商一直拖着不给",
                "转网办了一个多星期，中间号码还停了两天",
                "携号转网流程不透明，不知道卡在哪一步",
            ],
        ));
    } else if l.persona == 2 && rng.random::<f64>() < 0.4 {
        parts.push(one(
            rng,
            &[
                "搬家移机还要重新交安装费，不合理",
                "移机到新地址等了五天",
                "搬家后移机很顺利，新家当天就通网了",
            ],
        ));
    }
    if l.price <= 2 {
        parts.push(one(
            rng,
            &[
                "资费不透明，第二个月账单多了几十块",
                "有隐藏收费，办理时没人说明",
                "宣传的优惠和实际账单对不上，感觉被套路了",
                "套餐价格说得不清楚，额外收费太多",
            ],
        ));
    } else if l.price >= 5 && rng.random::<f64>() < 0.5 {
        parts.push(one(
            rng,
            &[
                "价格实惠，性价比高",
                "优惠力度大，比之前的运营商便宜",
                "套餐很划算",
            ],
        ));
    }
    if l.speed <= 2 {
        parts.push(one(
            rng,
            &[
                "晚上网速慢，看视频经常卡顿",
                "网速达不到宣传的速度",
                "经常掉线，打游戏很卡",
                "一到晚上就断网，重启光猫才好",
            ],
        ));
    } else if l.speed >= 5 && rng.random::<f64>() < 0.5 {
        parts.push(one(
            rng,
            &[
                "网速很快，很稳定",
                "千兆宽带速度快，在家办公很流畅",
                "打游戏不卡，速度快",
            ],
        ));
    }
    if l.contacted {
        if l.resolved {
            if rng.random::<f64>() < 0.35 {
                parts.push(one(
                    rng,
                    &[
                        "客服很耐心，一次就解决了",
                        "报修后第二天就修好了，客服解决得很快",
                        "热线客服态度好，问题当场处理",
                    ],
                ));
            }
        } else {
            parts.push(one(
                rng,
                &[
                    "客服热线打不通，转人工要排队二十分钟",
                    "同一个故障反复报修了三次还没修好",
                    "每次打客服都要重新说一遍问题",
                    "报修后一直没人联系，只能自己多次催",
                ],
            ));
        }
    }
    if l.persona == 0 && rng.random::<f64>() < 0.35 {
        parts.push(one(
            rng,
            &[
                "客户经理响应及时，专线很稳定",
                "希望客户经理能主动通知维护时间",
                "对公发票开具太慢",
            ],
        ));
    }
    if l.channel == 2 && rng.random::<f64>() < 0.25 {
        parts.push(one(
            rng,
            &[
                "App 上办业务很方便",
                "掌上营业厅查账单很清楚",
                "App 经常闪退，自助报修提交不了",
            ],
        ));
    }
    if parts.is_empty() {
        parts.push(if l.recommend >= 9 {
            one(
                rng,
                &[
                    "整体很满意，会推荐给朋友",
                    "服务不错，已经推荐给同事了",
                    "用了半年，没什么问题",
                ],
            )
        } else if l.recommend <= 6 {
            one(
                rng,
                &[
                    "体验一般，合约到期可能会换",
                    "和宣传的不太一样",
                    "服务还有很多要改进的地方",
                ],
            )
        } else {
            one(rng, &["还可以", "总体一般，没有特别的问题", "基本满意"])
        });
    }
    parts.truncate(3);
    parts.join("；") + "。"
}
