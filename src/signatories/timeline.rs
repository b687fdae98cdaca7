//! Statements per month or per year: the bins behind every timeline chart
//! and `stats --by month|year`, with the empty periods between kept so a
//! chart's bars are evenly spaced in time.

use chrono::{Datelike, NaiveDate};

/// How long one bin is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Month,
    Year,
}

/// One period and how many statements fall in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bin {
    pub year: i32,
    /// 1–12 for a month; 0 for a year.
    pub month: u32,
    pub count: usize,
}

impl Bin {
    /// `2024-01` or `2024`: the value `year:` takes for this period.
    #[must_use]
    pub fn label(&self) -> String {
        if self.month == 0 {
            format!("{}", self.year)
        } else {
            format!("{}-{:02}", self.year, self.month)
        }
    }
}

/// Bins from the first period with a statement to the last, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timeline {
    pub period: Period,
    pub bins: Vec<Bin>,
}

/// The most months a timeline shows month by month before it counts
/// years instead: three years of bars still fit 80 columns.
const MOST_MONTHS: i64 = 36;

/// Months from `from`'s month to `to`'s, counting both.
#[must_use]
pub fn months_between(from: NaiveDate, to: NaiveDate) -> i64 {
    let index = |date: NaiveDate| i64::from(date.year()) * 12 + i64::from(date.month0());
    index(to) - index(from) + 1
}

impl Timeline {
    /// Per month when the dates span at most three years, else per year.
    #[must_use]
    pub fn of(dates: impl Iterator<Item = NaiveDate> + Clone) -> Self {
        // One pass: counted by month, then folded into years when long.
        let months = Self::by(Period::Month, dates);
        if months.bins.len() <= usize::try_from(MOST_MONTHS).unwrap_or(usize::MAX) {
            return months;
        }
        let mut bins: Vec<Bin> = Vec::new();
        for month in months.bins {
            match bins.last_mut() {
                Some(year) if year.year == month.year => year.count += month.count,
                _ => bins.push(Bin {
                    year: month.year,
                    month: 0,
                    count: month.count,
                }),
            }
        }
        Self {
            period: Period::Year,
            bins,
        }
    }

    /// Per `period`, whatever the span.
    #[must_use]
    pub fn by(period: Period, dates: impl Iterator<Item = NaiveDate>) -> Self {
        let key = |date: NaiveDate| match period {
            Period::Month => (date.year(), date.month()),
            Period::Year => (date.year(), 0),
        };
        // Counted per period rather than sorted: a million dates fall in a
        // few hundred periods.
        let mut counted: std::collections::BTreeMap<(i32, u32), usize> =
            std::collections::BTreeMap::new();
        for date in dates {
            *counted.entry(key(date)).or_default() += 1;
        }
        let (Some(&first), Some(&last)) = (counted.keys().next(), counted.keys().next_back())
        else {
            return Self {
                period,
                bins: Vec::new(),
            };
        };
        let mut bins = Vec::new();
        let mut at = first;
        loop {
            bins.push(Bin {
                year: at.0,
                month: at.1,
                count: counted.get(&at).copied().unwrap_or(0),
            });
            if at >= last {
                break;
            }
            at = match period {
                Period::Month if at.1 == 12 => (at.0 + 1, 1),
                Period::Month => (at.0, at.1 + 1),
                Period::Year => (at.0 + 1, 0),
            };
        }
        Self { period, bins }
    }

    /// Each bin as (label, count), as `stats` prints them.
    #[must_use]
    pub fn labelled(&self) -> Vec<(String, usize)> {
        self.bins
            .iter()
            .map(|bin| (bin.label(), bin.count))
            .collect()
    }

    /// The most statements in one bin.
    #[must_use]
    pub fn peak(&self) -> usize {
        self.bins.iter().map(|bin| bin.count).max().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn a_long_span_counts_years_and_a_short_one_months() {
        let short = [date("2023-11-30"), date("2024-02-01"), date("2024-02-29")];
        let timeline = Timeline::of(short.iter().copied());
        assert_eq!(timeline.period, Period::Month);
        assert_eq!(
            timeline.labelled(),
            [
                ("2023-11".to_owned(), 1),
                ("2023-12".to_owned(), 0),
                ("2024-01".to_owned(), 0),
                ("2024-02".to_owned(), 2)
            ]
        );
        let long = [date("2016-12-28"), date("2024-01-12")];
        let timeline = Timeline::of(long.iter().copied());
        assert_eq!(timeline.period, Period::Year);
        assert_eq!(timeline.bins.len(), 9);
        assert_eq!(timeline.peak(), 1);
        assert!(Timeline::of(std::iter::empty()).bins.is_empty());
    }
}
