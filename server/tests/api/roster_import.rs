//! "Import roster" (DESIGN.md §3, issue #10): the preview writes nothing
//! and says what each line would do; the apply is all or nothing, and
//! applying the same file again changes nothing.

use std::io::Write;

use app::roster::{ImportPreview, LineStatus};

use crate::helpers::{
    app_error, apply_import, new_client, preview_import, spawn_app, TestApp, World, PASSWORD,
};

async fn preview(app: &TestApp, file: &[u8], inactivate: bool) -> ImportPreview {
    let response = preview_import(app, &app.client, file, inactivate).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// Each line's number, status and reason, in the preview's order.
fn reasons(preview: &ImportPreview) -> Vec<(usize, LineStatus, &str)> {
    preview
        .lines
        .iter()
        .map(|l| (l.line, l.status, l.reason.as_str()))
        .collect()
}

fn statuses(preview: &ImportPreview) -> Vec<(usize, LineStatus)> {
    preview.lines.iter().map(|l| (l.line, l.status)).collect()
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(sql.to_string()))
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    n
}

/// Everything an import could change, to prove a preview or a failed
/// apply changed nothing.
async fn roster_state(app: &TestApp) -> Vec<String> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT 'a:' || id || username || first_name || last_name || active || row_version || \
         coalesce(external_id, '') FROM accounts \
         UNION ALL SELECT 'c:' || id || name FROM classes \
         UNION ALL SELECT 'e:' || class_id || account_id FROM enrolments ORDER BY 1",
    )
    .fetch_all(&app.state.db)
    .await
    .unwrap();
    rows.into_iter().map(|(r,)| r).collect()
}

async fn oak_admin(app: &TestApp) -> World {
    let world = app.world().await;
    let learners = [world.oak_learner.as_str(), world.oak_learner2.as_str()];
    app.class(&world.oak, "Year 3 Hazel", &[&world.oak_teacher], &learners)
        .await;
    app.signed_in_as(&app.client, "OAK", "office", PASSWORD)
        .await;
    world
}

const SAMPLE: &str = "class,first_name,last_name,username,external_id,email\n\
Year 3 Hazel,Ali,Khan,,S100,\n\
Year 3 Hazel,Seán,Ó Súilleabháin,,S101,\n\
Year 4 Rowan,Seán,Ó Súilleabháin,,S101,\n\
Year 4 Rowan,Thị,Nguyễn,thi.n,,\n";

#[tokio::test]
async fn a_preview_says_what_each_line_would_do_and_writes_nothing() {
    let app = spawn_app().await;
    oak_admin(&app).await;
    let before = roster_state(&app).await;
    let result = preview(&app, SAMPLE.as_bytes(), false).await;
    assert_eq!(roster_state(&app).await, before, "a preview writes nothing");
    assert_eq!(
        statuses(&result),
        [
            (2, LineStatus::Create),
            (3, LineStatus::Create),
            (4, LineStatus::Create),
            (5, LineStatus::Create)
        ]
    );
    let usernames: Vec<&str> = result.lines.iter().map(|l| l.username.as_str()).collect();
    assert_eq!(
        usernames,
        [
            "ali.khan",
            "sean.osuilleabhain",
            "sean.osuilleabhain",
            "thi.n"
        ]
    );
    assert_eq!(result.new_learners, 3, "Seán is one learner in two classes");
    assert_eq!(result.new_classes, ["Year 4 Rowan"]);
    assert_eq!(result.file_kind, "CSV, UTF-8");
    assert_eq!((result.totals.create, result.totals.error), (4, 0));
}

#[tokio::test]
async fn an_applied_import_creates_learners_who_sign_in_and_applying_it_again_changes_nothing() {
    let app = spawn_app().await;
    oak_admin(&app).await;
    let summary = apply_import(&app, &app.client, SAMPLE.as_bytes(), false)
        .await
        .unwrap();
    assert_eq!(
        (summary.created, summary.updated, summary.classes_created),
        (3, 0, 1)
    );
    assert_eq!(
        summary.new_accounts.len(),
        4,
        "one row per learner per class"
    );
    assert_eq!(summary.file_name, "OAK-new accounts-access-codes.csv");
    let ali = &summary.new_accounts[0];
    assert_eq!(
        (ali.username.as_str(), ali.class.as_str()),
        ("ali.khan", "Year 3 Hazel")
    );
    let password = ali.password.clone().unwrap();
    let signed_in = app
        .sign_in_as(&new_client(), "OAK", "ali.khan", &password)
        .await;
    assert_eq!(signed_in.status(), 200);
    assert_eq!(ali.parent_access_code.len(), 11);
    let (detail,): (String,) =
        sqlx::query_as("SELECT detail FROM audit_events WHERE action = 'roster_imported'")
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    assert_eq!(
        detail,
        "3 created, 0 updated, 0 unchanged, 0 inactivated, 1 new class (CSV, UTF-8)"
    );
    // The same file again: every line unchanged, and applying it changes nobody.
    let again = preview(&app, SAMPLE.as_bytes(), false).await;
    assert!(again
        .lines
        .iter()
        .all(|l| l.status == LineStatus::Unchanged));
    let before = roster_state(&app).await;
    let summary = apply_import(&app, &app.client, SAMPLE.as_bytes(), false)
        .await
        .unwrap();
    assert_eq!(
        (summary.created, summary.updated, summary.unchanged),
        (0, 0, 3)
    );
    assert_eq!(roster_state(&app).await, before);
}

/// Review finding: the new accounts' CSV named the class as the file spelled
/// it ("year 3 hazel"), not as the school does.
#[tokio::test]
async fn the_new_accounts_csv_names_classes_as_the_school_does() {
    let app = spawn_app().await;
    oak_admin(&app).await;
    let file = "class,first_name,last_name\nyear 3 hazel,Tom,Lee\nchoir,Tom,Lee\nCHOIR,Ann,Bo\n";
    let summary = apply_import(&app, &app.client, file.as_bytes(), false)
        .await
        .unwrap();
    let classes: Vec<&str> = summary
        .new_accounts
        .iter()
        .map(|row| row.class.as_str())
        .collect();
    assert_eq!(classes, ["Year 3 Hazel", "choir", "choir"]);
}

/// Review finding: one child in two classes, on lines with neither
/// username nor external_id, silently became two learners.
#[tokio::test]
async fn a_new_name_in_two_classes_without_ids_says_it_makes_two_learners() {
    let app = spawn_app().await;
    oak_admin(&app).await;
    let file = "class,first_name,last_name\nYear 6 Ash,Tom,Lee\nChoir,Tom,Lee\n";
    let result = preview(&app, file.as_bytes(), false).await;
    assert_eq!(
        reasons(&result),
        [
            (2, LineStatus::Create, "New learner, username tom.lee. Tom Lee is also on line 3 (Choir) as a new learner: if that is the same child, give both lines the same username or external_id, or they get two accounts."),
            (3, LineStatus::Create, "New learner, username tom.lee2. Tom Lee is also on line 2 (Year 6 Ash) as a new learner: if that is the same child, give both lines the same username or external_id, or they get two accounts."),
        ]
    );
}

/// Review finding: the same names saved on a Mac (decomposed letters) read
/// as a change no one could see, and "Year 7  Oak" made a second class.
#[tokio::test]
async fn names_in_another_unicode_form_or_with_double_spaces_are_the_same_names() {
    let app = spawn_app().await;
    oak_admin(&app).await;
    let composed =
        "class,first_name,last_name,username\nYear 7 Oak,Zo\u{eb},Ad\u{e1}ms,zoe.adams\n";
    apply_import(&app, &app.client, composed.as_bytes(), false)
        .await
        .unwrap();
    let decomposed =
        "class,first_name,last_name,username\nYear 7  Oak,Zoe\u{308}, Ada\u{301}ms ,zoe.adams\n";
    let again = preview(&app, decomposed.as_bytes(), false).await;
    assert_eq!(statuses(&again), [(2, LineStatus::Unchanged)]);
    assert!(again.new_classes.is_empty());
    // A new learner typed decomposed is kept composed.
    let new = "class,first_name,last_name,username\nYear 7 Oak,Rene\u{301},Lee,rene.lee\n";
    apply_import(&app, &app.client, new.as_bytes(), false)
        .await
        .unwrap();
    let (first,): (String,) =
        sqlx::query_as("SELECT first_name FROM accounts WHERE username = 'rene.lee'")
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    assert_eq!(first, "Ren\u{e9}");
}

/// Names Oakwood's first learner (`amelias`) Amelia Smith, external_id S1.
async fn amelia_smith_s1(app: &TestApp, world: &World) {
    sqlx::query("UPDATE accounts SET external_id = 'S1', first_name = 'Amelia', last_name = 'Smith' WHERE id = $1")
        .bind(&world.oak_learner)
        .execute(&app.state.db)
        .await
        .unwrap();
}

#[tokio::test]
async fn learners_are_matched_by_external_id_then_username_never_by_name_alone() {
    let app = spawn_app().await;
    let world = oak_admin(&app).await;
    amelia_smith_s1(&app, &world).await;
    let file = "class,first_name,last_name,username,external_id\n\
        Year 3 Hazel,Amélie,Smith,amelia.s,S1\n\
        Year 3 Hazel,Oliver,Jones,OLIVERJ,S2\n\
        Year 3 Hazel,Amelia,Smith,,S9\n";
    let result = preview(&app, file.as_bytes(), false).await;
    assert_eq!(
        statuses(&result),
        [
            (2, LineStatus::Update),
            (3, LineStatus::Update),
            (4, LineStatus::Create)
        ]
    );
    assert_eq!(
        result.lines[0].reason,
        "Name Amelia Smith → Amélie Smith; username amelias → amelia.s."
    );
    assert_eq!(
        result.lines[1].reason,
        "Name   → Oliver Jones; external id recorded."
    );
    let summary = apply_import(&app, &app.client, file.as_bytes(), false)
        .await
        .unwrap();
    assert_eq!((summary.created, summary.updated), (1, 2));
    let (username, external): (String, Option<String>) =
        sqlx::query_as("SELECT username, external_id FROM accounts WHERE id = $1")
            .bind(&world.oak_learner2)
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    assert_eq!(
        (username.as_str(), external.as_deref()),
        ("oliverj", Some("S2"))
    );
}

/// Review finding: a username or external_id typed on the wrong line
/// quietly handed one child's account (password, parent access code) to
/// another child of a different name. It is still allowed (names change),
/// but the preview asks the admin to check it; one changed name does not.
#[tokio::test]
async fn a_match_that_changes_both_names_asks_to_check_it_is_the_same_child() {
    let app = spawn_app().await;
    let world = oak_admin(&app).await;
    amelia_smith_s1(&app, &world).await;
    let check = "Check that this is the same child: the line matched Amelia Smith's account by";
    let by_username = "class,first_name,last_name,username\nYear 3 Hazel,Sara,Jones,amelias\n";
    let result = preview(&app, by_username.as_bytes(), false).await;
    assert_eq!(
        reasons(&result),
        [(
            2,
            LineStatus::Update,
            format!("Name Amelia Smith → Sara Jones. {check} username amelias and changes both names, so that account, with its password and parent access code, would become Sara Jones's.").as_str()
        )]
    );
    let by_id = "class,first_name,last_name,external_id\nYear 3 Hazel,Sara,Jones,S1\n";
    let result = preview(&app, by_id.as_bytes(), false).await;
    assert!(
        result.lines[0]
            .reason
            .contains(&format!("{check} external_id S1 and")),
        "{result:?}"
    );
    // A married name, or a first name in another case, is no warning.
    let one_name = "class,first_name,last_name,username\nYear 3 Hazel,AMELIA,Jones,amelias\n";
    let result = preview(&app, one_name.as_bytes(), false).await;
    assert_eq!(
        reasons(&result),
        [(2, LineStatus::Update, "Name Amelia Smith → AMELIA Jones.")]
    );
}

#[tokio::test]
async fn lines_in_error_say_why_and_block_the_apply() {
    let app = spawn_app().await;
    oak_admin(&app).await;
    let file = "class,first_name,last_name,username\n\
        Year 3 Hazel,Tess,Teacher,teacher\n\
        Year 3 Hazel,Ann,Lee,ann.lee\n\
        Year 3 Hazel,Anne,Lee,ANN.LEE\n\
        Year 3 Hazel,=HYPERLINK(\"http://evil\"),Lee,\n\
        ,Bo,Lee,\n\
        Year 3 Hazel,Cy,Lee,cy lee\n\
        Year 3 Hazel,Dee,Lee\n\
        Year 3 Hazel,Eve,Lee,eve.lee\n";
    let result = preview(&app, file.as_bytes(), false).await;
    let reasons = reasons(&result);
    assert_eq!(
        reasons,
        [
            (2, LineStatus::Error, "Username teacher is already used by a staff account."),
            (3, LineStatus::Create, "New learner, username ann.lee."),
            (4, LineStatus::Error, "Duplicate username in the file: ann.lee is also on line 3 for another learner."),
            (5, LineStatus::Error, "First name: A name cannot start with =, +, - or @ (a spreadsheet would run it as a formula)."),
            (6, LineStatus::Error, "No class: every line needs one."),
            (7, LineStatus::Error, &format!("Username: {}", app::usernames::RULE)),
            (8, LineStatus::Error, "This line has 3 fields, but the header has 4. Fill in the missing fields, leaving the ones that may be empty empty (two separators in a row)."),
            (9, LineStatus::Create, "New learner, username eve.lee."),
        ]
    );
    assert_eq!(result.totals.error, 6);
    let before = roster_state(&app).await;
    let outcome = apply_import(&app, &app.client, file.as_bytes(), false).await;
    assert!(outcome.unwrap_err().starts_with("422"));
    assert_eq!(roster_state(&app).await, before);
}

/// Review finding: the same email on two lines passed the preview, and the
/// apply then failed after minutes of hashing with "That is already in use."
#[tokio::test]
async fn one_email_on_two_learners_lines_is_an_error_in_the_preview() {
    let app = spawn_app().await;
    oak_admin(&app).await;
    let file = "class,first_name,last_name,username,external_id,email\n\
        Year 6 Ash,Fay,Two,,F2,kid2@pupils.example\n\
        Year 6 Ash,Fay,Three,,F3,KID2@pupils.example\n\
        Choir,Fay,Two,,F2,kid2@pupils.example\n";
    let result = preview(&app, file.as_bytes(), false).await;
    let reasons = reasons(&result);
    assert_eq!(
        reasons,
        [
            (2, LineStatus::Create, "New learner, username fay.two."),
            (3, LineStatus::Error, "Duplicate email in the file: kid2@pupils.example is also on line 2 for another learner. Each account needs its own email, or none."),
            (4, LineStatus::Create, "New learner, username fay.two."),
        ]
    );
    let before = roster_state(&app).await;
    let outcome = apply_import(&app, &app.client, file.as_bytes(), false).await;
    assert!(outcome.unwrap_err().starts_with("422"));
    assert_eq!(roster_state(&app).await, before);
}

#[tokio::test]
async fn a_line_repeated_as_it_is_is_read_once_but_two_namesakes_in_a_class_are_an_error() {
    let app = spawn_app().await;
    oak_admin(&app).await;
    // An export that lists Ali (by external id) and Bea (by username)
    // twice, and two Cy Lees in one class with nothing to tell them apart.
    let file = "class,first_name,last_name,username,external_id\n\
        Year 3 Hazel,Ali,Khan,,S100\n\
        Year 3 Hazel,Ali,Khan,,S100\n\
        Year 3 Hazel,Bea,Lee,bea.lee,\n\
        Year 4 Rowan,Bea,Lee,bea.lee,\n\
        Year 3 Hazel,Bea,Lee,bea.lee,\n\
        Year 3 Hazel,Cy,Lee,,\n\
        Year 3 Hazel,Cy,Lee,,\n";
    let result = preview(&app, file.as_bytes(), false).await;
    let reasons = reasons(&result);
    assert_eq!(
        reasons,
        [
            (2, LineStatus::Create, "New learner, username ali.khan."),
            (3, LineStatus::Unchanged, "The same learner and class as line 2: read once."),
            (4, LineStatus::Create, "New learner, username bea.lee."),
            (5, LineStatus::Create, "New learner, username bea.lee."),
            (6, LineStatus::Unchanged, "The same learner and class as line 4: read once."),
            (7, LineStatus::Create, "New learner, username cy.lee."),
            (8, LineStatus::Error, "The same name and class as line 7: give each learner a username or an external_id."),
        ]
    );
    assert!(apply_import(&app, &app.client, file.as_bytes(), false)
        .await
        .unwrap_err()
        .starts_with("422"));

    // Without the namesake, the repeats add nothing: one account each, in
    // each class once.
    let file = file.rsplit_once("Year 3 Hazel,Cy").unwrap().0;
    let summary = apply_import(&app, &app.client, file.as_bytes(), false)
        .await
        .unwrap();
    assert_eq!((summary.created, summary.updated), (3, 0));
    assert_eq!(
        summary.new_accounts.len(),
        4,
        "one row per learner per class"
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM enrolments e JOIN accounts a ON a.id = e.account_id \
             WHERE a.username IN ('ali.khan', 'bea.lee', 'cy.lee')"
        )
        .await,
        4
    );
}

#[tokio::test]
async fn a_learner_with_a_line_in_an_archived_class_is_refused_on_each_line_naming_that_line() {
    let app = spawn_app().await;
    let world = oak_admin(&app).await;
    app.class(&world.oak, "Chess club", &[], &[]).await;
    sqlx::query("UPDATE classes SET archived_at = 1 WHERE name = 'Chess club'")
        .execute(&app.state.db)
        .await
        .unwrap();
    // Line 4 repeats line 2: it reads as its learner does, in error too.
    let file = "class,first_name,last_name,username\n\
        Year 3 Hazel,Ann,Lee,ann.lee\n\
        Chess club,Ann,Lee,ann.lee\n\
        Year 3 Hazel,Ann,Lee,ann.lee\n";
    let result = preview(&app, file.as_bytes(), false).await;
    let reason = "Chess club (line 3) is archived. Restore it on the Classes page first, or use another class name.";
    let reasons = reasons(&result);
    assert_eq!(
        reasons,
        [
            (2, LineStatus::Error, reason),
            (3, LineStatus::Error, reason),
            (4, LineStatus::Error, reason)
        ]
    );
}

#[tokio::test]
async fn bad_files_get_a_clear_message_and_change_nothing() {
    let app = spawn_app().await;
    oak_admin(&app).await;
    let before = roster_state(&app).await;
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.extend([0u8; 200]);
    let cases: [(&[u8], &str); 4] = [
        (b"", "The file is empty."),
        (&png, "This doesn't look like a CSV file."),
        (b"class,first_name,last_name,shoe_size\n", "Unknown column"),
        (
            b"class,first_name,last_name\n",
            "The file has a header but no learners.",
        ),
    ];
    for (file, message) in cases {
        let response = preview_import(&app, &app.client, file, false).await;
        let (status, error) = crate::helpers::app_error(response).await;
        assert_eq!((status, error.field()), (422, Some("file")), "{message}");
        assert!(error.to_string().contains(message), "{error}");
    }
    // 50 MB: refused before it is read, with the limit in words.
    let huge = vec![b'a'; 50 * 1024 * 1024];
    let (status, error) =
        crate::helpers::app_error(preview_import(&app, &app.client, &huge, false).await).await;
    assert_eq!(status, 413);
    assert!(error.to_string().contains("larger than 5 MB"), "{error}");
    // 100,000 rows.
    let mut many = String::from("class,first_name,last_name\n");
    for n in 0..100_000 {
        many.push_str(&format!("Y{},A,B\n", n % 10));
    }
    let (status, error) =
        crate::helpers::app_error(preview_import(&app, &app.client, many.as_bytes(), false).await)
            .await;
    assert_eq!(status, 422);
    assert!(
        error.to_string().contains("more than 20,000 learner lines"),
        "{error}"
    );
    assert_eq!(roster_state(&app).await, before);
}

/// UTF-16 (Excel's "Unicode text": tabs) and Windows-1252 with semicolons.
#[tokio::test]
async fn excel_exports_in_utf16_and_windows_1252_keep_every_letter() {
    let app = spawn_app().await;
    oak_admin(&app).await;
    let text = "class\tfirst_name\tlast_name\r\nYear 3 Hazel\t王\tNguyễn\r\n";
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let result = preview(&app, &utf16, false).await;
    assert_eq!(result.file_kind, "CSV, UTF-16");
    assert_eq!(result.lines[0].learner, "王 Nguyễn");
    assert_eq!(result.lines[0].username, "wang.nguyen");
    let (cp1252, _, _) = encoding_rs::WINDOWS_1252
        .encode("class;first_name;last_name\nYear 3 Hazel;Seán;Ó Súilleabháin\n");
    let result = preview(&app, &cp1252, false).await;
    assert_eq!(result.file_kind, "CSV, Windows-1252");
    assert_eq!(result.lines[0].learner, "Seán Ó Súilleabháin");
}

fn one_roster_zip(users: &str, classes: &str, enrollments: &str) -> Vec<u8> {
    let mut buffer = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut buffer);
        let options = zip::write::SimpleFileOptions::default();
        for (name, body) in [
            (
                "manifest.csv",
                "propertyName,value\nmanifest.version,1.0\noneroster.version,1.1\n",
            ),
            ("users.csv", users),
            ("classes.csv", classes),
            ("enrollments.csv", enrollments),
        ] {
            if !body.is_empty() {
                zip.start_file(name, options).unwrap();
                zip.write_all(body.as_bytes()).unwrap();
            }
        }
        zip.finish().unwrap();
    }
    buffer.into_inner()
}

#[tokio::test]
async fn a_oneroster_zip_imports_students_with_their_sourced_ids() {
    let app = spawn_app().await;
    oak_admin(&app).await;
    let users = "sourcedId,status,enabledUser,role,username,givenName,familyName,email\n\
        u1,active,true,student,maya.p,Maya,Patel,\n\
        u2,active,true,teacher,mr.t,Tom,Teach,\n\
        u3,active,true,student,,Leo,Ng,leo@pupils.example\n";
    let classes = "sourcedId,title\nc1,Year 5 Ash\nc2,Year 5 Elm\n";
    let enrollments = "sourcedId,classSourcedId,userSourcedId,role\n\
        e1,c1,u1,student\ne2,c2,u3,student\ne3,c1,u2,teacher\ne4,c2,u1,student\n";
    let zip = one_roster_zip(users, classes, enrollments);
    let summary = apply_import(&app, &app.client, &zip, false).await.unwrap();
    assert_eq!((summary.created, summary.classes_created), (2, 2));
    let (external, email): (Option<String>, Option<String>) =
        sqlx::query_as("SELECT external_id, email FROM accounts WHERE username = 'leo.ng'")
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    assert_eq!(
        (external.as_deref(), email.as_deref()),
        (Some("u3"), Some("leo@pupils.example"))
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM enrolments e JOIN accounts a ON a.id = e.account_id WHERE a.username = 'maya.p'").await,
        2
    );
    // Without users.csv it is not a OneRoster export.
    let no_users = one_roster_zip("", classes, enrollments);
    let (status, error) =
        crate::helpers::app_error(preview_import(&app, &app.client, &no_users, false).await).await;
    assert_eq!(status, 422);
    assert!(error.to_string().contains("no users.csv"), "{error}");
}

#[tokio::test]
async fn learners_not_in_the_file_are_inactivated_only_when_asked_and_listed_first() {
    let app = spawn_app().await;
    oak_admin(&app).await;
    let file = "class,first_name,last_name,username\nYear 3 Hazel,Amelia,S,amelias\n";
    let result = preview(&app, file.as_bytes(), false).await;
    assert!(result.to_inactivate.is_empty());
    let result = preview(&app, file.as_bytes(), true).await;
    assert_eq!(result.to_inactivate, ["(oliverj)"]);
    let summary = apply_import(&app, &app.client, file.as_bytes(), true)
        .await
        .unwrap();
    assert_eq!(summary.inactivated, 1);
    let response = app
        .sign_in_as(&new_client(), "OAK", "oliverj", PASSWORD)
        .await;
    assert_ne!(
        response.status(),
        200,
        "an inactivated learner cannot sign in"
    );
}

/// Security review: an email is unique across every school, so a lead
/// teacher's import could take another school's address (their new head
/// then "already used") and its preview told which addresses have an
/// account anywhere. A lead teacher's file sets no emails and says so;
/// nothing about other schools' addresses shows.
#[tokio::test]
async fn a_lead_teachers_import_sets_no_emails_and_tells_nothing_of_other_schools() {
    let app = spawn_app().await;
    oak_admin(&app).await;
    let lead = new_client();
    app.signed_in_as(&lead, "OAK", "lead", PASSWORD).await;
    let file = "class,first_name,last_name,username,email\n\
        Year 3 Hazel,Zed,Top,zed.top,owner@riverside.example\n\
        Year 3 Hazel,Oliver,Jones,oliverj,oliver@pupils.example\n";
    let result: ImportPreview = preview_import(&app, &lead, file.as_bytes(), false)
        .await
        .json()
        .await
        .unwrap();
    let not_set = app::roster::plan::EMAIL_NOT_SET;
    assert_eq!(
        reasons(&result),
        [
            (
                2,
                LineStatus::Create,
                format!("New learner, username zed.top. {not_set}").as_str()
            ),
            (
                3,
                LineStatus::Update,
                format!("Name   → Oliver Jones. {not_set}").as_str()
            ),
        ]
    );
    apply_import(&app, &lead, file.as_bytes(), false)
        .await
        .unwrap();
    let emails: Vec<(String, Option<String>)> = sqlx::query_as(
        "SELECT username, email FROM accounts WHERE username IN ('zed.top', 'oliverj') ORDER BY username",
    )
    .fetch_all(&app.state.db)
    .await
    .unwrap();
    assert_eq!(
        emails,
        [("oliverj".to_string(), None), ("zed.top".to_string(), None)]
    );
    // An admin's import of the same file does set them, and checks them.
    let result = preview(&app, file.as_bytes(), false).await;
    assert_eq!(
        result.lines[0].reason,
        "Email: owner@riverside.example is already used by another account."
    );
}

/// Each account an import switches off or on has its own audit row, as on
/// Users: the summary's counts alone named nobody.
async fn account_events(app: &TestApp, id: &str) -> Vec<(String, String)> {
    sqlx::query_as(
        "SELECT action, detail FROM audit_events WHERE target_id = $1 \
         AND action IN ('account_inactivated', 'account_reactivated') ORDER BY action",
    )
    .bind(id)
    .fetch_all(&app.state.db)
    .await
    .unwrap()
}

/// Review finding: an import's audit row counted what it did ("2 created,
/// 1 updated") but named nobody, so "who renamed this child, and when" had
/// no answer. Each account it creates or changes has its own row.
#[tokio::test]
async fn each_account_an_import_creates_or_changes_has_its_own_audit_row() {
    let app = spawn_app().await;
    let world = oak_admin(&app).await;
    let file = "class,first_name,last_name,username\n\
        Year 3 Hazel,Oliver,Jones,oliverj\n\
        Year 3 Hazel,Tom,Lee,tom.lee\n\
        Choir,Tom,Lee,tom.lee\n";
    apply_import(&app, &app.client, file.as_bytes(), false)
        .await
        .unwrap();
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT action, target_label, detail FROM audit_events \
         WHERE action IN ('learner_created', 'learner_updated') ORDER BY action, target_label",
    )
    .fetch_all(&app.state.db)
    .await
    .unwrap();
    let rows: Vec<(&str, &str, &str)> = rows
        .iter()
        .map(|(a, t, d)| (a.as_str(), t.as_str(), d.as_str()))
        .collect();
    assert_eq!(
        rows,
        [
            (
                "learner_created",
                "tom.lee",
                "roster import: added to Year 3 Hazel, Choir"
            ),
            (
                "learner_updated",
                "oliverj",
                "roster import: name   → Oliver Jones"
            ),
        ]
    );
    let (target,): (String,) =
        sqlx::query_as("SELECT target_id FROM audit_events WHERE action = 'learner_updated'")
            .fetch_one(&app.state.db)
            .await
            .unwrap();
    assert_eq!(target, world.oak_learner2);
}

async fn is_active(app: &TestApp, id: &str) -> bool {
    let (active,): (bool,) = sqlx::query_as("SELECT active FROM accounts WHERE id = $1")
        .bind(id)
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    active
}

/// DESIGN.md §1 leaves inactivating and reactivating accounts to full
/// admins and the owner. A lead teacher may import, but their import
/// neither inactivates the learners missing from the file nor reactivates
/// an inactive learner in it; an admin's import does both, audited per
/// account.
#[tokio::test]
async fn only_an_admins_import_inactivates_or_reactivates_and_each_account_is_audited() {
    let app = spawn_app().await;
    let world = oak_admin(&app).await;
    let lead = new_client();
    app.signed_in_as(&lead, "OAK", "lead", PASSWORD).await;
    let file = "class,first_name,last_name,username\nYear 3 Hazel,Amelia,S,amelias\n";

    let (status, error) = app_error(preview_import(&app, &lead, file.as_bytes(), true).await).await;
    assert_eq!(status, 422);
    assert_eq!(error.field(), Some("inactivate_missing"));
    let refused = apply_import(&app, &lead, file.as_bytes(), true).await;
    assert!(refused.unwrap_err().starts_with("422"));
    assert!(is_active(&app, &world.oak_learner2).await);

    // The office inactivates Oliver through an import.
    let summary = apply_import(&app, &app.client, file.as_bytes(), true)
        .await
        .unwrap();
    assert_eq!(summary.inactivated, 1);
    assert_eq!(
        account_events(&app, &world.oak_learner2).await,
        [(
            "account_inactivated".to_string(),
            "roster import: not in the file".to_string()
        )]
    );

    // A lead teacher's file with Oliver in it leaves him inactive, and says so.
    let with_oliver = "class,first_name,last_name,username\nYear 3 Hazel,Oliver,Jones,oliverj\n";
    let result = preview(&app, with_oliver.as_bytes(), false).await;
    assert!(
        result.lines[0].reason.ends_with("; reactivated."),
        "{result:?}"
    );
    let response = preview_import(&app, &lead, with_oliver.as_bytes(), false).await;
    let result: ImportPreview = response.json().await.unwrap();
    assert_eq!(result.lines[0].status, LineStatus::Update);
    assert_eq!(
        result.lines[0].reason,
        format!(
            "Name   → Oliver Jones. {}",
            app::roster::plan::STAYS_INACTIVE
        )
    );
    apply_import(&app, &lead, with_oliver.as_bytes(), false)
        .await
        .unwrap();
    assert!(!is_active(&app, &world.oak_learner2).await);
    assert_eq!(account_events(&app, &world.oak_learner2).await.len(), 1);

    // The office's import of the same file reactivates him.
    let result = preview(&app, with_oliver.as_bytes(), false).await;
    assert_eq!(result.lines[0].reason, "Reactivated.");
    apply_import(&app, &app.client, with_oliver.as_bytes(), false)
        .await
        .unwrap();
    assert!(is_active(&app, &world.oak_learner2).await);
    assert_eq!(
        account_events(&app, &world.oak_learner2).await[1],
        (
            "account_reactivated".to_string(),
            "roster import".to_string()
        )
    );
}

/// A line with neither username nor external_id reads as the learner of
/// that name already in the class only while it changes nothing: it never
/// writes to their account (DESIGN.md §3: "never by name alone").
#[tokio::test]
async fn a_line_without_username_or_external_id_never_changes_a_namesake() {
    let app = spawn_app().await;
    let world = oak_admin(&app).await;
    sqlx::query("UPDATE accounts SET first_name = 'Amelia', last_name = 'Smith' WHERE id = $1")
        .bind(&world.oak_learner)
        .execute(&app.state.db)
        .await
        .unwrap();
    let same = "class,first_name,last_name,username,external_id,email\n\
        Year 3 Hazel,Amelia,Smith,,,\n";
    let result = preview(&app, same.as_bytes(), false).await;
    assert_eq!(statuses(&result), [(2, LineStatus::Unchanged)]);

    let with_email = "class,first_name,last_name,username,external_id,email\n\
        Year 3 Hazel,Amelia,Smith,,,amelia@example.org\n";
    let result = preview(&app, with_email.as_bytes(), false).await;
    assert_eq!(statuses(&result), [(2, LineStatus::Error)]);
    assert!(
        result.lines[0]
            .reason
            .contains("only matches amelias by name"),
        "{}",
        result.lines[0].reason
    );
    let before = roster_state(&app).await;
    assert!(
        apply_import(&app, &app.client, with_email.as_bytes(), false)
            .await
            .is_err()
    );
    assert_eq!(roster_state(&app).await, before);
    let (email,): (Option<String>,) = sqlx::query_as("SELECT email FROM accounts WHERE id = $1")
        .bind(&world.oak_learner)
        .fetch_one(&app.state.db)
        .await
        .unwrap();
    assert_eq!(email, None);
}

/// A failure in the middle of the apply (a trigger refuses the change to
/// the learner on data row 2,000, line 2,001) leaves the whole school as it was: the
/// learners created and changed before it are gone with it.
#[tokio::test]
async fn a_failure_at_row_2000_changes_nobody() {
    let app = spawn_app().await;
    let world = oak_admin(&app).await;
    let mut file = String::from("class,first_name,last_name,username\n");
    for n in 1..=5 {
        file.push_str(&format!("Year 9 New,New,Learner{n},new{n}\n"));
    }
    let mut tx = app.state.db.begin().await.unwrap();
    for n in 1..=2_000 {
        let username = format!("learner{n:04}");
        sqlx::query(
            "INSERT INTO accounts (id, school_id, role, username, display_name, first_name, last_name, \
             password_hash, created_at) VALUES ($1, $2, 'learner', $1, $1, 'Old', $1, 'x', 0)",
        )
        .bind(&username)
        .bind(&world.oak)
        .execute(&mut *tx)
        .await
        .unwrap();
        file.push_str(&format!("Year 3 Hazel,Renamed,{username},{username}\n"));
    }
    tx.commit().await.unwrap();
    crate::test_database::refuse_updates(
        &app.state.db,
        "fail_at_2000",
        ("accounts", None),
        "NEW.username = 'learner1995'",
    )
    .await;
    let before = roster_state(&app).await;
    let preview = preview(&app, file.as_bytes(), false).await;
    assert_eq!((preview.totals.create, preview.totals.update), (5, 2_000));
    // The 2,000th learner line of the file is line 2,001.
    assert_eq!(
        (
            preview.lines[1_999].line,
            preview.lines[1_999].username.as_str()
        ),
        (2_001, "learner1995")
    );
    let outcome = apply_import(&app, &app.client, file.as_bytes(), false).await;
    let error = outcome.unwrap_err();
    assert!(
        !error.contains("changed while"),
        "the failure is the injected one: {error}"
    );
    assert_eq!(roster_state(&app).await, before, "nobody changed");
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM audit_events WHERE action = 'roster_imported'"
        )
        .await,
        0
    );
}

#[tokio::test]
async fn teachers_learners_parents_and_other_schools_cannot_import_or_follow_an_import() {
    let app = spawn_app().await;
    oak_admin(&app).await;
    let file = b"class,first_name,last_name\nYear 3 Hazel,Ali,Khan\n";
    for (school, username) in [
        ("OAK", "teacher"),
        ("OAK", "amelias"),
        ("", "parent@home.example"),
    ] {
        let client = new_client();
        app.signed_in_as(&client, school, username, PASSWORD).await;
        assert_eq!(
            preview_import(&app, &client, file, false).await.status(),
            403,
            "{username}"
        );
        assert!(apply_import(&app, &client, file, false)
            .await
            .unwrap_err()
            .starts_with("403"));
    }
    // Another school's owner cannot follow Oakwood's import.
    use base64::Engine;
    let body = serde_json::json!({
        "file": base64::engine::general_purpose::STANDARD.encode(file), "inactivate_missing": false,
    });
    let job: String = app
        .call_json("start_import", body)
        .await
        .json()
        .await
        .unwrap();
    let riv = new_client();
    app.signed_in_as(&riv, "RIV", "admin", PASSWORD).await;
    let response = app
        .call_as(&riv, "import_progress", &[("job_id", &job)])
        .await;
    assert_eq!(response.status(), 404);
    crate::helpers::follow_import(&app, &app.client, &job)
        .await
        .unwrap();
}

/// The samples the README points to import cleanly.
#[tokio::test]
async fn the_readme_samples_preview_without_errors() {
    let app = spawn_app().await;
    oak_admin(&app).await;
    let docs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs");
    let csv = std::fs::read(docs.join("sample-roster.csv")).unwrap();
    let result = preview(&app, &csv, false).await;
    assert_eq!((result.totals.create, result.totals.error), (6, 0));
    assert_eq!(result.new_learners, 5, "Ali Khan is in two classes");
    let zip = std::fs::read(docs.join("sample-oneroster.zip")).unwrap();
    let result = preview(&app, &zip, false).await;
    assert_eq!((result.totals.create, result.totals.error), (3, 0));
    assert_eq!(result.new_classes, ["Year 5 Ash", "Year 6 Elm"]);
}

/// "Apply import" with the preview's basis: refused (nothing written) once
/// the file would do anything the preview did not show, here inactivate a
/// learner another import added meanwhile; started once previewed again.
#[tokio::test]
async fn an_import_applies_only_what_its_preview_showed() {
    use base64::Engine;
    let app = spawn_app().await;
    oak_admin(&app).await;
    let file = "class,first_name,last_name,username\nYear 3 Hazel,Amelia,S,amelias\n";
    let start = |basis: String| {
        let body = serde_json::json!({
            "file": base64::engine::general_purpose::STANDARD.encode(file),
            "inactivate_missing": true,
            "basis": basis,
        });
        app.call_json("start_import", body)
    };
    let shown = preview(&app, file.as_bytes(), true).await;
    assert_eq!(shown.to_inactivate, ["(oliverj)"]);
    // Another admin's import adds Dan to the class in between.
    let dan = "class,first_name,last_name,username\nYear 3 Hazel,Dan,Lee,dan.lee\n";
    apply_import(&app, &app.client, dan.as_bytes(), false)
        .await
        .unwrap();
    let before = roster_state(&app).await;
    let (status, error) = crate::helpers::app_error(start(shown.basis.clone()).await).await;
    assert_eq!(
        (status, error.to_string().as_str()),
        (409, app::roster::import::CHANGED_SINCE_PREVIEW)
    );
    assert_eq!(roster_state(&app).await, before, "nothing was imported");

    let again = preview(&app, file.as_bytes(), true).await;
    assert_eq!(again.to_inactivate.len(), 2, "{:?}", again.to_inactivate);
    assert!(again.to_inactivate.iter().any(|l| l.contains("dan.lee")));
    let response = start(again.basis).await;
    assert_eq!(response.status(), 200);
    let job: String = response.json().await.unwrap();
    let summary = crate::helpers::follow_import(&app, &app.client, &job)
        .await
        .unwrap();
    assert_eq!(summary.inactivated, 2);
}
