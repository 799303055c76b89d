//! The demo schools match DESIGN.md §4.

use app::demo::seed_if_empty;
use app::password_rules::enforce_password_rules;
use app::passwords::sealing::{Sealed, SealedFor};
use secrecy::{ExposeSecret, SecretString};

use crate::helpers::spawn_app;

/// id, school, username, hash, reveal key id, reveal, code key id, sealed code.
type LearnerRow = (
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
);

#[tokio::test]
async fn demo_data_matches_the_design() {
    let app = spawn_app().await;
    let summary = seed_if_empty(&app.state).await.unwrap().expect("seeded");
    assert_eq!((summary.schools, summary.learners), (2, 3 * 28 + 24));
    assert!(
        seed_if_empty(&app.state).await.unwrap().is_none(),
        "seeding twice adds nothing"
    );

    let schools: Vec<(String, String)> =
        sqlx::query_as("SELECT name, code FROM schools ORDER BY code")
            .fetch_all(&app.state.db)
            .await
            .unwrap();
    assert_eq!(
        schools,
        [
            ("Oakwood Primary".into(), "OAK".into()),
            ("Riverside Academy".into(), "RIV".into())
        ]
    );

    let staff = [
        (
            "OAK",
            "admin",
            "owner@oakwood.example",
            "oakwood-owner-1",
            "owner",
            false,
            false,
        ),
        (
            "OAK",
            "office",
            "office@oakwood.example",
            "oakwood-office-1",
            "staff",
            true,
            false,
        ),
        (
            "OAK",
            "lead",
            "lead@oakwood.example",
            "oakwood-lead-1",
            "staff",
            false,
            true,
        ),
        (
            "OAK",
            "teacher",
            "teacher@oakwood.example",
            "oakwood-teacher-1",
            "staff",
            false,
            false,
        ),
        (
            "RIV",
            "admin",
            "owner@riverside.example",
            "riverside-owner-1",
            "owner",
            false,
            false,
        ),
    ];
    for (code, username, email, password, role, full_admin, lead) in staff {
        let row: (String, String, bool, bool, String) = sqlx::query_as(
            "SELECT a.email, a.role, a.is_full_admin, a.is_lead_teacher, a.password_hash FROM accounts a \
             JOIN schools s ON s.id = a.school_id WHERE s.code = $1 AND a.username = $2",
        )
        .bind(code)
        .bind(username)
        .fetch_one(&app.state.db)
        .await
        .unwrap();
        assert_eq!(
            (row.0.as_str(), row.1.as_str(), row.2, row.3),
            (email, role, full_admin, lead),
            "{code}/{username}"
        );
        let hash = app::passwords::hashing::StoredHash(row.4);
        assert!(
            app.state
                .hasher
                .verify(&SecretString::from(password), Some(&hash))
                .await,
            "{code}/{username} password"
        );
    }

    let classes: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT s.code, c.name, (SELECT COUNT(*) FROM enrolments e WHERE e.class_id = c.id) FROM classes c \
         JOIN schools s ON s.id = c.school_id ORDER BY s.code, c.name",
    )
    .fetch_all(&app.state.db)
    .await
    .unwrap();
    let names: Vec<(&str, &str, i64)> = classes
        .iter()
        .map(|(s, c, n)| (s.as_str(), c.as_str(), *n))
        .collect();
    assert_eq!(
        names,
        [
            ("OAK", "Year 3 Hazel", 28),
            ("OAK", "Year 4 Rowan", 28),
            ("OAK", "Year 5 Willow", 28),
            ("RIV", "Year 6 Ash", 24)
        ]
    );

    let assigned: Vec<(String,)> = sqlx::query_as(
        "SELECT c.name FROM class_teachers t JOIN classes c ON c.id = t.class_id JOIN accounts a ON a.id = t.account_id \
         JOIN schools s ON s.id = a.school_id WHERE s.code = 'OAK' AND a.username = 'teacher' ORDER BY c.name",
    )
    .fetch_all(&app.state.db)
    .await
    .unwrap();
    assert_eq!(
        assigned,
        [("Year 3 Hazel".to_string(),), ("Year 4 Rowan".to_string(),)]
    );

    // Every learner has a viewable, rule-abiding password and a parent access code.
    let learners: Vec<LearnerRow> = sqlx::query_as(
        "SELECT a.id, a.school_id, a.username, a.password_hash, r.key_id, r.sealed, p.key_id, p.sealed FROM accounts a \
         JOIN learner_password_reveals r ON r.account_id = a.id JOIN parent_access_codes p ON p.learner_id = a.id \
         WHERE a.role = 'learner'",
    )
    .fetch_all(&app.state.db)
    .await
    .unwrap();
    assert_eq!(learners.len(), 3 * 28 + 24);
    for (id, school, username, hash, key_id, sealed, code_key, code_sealed) in
        learners.iter().take(10)
    {
        let password = app
            .state
            .sealer
            .open(
                &Sealed {
                    key_id: key_id.clone(),
                    sealed: sealed.clone(),
                },
                &SealedFor::LearnerPassword {
                    school_id: school,
                    learner_id: id,
                    password_version: 1,
                },
            )
            .unwrap();
        let context = app::password_rules::PasswordContext {
            username: username.clone(),
            ..Default::default()
        };
        assert_eq!(
            enforce_password_rules(&Default::default(), password.expose_secret(), &context),
            Ok(())
        );
        let hash = app::passwords::hashing::StoredHash(hash.clone());
        assert!(
            app.state.hasher.verify(&password, Some(&hash)).await,
            "the sealed copy is the sign-in password"
        );
        let code = app
            .state
            .sealer
            .open(
                &Sealed {
                    key_id: code_key.clone(),
                    sealed: code_sealed.clone(),
                },
                &SealedFor::ParentAccessCode {
                    school_id: school,
                    learner_id: id,
                },
            )
            .unwrap();
        assert!(app::passwords::generator::normalise_access_code(code.expose_secret()).is_some());
    }
}
