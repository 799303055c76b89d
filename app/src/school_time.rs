//! Times as a school reads them: in the school's time zone (Settings,
//! "Time zone"; UTC until a full admin chooses one), with the zone's
//! abbreviation in the full form ("23 Nov 2026, 10:44 GMT"), so a UK
//! school's 9:00 reads 09:00 in summer too. The zones come from the IANA
//! database built into the binary (jiff's bundled copy), so every server
//! reads a time the same way, whatever its own system has installed.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::Timestamp;

use crate::shown_time::ShownTime;

/// Where a school has not chosen: UTC, as ClassKeys showed every time
/// before schools had a zone.
pub const DEFAULT_ZONE: &str = "UTC";

/// The zone named `name`, or UTC for a name the database no longer has
/// (a zone renamed in a later release reads as UTC, never fails a page).
pub fn zone(name: &str) -> TimeZone {
    TimeZone::get(name).unwrap_or(TimeZone::UTC)
}

/// The regions whose cities name the zones a school may choose.
const REGIONS: [&str; 9] = [
    "Africa/",
    "America/",
    "Antarctica/",
    "Asia/",
    "Atlantic/",
    "Australia/",
    "Europe/",
    "Indian/",
    "Pacific/",
];

/// The zones offered in Settings, sorted: UTC, then every
/// "Region/City" zone ("Europe/London"), without the database's old
/// aliases ("GB", "US/Eastern", "Etc/GMT+5").
pub fn choosable_zones() -> &'static [String] {
    static ZONES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    ZONES.get_or_init(|| {
        let mut zones: Vec<String> = jiff::tz::db()
            .available()
            .map(|name| name.as_str().to_owned())
            .filter(|name| REGIONS.iter().any(|region| name.starts_with(region)))
            .collect();
        zones.sort();
        zones.dedup();
        zones.insert(0, DEFAULT_ZONE.to_owned());
        zones
    })
}

/// Whether a school may choose `name` (one of [`choosable_zones`]).
pub fn is_choosable(name: &str) -> bool {
    choosable_zones().iter().any(|zone| zone == name)
}

/// "23 Nov 2026, 10:44 GMT": a moment in full, in `zone`.
pub fn display_time(unix: i64, zone: &TimeZone) -> Option<String> {
    let at = Timestamp::from_second(unix)
        .ok()?
        .to_zoned_datetime(zone.clone());
    Some(at.strftime("%-d %b %Y, %H:%M %Z").to_string())
}

/// `unix` for a table cell, against `now`, in `zone`: "Today 15:52",
/// "Yesterday 09:10", "23 Nov 10:44" this year, "23 Nov 2025" before,
/// with [`display_time`] in full beside it.
pub fn shown_time(unix: i64, now: i64, zone: &TimeZone) -> Option<ShownTime> {
    let at = Timestamp::from_second(unix)
        .ok()?
        .to_zoned_datetime(zone.clone());
    let today = Timestamp::from_second(now)
        .ok()?
        .to_zoned_datetime(zone.clone())
        .date();
    let day = at.date();
    let short = if day == today {
        at.strftime("Today %H:%M").to_string()
    } else if today.yesterday().ok() == Some(day) {
        at.strftime("Yesterday %H:%M").to_string()
    } else if day.year() == today.year() {
        at.strftime("%-d %b %H:%M").to_string()
    } else {
        at.strftime("%-d %b %Y").to_string()
    };
    Some(ShownTime {
        short,
        full: display_time(unix, zone)?,
    })
}

/// The app clock's "now" and a school's zone: what a table's times read
/// against ("Today 10:44").
#[derive(Debug, Clone)]
pub struct SchoolClock {
    now: i64,
    zone: TimeZone,
}

impl SchoolClock {
    pub fn new(now: i64, zone: TimeZone) -> Self {
        SchoolClock { now, zone }
    }

    /// Now, for the school `school_id`.
    pub async fn read(
        db: &crate::db::Db,
        clock: &crate::clock::Clock,
        school_id: &str,
    ) -> Result<Self, crate::error::AppError> {
        let zone = crate::schools::ssr::school_zone(db, school_id).await?;
        Ok(SchoolClock::new(clock.now(), zone))
    }

    /// `unix` for a table cell ([`shown_time`]).
    pub fn shown(&self, unix: i64) -> Option<ShownTime> {
        shown_time(unix, self.now, &self.zone)
    }

    /// When a lockout ends, while it has not: "09:14" (a lockout lasts
    /// minutes), "4 Dec 2026, 09:14 GMT" in full. `None` once it is over.
    pub fn lock_end(&self, locked_until: Option<i64>) -> Option<ShownTime> {
        let until = locked_until.filter(|until| *until > self.now)?;
        let at = Timestamp::from_second(until)
            .ok()?
            .to_zoned_datetime(self.zone.clone());
        Some(ShownTime {
            short: at.strftime("%H:%M").to_string(),
            full: display_time(until, &self.zone)?,
        })
    }
}

/// The first moment of `date` in `zone`, in Unix seconds: midnight, or
/// the first time after it where a clock change skips midnight.
pub fn day_start(date: Date, zone: &TimeZone) -> Option<i64> {
    let start = date
        .to_zoned_datetime(zone.clone())
        .ok()?
        .start_of_day()
        .ok()?;
    Some(start.timestamp().as_second())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-11-23 10:44 UTC.
    const NOVEMBER: i64 = 1_795_430_640;
    /// 2026-07-01 08:30 UTC.
    const JULY: i64 = 1_782_894_600;

    #[test]
    fn table_times_are_short_relative_to_today_and_full_beside() {
        let utc = zone("UTC");
        let shown = |now: i64| shown_time(NOVEMBER, now, &utc).map(|t| t.short);
        assert_eq!(shown(NOVEMBER + 3_600).as_deref(), Some("Today 10:44"));
        assert_eq!(shown(NOVEMBER + 86_400).as_deref(), Some("Yesterday 10:44"));
        assert_eq!(
            shown(NOVEMBER + 3 * 86_400).as_deref(),
            Some("23 Nov 10:44")
        );
        assert_eq!(
            shown(NOVEMBER + 400 * 86_400).as_deref(),
            Some("23 Nov 2026")
        );
        assert_eq!(
            shown_time(NOVEMBER, NOVEMBER, &utc)
                .map(|t| t.full)
                .as_deref(),
            Some("23 Nov 2026, 10:44 UTC")
        );
    }

    #[test]
    fn a_lockout_shows_when_it_ends_until_it_has() {
        let clock = SchoolClock::new(JULY, zone("Europe/London"));
        let end = clock.lock_end(Some(JULY + 900)).unwrap();
        assert_eq!(
            (end.short.as_str(), end.full.as_str()),
            ("09:45", "1 Jul 2026, 09:45 BST")
        );
        assert_eq!(clock.lock_end(Some(JULY)), None, "over at that second");
        assert_eq!(clock.lock_end(Some(JULY - 60)), None);
        assert_eq!(clock.lock_end(None), None);
    }

    #[test]
    fn a_school_reads_its_own_clock_summer_and_winter() {
        let london = zone("Europe/London");
        assert_eq!(
            display_time(JULY, &london).as_deref(),
            Some("1 Jul 2026, 09:30 BST")
        );
        assert_eq!(
            display_time(NOVEMBER, &london).as_deref(),
            Some("23 Nov 2026, 10:44 GMT")
        );
        let sydney = zone("Australia/Sydney");
        assert_eq!(
            display_time(NOVEMBER, &sydney).as_deref(),
            Some("23 Nov 2026, 21:44 AEDT")
        );
    }

    #[test]
    fn today_and_yesterday_turn_at_the_school_s_midnight() {
        // 23:30 UTC on 30 June is 00:30 on 1 July in London.
        let late = JULY - 9 * 3_600;
        let london = zone("Europe/London");
        let shown = shown_time(late, JULY, &london).unwrap();
        assert_eq!(shown.short, "Today 00:30");
        let shown = shown_time(late, JULY, &zone("UTC")).unwrap();
        assert_eq!(shown.short, "Yesterday 23:30");
    }

    #[test]
    fn a_day_starts_at_the_school_s_midnight() {
        let date: Date = "2026-07-01".parse().unwrap();
        assert_eq!(
            day_start(date, &zone("UTC")),
            Some(JULY - 8 * 3_600 - 30 * 60)
        );
        assert_eq!(
            day_start(date, &zone("Europe/London")),
            Some(JULY - 9 * 3_600 - 30 * 60)
        );
        // Santiago's clocks went from 00:00 to 01:00 on 6 Sep 2026: the
        // day starts at 01:00.
        let spring: Date = "2026-09-06".parse().unwrap();
        let start = day_start(spring, &zone("America/Santiago")).unwrap();
        assert_eq!(
            display_time(start, &zone("America/Santiago")).as_deref(),
            Some("6 Sep 2026, 01:00 -03")
        );
    }

    #[test]
    fn only_region_city_zones_and_utc_may_be_chosen() {
        let zones = choosable_zones();
        assert_eq!(zones[0], "UTC");
        assert!(zones.iter().any(|z| z == "Europe/London"));
        assert!(zones.len() > 300, "{} zones", zones.len());
        for alias in ["GB", "US/Eastern", "Etc/GMT+5", "EST5EDT"] {
            assert!(!zones.iter().any(|z| z == alias), "{alias}");
            assert!(!is_choosable(alias), "{alias}");
        }
        assert!(zones.iter().all(|z| is_choosable(z)));
        assert!(!is_choosable("Europe/Atlantis"));
        assert!(!is_choosable(""));
    }

    #[test]
    fn an_unknown_zone_reads_as_utc() {
        assert_eq!(
            display_time(NOVEMBER, &zone("Mars/Olympus_Mons")).as_deref(),
            Some("23 Nov 2026, 10:44 UTC")
        );
    }
}
