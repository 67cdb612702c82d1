# The expected numbers of tests/fixtures/survey, from R's `survey` package
# (Lumley; https://cran.r-project.org/package=survey), independently of cxscore.
#
#   Rscript tests/reference/survey_reference.R   # from the repository root
#
# writes tests/reference/survey_expected.json, which is committed so that
# `cargo test` (tests/cli/survey_numbers.rs) needs no R. Needs r-base-core and
# r-cran-survey, r-cran-jsonlite (Debian: apt-get install r-cran-survey).
#
# Two designs of the same 240 rows (SPEC §11):
# - plain: svydesign(ids = ~1, weights = ~w);
# - raked: calibrate(plain, ~region + plan, population, calfun = "raking"),
#   the margins of the fixture's cxscore.yaml times its total 10000.
# Estimates: svymean of the answer (means), of the 0/1 top box (CSAT), and
# svycontrast(svymean(~promoter + detractor), c(100, -100)) (NPS), on domains
# made with subset(): the window (2025-11..2025-12), each month, each channel
# key and the persona `pro` on the window, each ∩ the answered rows and the
# indicator's `where`. For the raked design the standard error is reported
# twice: the calibration one (`se`, what svyrecvar gives with the
# calibration's residuals) and the one that treats the raked weights as fixed
# design weights (`se_fixed`, svydesign(ids = ~1, weights = ~raked_w)).

suppressMessages(library(survey))
library(jsonlite)

df <- read.csv("tests/fixtures/survey/data/survey.csv", stringsAsFactors = FALSE,
               na.strings = "")
df$month <- substr(df$submitted_at, 1, 7)
# Unanswered cells are outside every domain (below); their 0 is multiplied by
# a weight of 0 there, but an NA would poison the calibration's regression.
answered <- list(nps = !is.na(df$nps), prop = !is.na(df$csat),
                 mean = !is.na(df$effort))
df$promoter <- ifelse(answered$nps, as.numeric(df$nps >= 9), 0)
df$detractor <- ifelse(answered$nps, as.numeric(df$nps <= 6), 0)
df$top <- ifelse(answered$prop, as.numeric(df$csat >= 4), 0)
df$effort <- ifelse(answered$mean, df$effort, 0)
# Topics (tests/fixtures/survey/topics/codes.yaml): whole-word keywords,
# case-insensitive, on the answered comments.
codes <- list(price = c("price", "expensive"), speed = c("slow", "speed"),
              support = c("support"))
answered$comment <- !is.na(df$comment)
for (t in names(codes)) {
  pattern <- paste0("\\b(", paste(codes[[t]], collapse = "|"), ")\\b")
  df[[paste0("topic_", t)]] <- as.numeric(answered$comment &
                                            grepl(pattern, tolower(df$comment), perl = TRUE))
}
# Value at stake (cxscore.yaml's value_at_stake, on the raked r-nps): revenue
# and churn, blanks outside their domains (their 0 weighs nothing there).
answered$revenue <- !is.na(df$revenue)
answered$churn <- !is.na(df$churned)
df$revenue <- ifelse(answered$revenue, df$revenue, 0)
df$churn01 <- ifelse(answered$churn, as.numeric(df$churned == "yes"), 0)
df$region <- factor(df$region)
df$plan <- factor(df$plan)

plain <- svydesign(ids = ~1, weights = ~w, data = df)
pop <- c(`(Intercept)` = 10000,
         regionnorth = 0.40 * 10000, regionsouth = 0.35 * 10000,
         planpro = 0.40 * 10000)
raked <- calibrate(plain, ~region + plan, population = pop, calfun = "raking",
                   epsilon = 1e-14, maxit = 1000)
rw <- weights(raked)
fixed <- svydesign(ids = ~1, weights = ~rw, data = cbind(df, rw = rw))

window <- df$month %in% c("2025-11", "2025-12")
domains <- list(window = window)
for (m in sort(unique(df$month))) domains[[paste0("period:", m)]] <- df$month == m
for (k in sort(unique(df$channel))) domains[[paste0("channel:", k)]] <- window & df$channel == k
domains[["persona:pro"]] <- window & df$plan == "pro"

indicators <- list(
  list(id = "nps", kind = "nps", where = rep(TRUE, nrow(df))),
  list(id = "nps-web", kind = "nps", where = df$channel == "web"),
  list(id = "csat", kind = "prop", where = rep(TRUE, nrow(df))),
  list(id = "effort", kind = "mean", where = rep(TRUE, nrow(df)))
)

estimate <- function(design, ind, dom) {
  keep <- dom & ind$where & answered[[ind$kind]]
  if (sum(keep) == 0) return(NULL)
  d <- subset(design, keep)
  if (ind$kind == "nps") {
    m <- svymean(~promoter + detractor, d)
    c <- svycontrast(m, c(promoter = 100, detractor = -100))
    return(c(value = unname(coef(c)), se = unname(SE(c)), n = sum(keep)))
  }
  f <- if (ind$kind == "prop") ~top else ~effort
  m <- svymean(f, d)
  scale <- if (ind$kind == "prop") 100 else 1
  c(value = unname(coef(m)) * scale, se = unname(SE(m)) * scale, n = sum(keep))
}

rows <- list()
for (ds in c("plain", "raked")) {
  design <- if (ds == "plain") plain else raked
  prefix <- if (ds == "plain") "p-" else "r-"
  for (ind in indicators) {
    for (name in names(domains)) {
      e <- estimate(design, ind, domains[[name]])
      if (is.null(e)) next
      row <- list(indicator = paste0(prefix, ind$id), domain = name,
                  value = e[["value"]], se = e[["se"]], n = e[["n"]])
      if (ds == "raked") row$se_fixed <- estimate(fixed, ind, domains[[name]])[["se"]]
      rows[[length(rows) + 1]] <- row
    }
  }
}

# Per topic on the window's answered comments: its share (svymean of the 0/1
# code) and the NPS of the rows with and without it (svycontrast on subset()).
nps_of <- function(design, keep) {
  c <- svycontrast(svymean(~promoter + detractor, subset(design, keep)),
                   c(promoter = 100, detractor = -100))
  c(value = unname(coef(c)), se = unname(SE(c)))
}
topics <- list()
for (ds in c("plain", "raked")) {
  design <- if (ds == "plain") plain else raked
  dom <- window & answered$comment
  for (t in names(codes)) {
    hit <- df[[paste0("topic_", t)]] == 1
    m <- svymean(as.formula(paste0("~topic_", t)), subset(design, dom))
    with <- nps_of(design, dom & hit & answered$nps)
    without <- nps_of(design, dom & !hit & answered$nps)
    topics[[length(topics) + 1]] <- list(
      dataset = ds, topic = t, mentions = sum(dom & hit), answered = sum(dom),
      share = unname(coef(m)) * 100, se = as.numeric(SE(m)) * 100,
      nps_with = with[["value"]], nps_with_se = with[["se"]],
      nps_without = without[["value"]], nps_without_se = without[["se"]])
  }
}

# Per NPS group on the window: the mean revenue and the churn rate of the raked
# design (svymean on subset()), their se, and Kish's effective n of the rows
# (the Student-t df of the revenue interval).
value <- list()
groups <- list(promoters = answered$nps & df$nps >= 9,
               passives = answered$nps & df$nps >= 7 & df$nps <= 8,
               detractors = answered$nps & df$nps <= 6)
for (g in names(groups)) {
  keep_r <- window & groups[[g]] & answered$revenue
  keep_c <- window & groups[[g]] & answered$churn
  r <- svymean(~revenue, subset(raked, keep_r))
  c <- svymean(~churn01, subset(raked, keep_c))
  value[[g]] <- list(
    revenue = unname(coef(r)), revenue_se = as.numeric(SE(r)), revenue_n = sum(keep_r),
    revenue_n_eff = sum(rw[keep_r])^2 / sum(rw[keep_r]^2),
    churn = unname(coef(c)) * 100, churn_se = as.numeric(SE(c)) * 100, churn_n = sum(keep_c))
}

out <- list(
  generated_by = paste("tests/reference/survey_reference.R with R",
                       paste(R.version$major, R.version$minor, sep = "."),
                       "and survey", as.character(packageVersion("survey"))),
  raked_weights = unname(rw),
  weighting = list(design_effect = nrow(df) * sum(rw^2) / sum(rw)^2,
                   min_weight = min(rw), max_weight = max(rw)),
  estimates = rows,
  topics = topics,
  value = value
)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE),
           "tests/reference/survey_expected.json")
