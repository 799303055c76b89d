//! Importing a school's roster and the year-end rollover (DESIGN.md §3
//! "Roster: classes and learners").
