//! What an import of a parsed roster file would do to a school: a plan,
//! built from a snapshot of the school without writing anything. The
//! preview shows it; the apply builds it again under the write lock and
//! carries it out only if it is still the same.
//!
//! A file's rows are grouped into learners (one row per learner per class)
//! and matched to the school's learners by `external_id`, then by
//! `username`; a row with neither is matched by name only within its class,
//! and only when exactly one learner there has that name.

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::db::Conn;

use super::parse::{ParsedRoster, RosterFormat, RosterRow};
use super::{ImportPreview, LineStatus, PreviewLine, PreviewTotals};
use crate::error::AppError;
use crate::learners::roster::{first_free, username_stem};

/// An account of the school as the plan needs it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SchoolAccount {
    pub id: String,
    pub role: String,
    pub username: String,
    pub first_name: String,
    pub last_name: String,
    pub external_id: Option<String>,
    pub email: Option<String>,
    pub active: bool,
    pub row_version: i64,
}

/// A class of the school.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SchoolClass {
    pub id: String,
    pub name: String,
    #[sqlx(try_from = "crate::db::Flag")]
    pub archived: bool,
}

/// The school as an import sees it.
#[derive(Debug, Default)]
pub struct Snapshot {
    pub accounts: Vec<SchoolAccount>,
    pub classes: Vec<SchoolClass>,
    /// (learner id, class id).
    pub enrolments: Vec<(String, String)>,
    /// Emails of the file already used by an account (any school): email → account id.
    pub emails_in_use: HashMap<String, String>,
}

/// Reads the school (and, for an admin's import, who uses the file's
/// emails) through `conn`.
pub async fn load_snapshot(
    conn: &mut Conn,
    school_id: &str,
    parsed: &ParsedRoster,
    importer: Importer,
) -> Result<Snapshot, AppError> {
    let accounts = sqlx::query_as(
        "SELECT id, role, username, first_name, last_name, external_id, email, active, row_version \
         FROM accounts WHERE school_id = $1 AND role IN ('owner', 'staff', 'learner')",
    )
    .bind(school_id)
    .fetch_all(&mut *conn)
    .await?;
    let classes = sqlx::query_as(
        "SELECT id, name, archived_at IS NOT NULL AS archived FROM classes WHERE school_id = $1",
    )
    .bind(school_id)
    .fetch_all(&mut *conn)
    .await?;
    let enrolments = sqlx::query_as(
        "SELECT e.account_id, e.class_id FROM enrolments e JOIN classes c ON c.id = e.class_id \
         WHERE c.school_id = $1",
    )
    .bind(school_id)
    .fetch_all(&mut *conn)
    .await?;
    let emails: BTreeSet<String> = parsed
        .rows
        .iter()
        .map(|row| row.email.trim().to_lowercase())
        .filter(|email| !email.is_empty() && importer == Importer::Admin)
        .collect();
    let mut emails_in_use = HashMap::new();
    for email in emails {
        let used: Option<(String,)> =
            sqlx::query_as("SELECT id FROM accounts WHERE lower(email) = $1")
                .bind(&email)
                .fetch_optional(&mut *conn)
                .await?;
        if let Some((id,)) = used {
            emails_in_use.insert(email, id);
        }
    }
    Ok(Snapshot {
        accounts,
        classes,
        enrolments,
        emails_in_use,
    })
}

/// A learner the import creates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedLearner {
    pub first_name: String,
    pub last_name: String,
    pub username: String,
    pub external_id: Option<String>,
    pub email: Option<String>,
    /// Class names, as the file spells them (lower-case keys match).
    pub classes: Vec<String>,
}

/// A learner the import changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedUpdate {
    pub id: String,
    pub row_version: i64,
    pub first_name: String,
    pub last_name: String,
    pub username: String,
    pub external_id: Option<String>,
    pub email: Option<String>,
    pub reactivate: bool,
    /// What changes, in words, for the learner's audit row.
    pub changes: String,
    /// Class names to join and class ids to leave.
    pub join: Vec<String>,
    pub leave: Vec<String>,
}

/// A learner not in the file, inactivated when asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedInactivation {
    pub id: String,
    pub row_version: i64,
    pub username: String,
    pub label: String,
}

/// Everything an import would do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub file_kind: String,
    pub lines: Vec<PreviewLine>,
    pub new_classes: Vec<String>,
    pub creates: Vec<PlannedLearner>,
    pub updates: Vec<PlannedUpdate>,
    pub unchanged: usize,
    pub inactivate: Vec<PlannedInactivation>,
}

impl Plan {
    pub fn has_errors(&self) -> bool {
        self.lines.iter().any(|l| l.status == LineStatus::Error)
    }

    pub fn preview(&self) -> ImportPreview {
        let mut totals = PreviewTotals::default();
        for line in &self.lines {
            match line.status {
                LineStatus::Create => totals.create += 1,
                LineStatus::Update => totals.update += 1,
                LineStatus::Unchanged => totals.unchanged += 1,
                LineStatus::Error => totals.error += 1,
            }
        }
        ImportPreview {
            file_kind: self.file_kind.clone(),
            lines: self.lines.clone(),
            totals,
            new_learners: self.creates.len(),
            new_classes: self.new_classes.clone(),
            to_inactivate: self.inactivate.iter().map(|i| i.label.clone()).collect(),
            basis: String::new(),
        }
        .with_basis()
    }
}

/// One row, checked.
struct Checked {
    row: RosterRow,
    first: String,
    last: String,
    username: Option<String>,
    external_id: Option<String>,
    email: Option<String>,
    class: String,
    class_key: String,
}

fn check_row(row: RosterRow) -> Result<Checked, Box<(RosterRow, String)>> {
    let mut problems = Vec::new();
    let first = crate::names::person_name(&row.first_name)
        .map_err(|p| problems.push(format!("First name: {p}")))
        .unwrap_or_default();
    let last = crate::names::person_name(&row.last_name)
        .map_err(|p| problems.push(format!("Last name: {p}")))
        .unwrap_or_default();
    let class = if row.class.trim().is_empty() {
        problems.push(if row.file.is_empty() {
            "No class: every line needs one.".to_string()
        } else {
            "This student is not enrolled in any class.".to_string()
        });
        String::new()
    } else {
        crate::classes::roster::class_name(&row.class)
            .map_err(|e| problems.push(format!("Class: {e}")))
            .unwrap_or_default()
    };
    let username = (!row.username.trim().is_empty()).then(|| {
        crate::usernames::username(&row.username)
            .map_err(|rule| problems.push(format!("Username: {rule}")))
            .unwrap_or_default()
    });
    let external_id = row.external_id.trim();
    let external_id = (!external_id.is_empty()).then(|| {
        if external_id.chars().count() > 100 || external_id.chars().any(crate::names::is_disguising)
        {
            problems.push("external_id: at most 100 characters, no invisible ones.".to_string());
        }
        external_id.to_string()
    });
    let email = row.email.trim().to_lowercase();
    let email = (!email.is_empty()).then(|| {
        let plausible = email.len() <= 254
            && !email.chars().any(char::is_whitespace)
            && email
                .split_once('@')
                .is_some_and(|(user, domain)| !user.is_empty() && domain.contains('.'));
        if !plausible {
            problems.push(format!("Email: {email} is not an email address."));
        }
        email
    });
    if problems.is_empty() {
        let class_key = class.to_lowercase();
        Ok(Checked {
            row,
            first,
            last,
            username,
            external_id,
            email,
            class,
            class_key,
        })
    } else {
        Err(Box::new((row, problems.join(" "))))
    }
}

fn line_of(row: &RosterRow, status: LineStatus, reason: String) -> PreviewLine {
    PreviewLine {
        line: row.line,
        file: row.file.to_string(),
        learner: format!("{} {}", row.first_name.trim(), row.last_name.trim())
            .trim()
            .to_string(),
        username: row.username.trim().to_lowercase(),
        class: row.class.trim().to_string(),
        status,
        reason,
    }
}

fn where_is(row: &RosterRow) -> String {
    if row.file.is_empty() {
        format!("line {}", row.line)
    } else {
        format!("{} line {}", row.file, row.line)
    }
}

/// A group of rows that are one learner.
struct Group {
    rows: Vec<Checked>,
    /// Lines that repeat one of `rows` as it is, with where that one is:
    /// they read as that learner does (in error when it is).
    repeats: Vec<(RosterRow, String)>,
    error: Option<String>,
}

/// Why an inactive learner in the file stays inactive: the importer may
/// not reactivate accounts (a lead teacher; DESIGN.md §1 leaves that to
/// full admins and the owner).
pub const STAYS_INACTIVE: &str =
    "Stays inactive: only a full admin or the owner can reactivate an account (on Users).";

/// Why a learner's email in a lead teacher's file is left as it is. An
/// email is unique across every school, so setting one could take an
/// address another school needs, and the answer ("already used") would
/// tell who has an account elsewhere: that stays with those who manage
/// accounts on Users, as on the staff page.
pub const EMAIL_NOT_SET: &str =
    "Email not set: only a full admin or the owner sets learners' emails.";

/// Who imports: a full admin or the owner (who manage accounts on Users),
/// or a lead teacher, whose import neither reactivates learners nor sets
/// their emails (DESIGN.md §1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Importer {
    Admin,
    LeadTeacher,
}

/// Builds the plan. `inactivate_missing`: learners of the school who are
/// not in the file are inactivated. An admin's import reactivates inactive
/// learners in the file and sets emails; a lead teacher's leaves both, and
/// says so on the line.
pub fn build_plan(
    snapshot: &Snapshot,
    parsed: ParsedRoster,
    inactivate_missing: bool,
    importer: Importer,
) -> Plan {
    let may_reactivate = importer == Importer::Admin;
    let may_set_emails = importer == Importer::Admin;
    let file_kind = match parsed.format {
        RosterFormat::Csv => format!("CSV, {}", parsed.encoding),
        RosterFormat::OneRoster => format!("OneRoster 1.1 zip, {}", parsed.encoding),
    };
    let mut lines: Vec<PreviewLine> = parsed
        .line_errors
        .iter()
        .map(|(line, file, reason)| PreviewLine {
            line: *line,
            file: file.to_string(),
            learner: String::new(),
            username: String::new(),
            class: String::new(),
            status: LineStatus::Error,
            reason: reason.clone(),
        })
        .collect();

    // The school, indexed.
    let classes_by_key: HashMap<String, &SchoolClass> = snapshot
        .classes
        .iter()
        .map(|c| (crate::names::tidy(&c.name).to_lowercase(), c))
        .collect();
    let class_name_of: HashMap<&str, &str> = snapshot
        .classes
        .iter()
        .map(|c| (c.id.as_str(), c.name.as_str()))
        .collect();
    let by_external: HashMap<&str, &SchoolAccount> = snapshot
        .accounts
        .iter()
        .filter_map(|a| a.external_id.as_deref().map(|e| (e, a)))
        .collect();
    let by_username: HashMap<String, &SchoolAccount> = snapshot
        .accounts
        .iter()
        .map(|a| (a.username.to_lowercase(), a))
        .collect();
    let mut classes_of: HashMap<&str, BTreeSet<&str>> = HashMap::new();
    for (learner, class) in &snapshot.enrolments {
        classes_of.entry(learner).or_default().insert(class);
    }

    // 1. Check each row; group the good ones into learners.
    let mut groups: Vec<Group> = Vec::new();
    let mut group_of: HashMap<String, usize> = HashMap::new();
    for row in parsed.rows {
        match check_row(row) {
            Err(error) => {
                let (row, reason) = *error;
                lines.push(line_of(&row, LineStatus::Error, reason));
            }
            Ok(checked) => {
                let key = match (&checked.external_id, &checked.username) {
                    (Some(id), _) => format!("e:{id}"),
                    (None, Some(username)) => format!("u:{username}"),
                    (None, None) => format!(
                        "n:{}|{}|{}",
                        checked.first.to_lowercase(),
                        checked.last.to_lowercase(),
                        checked.class_key
                    ),
                };
                match group_of.get(&key) {
                    Some(&index) => {
                        let group = &mut groups[index];
                        match joining(&group.rows, &checked, &key) {
                            Joining::AnotherClass => group.rows.push(checked),
                            Joining::Repeats(earlier) => group.repeats.push((checked.row, earlier)),
                            Joining::Conflict(reason) => {
                                lines.push(line_of(&checked.row, LineStatus::Error, reason))
                            }
                        }
                    }
                    None => {
                        group_of.insert(key, groups.len());
                        groups.push(Group {
                            rows: vec![checked],
                            repeats: Vec::new(),
                            error: None,
                        });
                    }
                }
            }
        }
    }

    // 2. Rows of one learner must agree; one class once; usernames and
    // emails once (one email is one account's, also within the file).
    let mut username_owner: HashMap<String, (usize, String)> = HashMap::new();
    let mut email_owner: HashMap<String, String> = HashMap::new();
    for (index, group) in groups.iter_mut().enumerate() {
        let first = &group.rows[0];
        if let Some(username) = &first.username {
            match username_owner.get(username) {
                Some((_, earlier)) => {
                    group.error = Some(format!(
                        "Duplicate username in the file: {username} is also on {earlier} for another learner."
                    ));
                }
                None => {
                    username_owner.insert(username.clone(), (index, where_is(&first.row)));
                }
            }
        }
        if let Some(email) = &first.email {
            match email_owner.get(email) {
                Some(earlier) => {
                    group.error.get_or_insert(format!(
                        "Duplicate email in the file: {email} is also on {earlier} for another learner. Each account needs its own email, or none."
                    ));
                }
                None => {
                    email_owner.insert(email.clone(), where_is(&first.row));
                }
            }
        }
        // Named with its line: the error stands on each of the learner's
        // lines, also those of classes in use.
        let archived = group.rows.iter().find_map(|r| {
            classes_by_key
                .get(&r.class_key)
                .filter(|c| c.archived)
                .map(|c| (c.name.as_str(), where_is(&r.row)))
        });
        if let Some((name, line)) = archived {
            group.error = Some(format!(
                "{name} ({line}) is archived. Restore it on the Classes page first, or use another class name."
            ));
        }
    }

    // 3. Match each learner to the school; work out what changes.
    let file_class_keys: HashSet<String> = groups
        .iter()
        .flat_map(|g| g.rows.iter().map(|r| r.class_key.clone()))
        .collect();
    let mut matched_by: HashMap<String, String> = HashMap::new();
    let mut taken_usernames: HashSet<String> = by_username.keys().cloned().collect();
    let file_usernames: HashSet<String> = username_owner.keys().cloned().collect();
    let mut creates = Vec::new();
    let mut updates = Vec::new();
    let mut unchanged = 0;
    let mut new_classes: Vec<String> = Vec::new();
    let mut new_class_keys: HashSet<String> = HashSet::new();
    // Lines with neither username nor external_id, by name: one child in
    // two classes written that way would become two learners.
    let mut name_only: HashMap<(String, String), Vec<(String, String)>> = HashMap::new();
    for group in &groups {
        let first = &group.rows[0];
        if first.username.is_none() && first.external_id.is_none() {
            name_only
                .entry((first.first.to_lowercase(), first.last.to_lowercase()))
                .or_default()
                .push((where_is(&first.row), first.class.clone()));
        }
    }
    for group in &groups {
        for row in &group.rows {
            if !classes_by_key.contains_key(&row.class_key)
                && new_class_keys.insert(row.class_key.clone())
            {
                new_classes.push(row.class.clone());
            }
        }
    }
    for group in groups {
        let first = &group.rows[0];
        // The account a line matched, for its username when the file has none.
        let mut matched_username = None;
        let outcome: Result<(LineStatus, String), String> = match &group.error {
            Some(error) => Err(error.clone()),
            None => match_learner(
                first,
                &group.rows,
                (&by_external, &by_username),
                snapshot,
                &classes_of,
            )
            .and_then(|existing| {
                if let Some(account) = existing {
                    matched_username = Some(account.username.to_lowercase());
                    if let Some(earlier) =
                        matched_by.insert(account.id.clone(), where_is(&first.row))
                    {
                        return Err(format!(
                            "This is the same learner ({}) as on {earlier}.",
                            account.username
                        ));
                    }
                }
                Ok(existing)
            })
            .and_then(|existing| match existing {
                None => {
                    let email = first.email.clone().filter(|_| may_set_emails);
                    if let Some(email) = &email {
                        if snapshot.emails_in_use.contains_key(email) {
                            return Err(format!(
                                "Email: {email} is already used by another account."
                            ));
                        }
                    }
                    let username = match &first.username {
                        Some(username) => username.clone(),
                        None => first_free(
                            &username_stem(&first.first, &first.last),
                            &taken_usernames,
                            &file_usernames,
                        ),
                    };
                    taken_usernames.insert(username.clone());
                    creates.push(PlannedLearner {
                        first_name: first.first.clone(),
                        last_name: first.last.clone(),
                        username: username.clone(),
                        external_id: first.external_id.clone(),
                        email,
                        classes: group.rows.iter().map(|r| r.class.clone()).collect(),
                    });
                    let here = where_is(&first.row);
                    let namesake = (first.username.is_none() && first.external_id.is_none())
                        .then(|| {
                            name_only
                                .get(&(first.first.to_lowercase(), first.last.to_lowercase()))
                                .and_then(|all| all.iter().find(|(at, _)| *at != here))
                        })
                        .flatten();
                    let mut reason = match namesake {
                        None => format!("New learner, username {username}."),
                        Some((at, class)) => format!(
                            "New learner, username {username}. {} {} is also on {at} ({class}) as a new learner: if that is the same child, give both lines the same username or external_id, or they get two accounts.",
                            first.first, first.last
                        ),
                    };
                    if first.email.is_some() && !may_set_emails {
                        reason = format!("{reason} {EMAIL_NOT_SET}");
                    }
                    Ok((LineStatus::Create, reason))
                }
                Some(account) => {
                    let current: BTreeSet<&str> = classes_of
                        .get(account.id.as_str())
                        .cloned()
                        .unwrap_or_default();
                    let wanted: BTreeSet<&str> =
                        group.rows.iter().map(|r| r.class_key.as_str()).collect();
                    let join: Vec<String> = group
                        .rows
                        .iter()
                        .filter(|r| {
                            classes_by_key
                                .get(&r.class_key)
                                .is_none_or(|c| !current.contains(c.id.as_str()))
                        })
                        .map(|r| r.class.clone())
                        .collect();
                    let leave: Vec<String> = current
                        .iter()
                        .filter(|id| {
                            let name = class_name_of.get(**id).copied().unwrap_or_default();
                            let key = crate::names::tidy(name).to_lowercase();
                            file_class_keys.contains(&key) && !wanted.contains(key.as_str())
                        })
                        .map(|id| id.to_string())
                        .collect();
                    let username = first
                        .username
                        .clone()
                        .unwrap_or_else(|| account.username.to_lowercase());
                    let mut changes = Vec::new();
                    if (first.first.as_str(), first.last.as_str())
                        != (account.first_name.as_str(), account.last_name.as_str())
                    {
                        changes.push(format!(
                            "name {} {} → {} {}",
                            account.first_name, account.last_name, first.first, first.last
                        ));
                    }
                    if username != account.username.to_lowercase() {
                        if let Some(other) =
                            by_username.get(&username).filter(|o| o.id != account.id)
                        {
                            let who = if other.role == "learner" {
                                "another learner"
                            } else {
                                "a staff account"
                            };
                            return Err(format!("Username {username} is already used by {who}."));
                        }
                        changes.push(format!("username {} → {username}", account.username));
                    }
                    if first.external_id.is_some() && first.external_id != account.external_id {
                        changes.push("external id recorded".to_string());
                    }
                    let email_left = first.email.is_some()
                        && first.email != account.email
                        && !may_set_emails;
                    if first.email.is_some() && first.email != account.email && may_set_emails {
                        if let Some(email) = &first.email {
                            if snapshot
                                .emails_in_use
                                .get(email)
                                .is_some_and(|id| *id != account.id)
                            {
                                return Err(format!(
                                    "Email: {email} is already used by another account."
                                ));
                            }
                        }
                        changes.push("email".to_string());
                    }
                    let reactivate = !account.active && may_reactivate;
                    let stays_inactive = !account.active && !may_reactivate;
                    if reactivate {
                        changes.push("reactivated".to_string());
                    }
                    if !join.is_empty() {
                        changes.push(format!("joins {}", join.join(", ")));
                    }
                    if !leave.is_empty() {
                        let names: Vec<&str> = leave
                            .iter()
                            .map(|id| class_name_of.get(id.as_str()).copied().unwrap_or_default())
                            .collect();
                        changes.push(format!("leaves {}", names.join(", ")));
                    }
                    let by_name_only = first.username.is_none() && first.external_id.is_none();
                    if by_name_only && !changes.is_empty() {
                        // DESIGN.md §3: never matched by name alone. A row
                        // naming a learner already in the class reads as
                        // them only while it changes nothing.
                        return Err(format!(
                            "{} {} in {} has no username or external_id, so it only matches {} by name: add their username or external_id to change their account ({}), or a new username for another learner of that name.",
                            first.first,
                            first.last,
                            first.class,
                            account.username,
                            changes.join("; ")
                        ));
                    }
                    // What a lead teacher's file asks for that stays as it is.
                    let mut left = Vec::new();
                    if email_left {
                        left.push(EMAIL_NOT_SET);
                    }
                    if stays_inactive {
                        left.push(STAYS_INACTIVE);
                    }
                    if changes.is_empty() {
                        unchanged += 1;
                        let reason = if left.is_empty() {
                            "Already up to date.".to_string()
                        } else {
                            left.join(" ")
                        };
                        Ok((LineStatus::Unchanged, reason))
                    } else {
                        updates.push(PlannedUpdate {
                            id: account.id.clone(),
                            row_version: account.row_version,
                            first_name: first.first.clone(),
                            last_name: first.last.clone(),
                            username,
                            external_id: first.external_id.clone().or(account.external_id.clone()),
                            email: first
                                .email
                                .clone()
                                .filter(|_| may_set_emails)
                                .or(account.email.clone()),
                            reactivate,
                            changes: changes.join("; "),
                            join,
                            leave,
                        });
                        let mut reason = capitalised(&changes.join("; "));
                        if let Some(warning) = renamed_entirely(account, first) {
                            reason = format!("{reason} {warning}");
                        }
                        if !left.is_empty() {
                            reason = format!("{reason} {}", left.join(" "));
                        }
                        Ok((LineStatus::Update, reason))
                    }
                }
            }),
        };
        for row in &group.rows {
            let (status, reason) = match &outcome {
                Ok((status, reason)) => (*status, reason.clone()),
                Err(reason) => (LineStatus::Error, reason.clone()),
            };
            let mut line = line_of(&row.row, status, reason);
            if status == LineStatus::Create {
                if let Some(created) = creates.last() {
                    line.username = created.username.clone();
                }
            } else if line.username.is_empty() {
                if let Some(username) = &matched_username {
                    line.username = username.clone();
                }
            }
            lines.push(line);
        }
        for (row, earlier) in &group.repeats {
            let (status, reason) = match &outcome {
                Ok(_) => (
                    LineStatus::Unchanged,
                    format!("The same learner and class as {earlier}: read once."),
                ),
                Err(reason) => (LineStatus::Error, reason.clone()),
            };
            lines.push(line_of(row, status, reason));
        }
    }

    let inactivate = if inactivate_missing {
        let in_file: HashSet<&str> = matched_by.keys().map(String::as_str).collect();
        let mut missing: Vec<PlannedInactivation> = snapshot
            .accounts
            .iter()
            .filter(|a| a.role == "learner" && a.active && !in_file.contains(a.id.as_str()))
            .map(|a| PlannedInactivation {
                id: a.id.clone(),
                row_version: a.row_version,
                username: a.username.clone(),
                label: format!("{} {} ({})", a.first_name, a.last_name, a.username)
                    .trim()
                    .to_string(),
            })
            .collect();
        missing.sort_by(|a, b| a.label.cmp(&b.label));
        missing
    } else {
        Vec::new()
    };
    lines.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    Plan {
        file_kind,
        lines,
        new_classes,
        creates,
        updates,
        unchanged,
        inactivate,
    }
}

/// How a row joins the learner of `rows` (the same key).
enum Joining {
    /// The learner in one more class.
    AnotherClass,
    /// A line repeated as it is (an export listing a child twice): it adds
    /// nothing, so it is read once instead of blocking the import.
    Repeats(String),
    /// Other details for the same learner, or a learner matched by name
    /// alone listed twice in one class (two namesakes cannot be told apart).
    Conflict(String),
}

fn joining(rows: &[Checked], row: &Checked, key: &str) -> Joining {
    let first = &rows[0];
    if (&row.first, &row.last, &row.username, &row.email)
        != (&first.first, &first.last, &first.username, &first.email)
    {
        let earlier = where_is(&first.row);
        return Joining::Conflict(match (key.split_at(2), &row.username) {
            (("u:", username), _) => format!(
                "Duplicate username in the file: {username} is also on {earlier} for another learner."
            ),
            (("e:", id), _) => format!(
                "external_id {id} is also on {earlier} with another name, username or email: one learner, one set of details."
            ),
            _ => format!("This learner is also on {earlier} with other details."),
        });
    }
    match rows.iter().find(|other| other.class_key == row.class_key) {
        None => Joining::AnotherClass,
        Some(other) if key.starts_with("n:") => Joining::Conflict(format!(
            "The same name and class as {}: give each learner a username or an external_id.",
            where_is(&other.row)
        )),
        Some(other) => Joining::Repeats(where_is(&other.row)),
    }
}

/// A warning when a line matched an account by its username or
/// external_id but changes both of its names: a typing slip in that column
/// would hand one child's account (its password, its parent access code)
/// to another. The change stays allowed (a child may change both names);
/// the preview asks the admin to check it.
fn renamed_entirely(account: &SchoolAccount, line: &Checked) -> Option<String> {
    let differs =
        |old: &str, new: &str| !old.is_empty() && old.to_lowercase() != new.to_lowercase();
    if !(differs(&account.first_name, &line.first) && differs(&account.last_name, &line.last)) {
        return None;
    }
    let matched_by = match &line.external_id {
        Some(id) if account.external_id.as_deref() == Some(id.as_str()) => {
            format!("external_id {id}")
        }
        _ => format!("username {}", account.username),
    };
    Some(format!(
        "Check that this is the same child: the line matched {} {}'s account by {matched_by} and changes both names, so that account, with its password and parent access code, would become {} {}'s.",
        account.first_name, account.last_name, line.first, line.last
    ))
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect::<String>() + ".",
        None => String::new(),
    }
}

/// The school's learner a group of rows is, if any.
fn match_learner<'a>(
    first: &Checked,
    rows: &[Checked],
    (by_external, by_username): (
        &HashMap<&str, &'a SchoolAccount>,
        &HashMap<String, &'a SchoolAccount>,
    ),
    snapshot: &'a Snapshot,
    classes_of: &HashMap<&str, BTreeSet<&str>>,
) -> Result<Option<&'a SchoolAccount>, String> {
    if let Some(external_id) = &first.external_id {
        if let Some(account) = by_external.get(external_id.as_str()) {
            return Ok(Some(account));
        }
    }
    if let Some(username) = &first.username {
        return match by_username.get(username) {
            None => Ok(None),
            Some(account) if account.role != "learner" => Err(format!(
                "Username {username} is already used by a staff account."
            )),
            Some(account) => match (&first.external_id, &account.external_id) {
                (Some(_), Some(theirs)) => Err(format!(
                    "Username {username} belongs to a learner with another external_id ({theirs})."
                )),
                _ => Ok(Some(account)),
            },
        };
    }
    if first.external_id.is_some() {
        return Ok(None);
    }
    // No username or external id: the one learner of that name in the class.
    let class_ids: Vec<&str> = snapshot
        .classes
        .iter()
        .filter(|c| {
            rows.iter()
                .any(|r| r.class_key == crate::names::tidy(&c.name).to_lowercase())
        })
        .map(|c| c.id.as_str())
        .collect();
    let namesakes: Vec<&SchoolAccount> = snapshot
        .accounts
        .iter()
        .filter(|a| {
            a.role == "learner"
                && a.first_name.to_lowercase() == first.first.to_lowercase()
                && a.last_name.to_lowercase() == first.last.to_lowercase()
                && classes_of
                    .get(a.id.as_str())
                    .is_some_and(|classes| class_ids.iter().any(|id| classes.contains(id)))
        })
        .collect();
    match namesakes.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(one)),
        many => Err(format!(
            "{} learners called {} {} are in {}: add a username or external_id to tell them apart.",
            many.len(),
            first.first,
            first.last,
            first.class
        )),
    }
}
