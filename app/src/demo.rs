//! The demo schools of DESIGN.md §4, created on an empty database.

use std::collections::HashSet;

use rand::rngs::OsRng;
use rand::seq::SliceRandom;
use secrecy::SecretString;

use crate::db::{begin_write, new_id};
use crate::error::AppError;
use crate::learners::roster::{insert_learner, NewLearner};
use crate::password_rules::{PasswordContext, PasswordPolicy};
use crate::passwords::generator::child_friendly_password;
use crate::schools::ssr::{create_school, NewSchool};
use crate::state::AppState;

pub struct DemoStaff {
    pub username: &'static str,
    pub display_name: &'static str,
    pub email: &'static str,
    pub password: &'static str,
    pub full_admin: bool,
    pub lead_teacher: bool,
    pub classes: &'static [&'static str],
}

pub struct DemoSchool {
    pub name: &'static str,
    pub code: &'static str,
    pub owner_email: &'static str,
    pub owner_display_name: &'static str,
    pub owner_password: &'static str,
    pub staff: &'static [DemoStaff],
    pub classes: &'static [&'static str],
    pub learners_per_class: usize,
}

pub const DEMO_SCHOOLS: &[DemoSchool] = &[
    DemoSchool {
        name: "Oakwood Primary",
        code: "OAK",
        owner_email: "owner@oakwood.example",
        owner_display_name: "Olga Owner",
        owner_password: "oakwood-owner-1",
        staff: &[
            DemoStaff {
                username: "office",
                display_name: "Olivia Office",
                email: "office@oakwood.example",
                password: "oakwood-office-1",
                full_admin: true,
                lead_teacher: false,
                classes: &[],
            },
            DemoStaff {
                username: "lead",
                display_name: "Leo Lead",
                email: "lead@oakwood.example",
                password: "oakwood-lead-1",
                full_admin: false,
                lead_teacher: true,
                classes: &[],
            },
            DemoStaff {
                username: "teacher",
                display_name: "Tara Teacher",
                email: "teacher@oakwood.example",
                password: "oakwood-teacher-1",
                full_admin: false,
                lead_teacher: false,
                classes: &["Year 3 Hazel", "Year 4 Rowan"],
            },
        ],
        classes: &["Year 3 Hazel", "Year 4 Rowan", "Year 5 Willow"],
        learners_per_class: 28,
    },
    DemoSchool {
        name: "Riverside Academy",
        code: "RIV",
        owner_email: "owner@riverside.example",
        owner_display_name: "Rita Owner",
        owner_password: "riverside-owner-1",
        staff: &[DemoStaff {
            username: "teacher",
            display_name: "Rhys Teacher",
            email: "teacher@riverside.example",
            password: "riverside-teacher-1",
            full_admin: false,
            lead_teacher: false,
            classes: &["Year 6 Ash"],
        }],
        classes: &["Year 6 Ash"],
        learners_per_class: 24,
    },
];

const FIRST_NAMES: &[&str] = &[
    "Amelia", "Oliver", "Isla", "George", "Ava", "Noah", "Mia", "Arthur", "Ivy", "Leo", "Freya",
    "Oscar", "Lily", "Harry", "Sophia", "Muhammad", "Grace", "Jack", "Ella", "Theo", "Aisha",
    "Henry", "Poppy", "Archie", "Evie", "Alfie", "Rosie", "Finley", "Zara", "Ali", "Maya", "Jacob",
    "Hannah", "Yusuf", "Chloe", "Ethan", "Priya", "Samuel", "Nia", "Reuben", "Fatima", "Joshua",
    "Layla", "Kai", "Emily", "Tomasz", "Olivia", "Rohan", "Ruby", "Dylan",
];
const LAST_NAMES: &[&str] = &[
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel",
    "Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall",
    "Wood", "Jackson", "Clarke", "Khan", "Hughes", "Edwards", "Lewis", "Ahmed", "Murphy",
    "Kowalski", "Okafor", "Nguyen", "Begum", "Campbell", "Ali", "Singh", "Murray", "Price",
    "Bennett", "Morris", "Shaw", "Fraser",
];

/// What was created, for the start-up banner.
#[derive(Debug, Default)]
pub struct DemoSummary {
    pub schools: usize,
    pub learners: usize,
}

/// Creates the demo schools unless the database already has a school.
pub async fn seed_if_empty(state: &AppState) -> Result<Option<DemoSummary>, AppError> {
    seed_if_empty_sized(state, None).await
}

/// Like [`seed_if_empty`], with `learners_per_class` learners in every
/// class instead of the designed 28 (for load tests and benchmarks).
pub async fn seed_if_empty_sized(
    state: &AppState,
    learners_per_class: Option<usize>,
) -> Result<Option<DemoSummary>, AppError> {
    let (schools,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM schools")
        .fetch_one(&state.db)
        .await?;
    if schools > 0 {
        return Ok(None);
    }
    let mut summary = DemoSummary::default();
    for school in DEMO_SCHOOLS {
        summary.learners += seed_school(
            state,
            school,
            learners_per_class.unwrap_or(school.learners_per_class),
        )
        .await?;
        summary.schools += 1;
    }
    Ok(Some(summary))
}

async fn seed_school(
    state: &AppState,
    school: &DemoSchool,
    learners_per_class: usize,
) -> Result<usize, AppError> {
    let school_id = create_school(
        state,
        NewSchool {
            name: school.name.into(),
            code: school.code.into(),
            owner_email: school.owner_email.into(),
            owner_display_name: school.owner_display_name.into(),
            owner_password: SecretString::from(school.owner_password),
            // The demo schools read their times in UTC (tests read them).
            time_zone: None,
        },
    )
    .await?;
    let learners = draw_learners(school.classes.len() * learners_per_class);
    let staff_hashes = hash_all(
        state,
        school
            .staff
            .iter()
            .map(|s| s.password.to_string())
            .collect(),
    )
    .await?;
    let passwords: Vec<String> = learners
        .iter()
        .map(|(_, _, username)| {
            let context = PasswordContext {
                username: username.clone(),
                school_name: school.name.into(),
                school_code: school.code.into(),
            };
            child_friendly_password(&PasswordPolicy::default(), &context)
        })
        .collect();
    let learner_hashes = hash_all(state, passwords.clone()).await?;
    let now = state.clock.now();

    let mut tx = begin_write(&state.db).await?;
    let mut class_ids = Vec::new();
    for class in school.classes {
        let class_id =
            crate::classes::roster::insert_class(&mut tx, &school_id, class, now).await?;
        class_ids.push((class_id, *class));
    }
    for (staff, hash) in school.staff.iter().zip(&staff_hashes) {
        let staff_id = new_id();
        sqlx::query(
            "INSERT INTO accounts (id, school_id, role, is_full_admin, is_lead_teacher, username, \
             display_name, first_name, last_name, email, password_hash, password_set_by, created_at) \
             VALUES ($1, $2, 'staff', $3, $4, $5, $6, $7, $8, $9, $10, 'self', $11)",
        )
        .bind(&staff_id)
        .bind(&school_id)
        .bind(staff.full_admin)
        .bind(staff.lead_teacher)
        .bind(staff.username)
        .bind(staff.display_name)
        .bind(staff.display_name.split(' ').next().unwrap_or_default())
        .bind(staff.display_name.split(' ').nth(1).unwrap_or_default())
        .bind(staff.email)
        .bind(hash)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        for (class_id, class_name) in &class_ids {
            if staff.classes.contains(class_name) {
                sqlx::query("INSERT INTO class_teachers (class_id, account_id) VALUES ($1, $2)")
                    .bind(class_id)
                    .bind(&staff_id)
                    .execute(&mut *tx)
                    .await?;
            }
        }
    }
    for (index, ((first, last, username), (password, hash))) in learners
        .iter()
        .zip(passwords.iter().zip(&learner_hashes))
        .enumerate()
    {
        let (class_id, _) = &class_ids[index / learners_per_class];
        let class_ids = [class_id.clone()];
        let learner = NewLearner {
            school_id: &school_id,
            first_name: first,
            last_name: last,
            username,
            external_id: None,
            email: None,
            hash,
            password: Some(password),
            class_ids: &class_ids,
        };
        insert_learner(&mut tx, state, &learner, now).await?;
    }
    tx.commit().await?;
    Ok(learners.len())
}

/// `count` distinct learners: (first name, last name, username). Usernames
/// are the first name and the last name's initial, with a number when taken.
fn draw_learners(count: usize) -> Vec<(String, String, String)> {
    let mut rng = OsRng;
    let mut names = HashSet::new();
    let mut usernames = HashSet::new();
    let mut learners = Vec::with_capacity(count);
    while learners.len() < count {
        let first = FIRST_NAMES.choose(&mut rng).copied().unwrap_or("Sam");
        let last = LAST_NAMES.choose(&mut rng).copied().unwrap_or("Smith");
        // Names repeat only once every pair is taken (large load-test schools).
        let every_pair_taken = names.len() >= FIRST_NAMES.len() * LAST_NAMES.len();
        if !names.insert((first, last)) && !every_pair_taken {
            continue;
        }
        let stem = format!("{}{}", first.to_lowercase(), last[..1].to_lowercase());
        let username = (1..)
            .map(|n| {
                if n == 1 {
                    stem.clone()
                } else {
                    format!("{stem}{n}")
                }
            })
            .find(|candidate| !usernames.contains(candidate))
            .unwrap_or(stem);
        usernames.insert(username.clone());
        learners.push((first.to_string(), last.to_string(), username));
    }
    learners
}

/// Hashes many passwords in parallel on the hasher's bounded threads.
async fn hash_all(state: &AppState, passwords: Vec<String>) -> Result<Vec<String>, AppError> {
    let secrets = passwords.into_iter().map(SecretString::from).collect();
    Ok(state
        .hasher
        .hash_many(secrets)
        .await?
        .into_iter()
        .map(|hash| hash.0)
        .collect())
}
