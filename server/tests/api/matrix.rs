//! The permission matrix of DESIGN.md §1: every server function × every kind
//! of caller, the status each must get, and for every refusal the proof that
//! nothing changed.

use std::collections::BTreeSet;
use std::path::Path;

use app::passwords::sealing::SealedFor;
use app::recovery::ssr::issue_owner_recovery;
use futures::StreamExt;
use serde_json::json;
use sqlx::Row as _;

use crate::helpers::{deliver, link_in, new_client, spawn_app, TestApp, World, PASSWORD};

const OK: u16 = 200;
/// 401: please sign in (also: wrong sign-in details).
const SIGN_IN: u16 = 401;
/// 403: not allowed.
const DENIED: u16 = 403;
const NOT_FOUND: u16 = 404;
const CONFLICT: u16 = 409;
const INVALID: u16 = 422;

/// Who calls: one column of every expectation each, in this order, with
/// the school code and username they sign in with.
const CALLERS: [(&str, Option<(&str, &str)>); 9] = [
    ("signed out", None),
    ("owner", Some(("OAK", "admin"))),
    ("full admin", Some(("OAK", "office"))),
    ("lead teacher", Some(("OAK", "lead"))),
    ("teacher of Year 3 Hazel", Some(("OAK", "teacher"))),
    ("teacher of another class", Some(("OAK", "teacher2"))),
    ("learner", Some(("OAK", "amelias"))),
    ("parent", Some(("", "parent@home.example"))),
    ("Riverside's owner", Some(("RIV", "admin"))),
];
/// The column of the caller from another school.
const OTHER_SCHOOL: usize = 8;

const NEW_PASSWORD: &str = "violet-canyon-93";
const NEW: (&str, &str) = ("new_password", NEW_PASSWORD);
const CONFIRM_NEW: (&str, &str) = ("confirm_new_password", NEW_PASSWORD);

/// What an allowed call leaves behind for the next caller.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Success {
    /// Nothing the next caller depends on: a read, an audited read, or
    /// the caller's own session.
    LeavesWorld,
    /// The caller's own account changed, which must show.
    ChangesOwnAccount,
    /// The school's data changed, which must show; the next caller gets a
    /// fresh world.
    ChangesSchool,
    /// Started a roster import (the answer is its job id): it is followed
    /// to its end before the change is looked for.
    StartsImport,
}

/// What the world holds beyond the usual before the first call.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Situation {
    Usual,
    /// Every account must choose a new password (someone else set theirs).
    NewPasswordDue,
    /// A carer asked to sign up with Amelia's code: the emailed link waits.
    ParentSignUpPending,
}

enum Args {
    Form(Vec<(&'static str, String)>),
    Json(serde_json::Value),
}

fn form<const N: usize>(pairs: [(&'static str, &str); N]) -> Args {
    Args::Form(pairs.map(|(k, v)| (k, v.to_string())).to_vec())
}

type Name = &'static str;
type MakeArgs = fn(&Fixture) -> Args;

struct Row {
    function: Name,
    /// Which call of the function, when it has several rows.
    case: Name,
    expected: [u16; 9],
    args: MakeArgs,
    success: Success,
    situation: Situation,
}

impl Row {
    fn read(function: Name, case: Name, expected: [u16; 9], args: MakeArgs) -> Row {
        let (success, situation) = (Success::LeavesWorld, Situation::Usual);
        Row {
            function,
            case,
            expected,
            args,
            success,
            situation,
        }
    }

    fn write(function: Name, case: Name, expected: [u16; 9], args: MakeArgs) -> Row {
        let success = Success::ChangesSchool;
        Row {
            success,
            ..Row::read(function, case, expected, args)
        }
    }

    fn own_account(self) -> Row {
        let success = Success::ChangesOwnAccount;
        Row { success, ..self }
    }

    fn when(self, situation: Situation) -> Row {
        Row { situation, ..self }
    }
}

/// Every server function, with the arguments its page sends. A table: one
/// row a line reads better than rustfmt's layout.
#[rustfmt::skip]
fn matrix() -> Vec<Row> {
    use Situation::*;
    // One column per caller:
    //   signed   owner    full     lead     Hazel's  other    learner  parent   RIV
    //   out               admin    teacher  teacher  teacher                    owner
    /// Class database work on Year 3 Hazel or one of its learners.
    const CLASS_WORK: [u16; 9] =
        [SIGN_IN, OK,      OK,      OK,      OK,      DENIED,  DENIED,  DENIED,  NOT_FOUND];
    /// The whole school at once (each caller's own): lead teachers and admins.
    const SCHOOL_WIDE: [u16; 9] =
        [SIGN_IN, OK,      OK,      OK,      DENIED,  DENIED,  DENIED,  DENIED,  OK];
    /// The roster of Year 3 Hazel: owners, full admins and lead teachers;
    /// Riverside's owner finds no such class.
    const ROSTER_ON_CLASS: [u16; 9] =
        [SIGN_IN, OK,      OK,      OK,      DENIED,  DENIED,  DENIED,  DENIED,  NOT_FOUND];
    /// Following an import: only its starter may, so a made-up job is not
    /// found by anyone allowed to import at all.
    const FOLLOW_IMPORT: [u16; 9] =
        [SIGN_IN, NOT_FOUND, NOT_FOUND, NOT_FOUND, DENIED, DENIED, DENIED, DENIED, NOT_FOUND];
    /// Year 3 Hazel's learners leave at the rollover: admins of Oakwood;
    /// to Riverside's owner it is not a class of their school.
    const ROLLOVER_OF_HAZEL: [u16; 9] =
        [SIGN_IN, OK,      OK,      DENIED,  DENIED,  DENIED,  DENIED,  DENIED,  INVALID];
    /// Undoing a rollover that never was.
    const UNDO_NOTHING: [u16; 9] =
        [SIGN_IN, CONFLICT, CONFLICT, DENIED, DENIED,  DENIED,  DENIED,  DENIED,  CONFLICT];
    /// The roster acting on Oliver (in Year 3 Hazel).
    const ROSTER_ON_LEARNER: [u16; 9] = ROSTER_ON_CLASS;
    /// Staff list the classes they may open (a teacher only their own).
    const CLASS_LISTS: [u16; 9] =
        [SIGN_IN, OK,      OK,      OK,      OK,      OK,      DENIED,  DENIED,  OK];
    /// A page of the caller's own school, for full admins and the owner.
    const ADMIN_PAGE: [u16; 9] =
        [SIGN_IN, OK,      OK,      DENIED,  DENIED,  DENIED,  DENIED,  DENIED,  OK];
    /// A form of the admin pages that an allowed caller gets refused for
    /// what it says.
    const ADMIN_FORM_REFUSED: [u16; 9] =
        [SIGN_IN, INVALID, INVALID, DENIED,  DENIED,  DENIED,  DENIED,  DENIED,  INVALID];
    /// Badge work on Year 3 Hazel while the school has badge sign-in off
    /// (or nothing to void): whoever may see the class is told so.
    const BADGES_OFF: [u16; 9] =
        [SIGN_IN, CONFLICT, CONFLICT, CONFLICT, CONFLICT, DENIED, DENIED,  DENIED,  NOT_FOUND];
    /// Unlinking the teacher, who is not linked to single sign-on.
    const ADMIN_ON_UNLINKED: [u16; 9] =
        [SIGN_IN, CONFLICT, CONFLICT, DENIED, DENIED,  DENIED,  DENIED,  DENIED,  NOT_FOUND];
    /// Full admins and the owner acting on one of Oakwood's accounts.
    const ADMIN_ON_ACCOUNT: [u16; 9] =
        [SIGN_IN, OK,      OK,      DENIED,  DENIED,  DENIED,  DENIED,  DENIED,  NOT_FOUND];
    /// The owner's account, where only the owner may act.
    const OWNER_ON_OWNER: [u16; 9] =
        [SIGN_IN, OK,      DENIED,  DENIED,  DENIED,  DENIED,  DENIED,  DENIED,  NOT_FOUND];
    /// The owner's account, where nobody may act, the owner included.
    const NOBODY_ON_OWNER: [u16; 9] =
        [SIGN_IN, DENIED,  DENIED,  DENIED,  DENIED,  DENIED,  DENIED,  DENIED,  NOT_FOUND];
    /// The owner may not switch themselves off (422), nor anyone else them.
    const OWNER_SWITCHED_OFF: [u16; 9] =
        [SIGN_IN, INVALID, DENIED,  DENIED,  DENIED,  DENIED,  DENIED,  DENIED,  NOT_FOUND];
    /// Riverside's owner adds staff to Riverside, but Oakwood's class
    /// answers like a class that does not exist.
    const NEW_STAFF_IN_HAZEL: [u16; 9] =
        [SIGN_IN, OK,      OK,      DENIED,  DENIED,  DENIED,  DENIED,  DENIED,  INVALID];
    /// Only parents have children to list and link.
    const PARENT_ONLY: [u16; 9] =
        [SIGN_IN, DENIED,  DENIED,  DENIED,  DENIED,  DENIED,  DENIED,  OK,      DENIED];
    /// Everyone signed in gets `status`.
    const fn signed_in(status: u16) -> [u16; 9] { let mut row = [status; 9]; row[0] = SIGN_IN; row }
    /// Functions without a sign-in answer the same whoever calls.
    const fn everyone(status: u16) -> [u16; 9] { [status; 9] }
    vec![
        // Signing in and out, one's own password.
        Row::read("current_user", "", everyone(OK), no_args),
        Row::read("remembered_school_code", "", everyone(OK), no_args),
        Row::read("sign_in", "a learner", everyone(OK), |_| sign_in("amelias")),
        Row::read("sign_in", "unknown username", everyone(SIGN_IN), |_| sign_in("nobody")),
        Row::read("sign_out", "", everyone(OK), no_args),
        Row::read("password_rules", "", signed_in(OK), no_args),
        Row::read("change_password", "", signed_in(OK), |_| change_password(PASSWORD))
            .own_account(),
        Row::read("change_password", "wrong current", signed_in(INVALID), |_| {
            change_password("not-mine-42")
        }),
        Row::read("choose_new_password", "one is due", signed_in(OK), |_| form([NEW, CONFIRM_NEW]))
            .own_account().when(NewPasswordDue),
        Row::read("choose_new_password", "none due", signed_in(CONFLICT), |_| {
            form([NEW, CONFIRM_NEW])
        }),
        Row::write("sign_out_everywhere", "teacher", ADMIN_ON_ACCOUNT, teacher),
        Row::write("sign_out_everywhere", "owner", OWNER_ON_OWNER, owner),
        // User management and the audit log.
        Row::read("list_users", "", ADMIN_PAGE, |_| {
            Args::Json(json!({ "query": { "search": "", "role": "", "status": "", "page": 1 } }))
        }),
        Row::read("possible_duplicates", "", ADMIN_PAGE, no_args),
        Row::write("set_account_active", "teacher", ADMIN_ON_ACCOUNT, |f| {
            form([("account_id", &f.world.oak_teacher), ("active", "false")])
        }),
        Row::read("set_account_active", "owner", OWNER_SWITCHED_OFF, |f| {
            form([("account_id", &f.world.oak_owner), ("active", "false")])
        }),
        Row::write("change_account_email", "teacher", ADMIN_ON_ACCOUNT, |f| {
            form([("account_id", &f.world.oak_teacher), ("email", "tess@oakwood.example")])
        }),
        Row::write("change_account_email", "owner", OWNER_ON_OWNER, |f| {
            form([("account_id", &f.world.oak_owner), ("email", "head@oakwood.example")])
        }),
        Row::write("send_account_reset_link", "teacher", ADMIN_ON_ACCOUNT, teacher),
        Row::read("send_account_reset_link", "owner", NOBODY_ON_OWNER, owner),
        Row::read("learner_for_reset", "", ADMIN_ON_ACCOUNT, oliver),
        Row::read("audit_log", "", SCHOOL_WIDE, |_| {
            let query = json!({ "action": "", "actor": "", "from": "", "to": "", "page": 1 });
            Args::Json(json!({ "query": query }))
        }),
        // School settings and the staff page.
        Row::read("school_settings_page", "", ADMIN_PAGE, no_args),
        Row::write("save_school_settings", "", ADMIN_PAGE, |_| {
            Args::Json(json!({ "settings": {
                "min_password_length": 10, "require_digit": true, "block_common_passwords": true,
                "learner_passwords_visible": false, "learners_change_after_reset": true,
                "sms_enabled": true,
            }, "version": 1 }))
        }),
        // Single sign-on: its settings; no provider is set up here, so an
        // allowed save reaches the checks (a plain-http issuer: 422) and
        // nobody is linked to unlink (409).
        Row::read("sso_settings", "", ADMIN_PAGE, no_args),
        Row::read("save_sso_settings", "plain http issuer", ADMIN_FORM_REFUSED, |_| {
            Args::Json(json!({ "settings": {
                "provider": "oidc", "issuer_url": "http://idp.example.com", "tenant_id": "",
                "client_id": "classkeys", "client_secret": "s3cret", "allowed_domain": "oakwood.example",
                "staff_enabled": true, "learners_enabled": false, "require_for_staff": false,
            }, "version": 0 }))
        }),
        Row::read("sso_for_school", "", everyone(OK), |_| form([("school_code", "OAK")])),
        Row::read("unlink_single_sign_on", "not linked", ADMIN_ON_UNLINKED, teacher),
        // Login cards and QR badges (badge sign-in is off in this world).
        Row::read("login_cards", "a class", CLASS_WORK, |f| form([("class_id", &f.hazel)])),
        Row::read("login_cards", "whole school", SCHOOL_WIDE, no_args),
        Row::read("create_badges", "badges off", BADGES_OFF, |f| form([("class_id", &f.hazel)])),
        Row::read("void_badge", "none made", BADGES_OFF, oliver),
        Row::read("void_class_badges", "none made", CLASS_WORK, |f| form([("class_id", &f.hazel)])),
        Row::read("badge_sign_in", "made-up token", everyone(INVALID), |_| {
            form([("token", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")])
        }),
        Row::read("staff_directory", "", ADMIN_PAGE, no_args),
        Row::write("save_staff_member", "teacher", ADMIN_ON_ACCOUNT, |f| {
            staff_changes(f, &f.world.oak_teacher, "teacher@oakwood.example")
        }),
        Row::read("save_staff_member", "owner", NOBODY_ON_OWNER, |f| {
            staff_changes(f, &f.world.oak_owner, "owner@oakwood.example")
        }),
        Row::write("add_staff_member", "", NEW_STAFF_IN_HAZEL, |f| {
            Args::Json(json!({ "member": {
                "display_name": "Nia Newton", "username": "nia", "email": "nia@oakwood.example",
                "mobile": "", "full_admin": false, "lead_teacher": false, "class_ids": [f.hazel],
            } }))
        }),
        Row::write("send_staff_reset_email", "teacher", ADMIN_ON_ACCOUNT, teacher),
        Row::read("send_staff_reset_email", "owner", NOBODY_ON_OWNER, owner),
        Row::write("send_staff_reset_sms", "teacher", ADMIN_ON_ACCOUNT, teacher),
        Row::read("send_staff_reset_sms", "owner", NOBODY_ON_OWNER, owner),
        Row::write("unlock_staff_member", "teacher", ADMIN_ON_ACCOUNT, teacher),
        Row::read("unlock_staff_member", "owner", NOBODY_ON_OWNER, owner),
        // The class database.
        Row::read("list_classes", "", CLASS_LISTS, no_args),
        Row::write("create_class", "new class", SCHOOL_WIDE, |_| form([("name", "Year 6 Oak")])),
        Row::read("archived_classes", "", SCHOOL_WIDE, no_args),
        Row::write("rename_class", "", ROSTER_ON_CLASS, |f| {
            form([("class_id", &f.hazel), ("name", "Year 3 Hazel & Birch")])
        }),
        Row::write("set_class_archived", "", ROSTER_ON_CLASS, |f| {
            form([("class_id", &f.hazel), ("archived", "true")])
        }),
        Row::read("class_teachers", "", ROSTER_ON_CLASS, hazel),
        Row::write("assign_class_teachers", "", ROSTER_ON_CLASS, |f| {
            Args::Json(json!({ "class_id": f.hazel, "teacher_ids": [f.world.oak_lead] }))
        }),
        // The roster's learners.
        Row::read("suggest_username", "", SCHOOL_WIDE, |_| {
            form([("first_name", "Ali"), ("last_name", "Khan")])
        }),
        Row::write("add_learner", "", ROSTER_ON_CLASS, |f| {
            form([("class_id", &f.hazel), ("first_name", "Ali"), ("last_name", "Khan"), ("username", "")])
        }),
        Row::read("learner_profile", "", ROSTER_ON_LEARNER, oliver),
        Row::write("save_learner", "", ROSTER_ON_LEARNER, |f| {
            Args::Json(json!({ "changes": {
                "id": f.world.oak_learner2, "first_name": "Oliver", "last_name": "Jones",
                "username": "oliver.jones", "class_ids": [f.hazel], "version": 1,
            } }))
        }),
        Row::write("remove_from_class", "", ROSTER_ON_CLASS, |f| {
            form([("class_id", &f.hazel), ("learner_id", &f.world.oak_learner2)])
        }),
        // Importing a roster.
        Row::read("preview_import", "", SCHOOL_WIDE, |_| roster_file()),
        Row { success: Success::StartsImport, ..Row::read("start_import", "", SCHOOL_WIDE, |_| roster_file()) },
        Row::read("import_progress", "made-up job", FOLLOW_IMPORT, |_| form([("job_id", "no-such-job")])),
        // The year-end rollover.
        Row::read("rollover_setup", "", ADMIN_PAGE, no_args),
        Row::read("preview_rollover", "", ROLLOVER_OF_HAZEL, hazel_leaves),
        Row::write("apply_rollover", "", ROLLOVER_OF_HAZEL, apply_hazel_leaves),
        Row::read("undo_rollover", "made-up rollover", UNDO_NOTHING, |_| form([("rollover_id", "none")])),
        Row::read("class_detail", "", CLASS_WORK, hazel),
        Row::read("class_summary", "", CLASS_WORK, hazel),
        Row::read("school_learners", "", SCHOOL_WIDE, no_args),
        Row::read("reveal_access_codes", "Hazel", CLASS_WORK, hazel),
        Row::read("reveal_access_codes", "whole school", SCHOOL_WIDE, no_args),
        Row::read("record_access_codes_download", "Hazel", CLASS_WORK, hazel),
        Row::read("record_access_codes_download", "whole school", SCHOOL_WIDE, no_args),
        Row::write("reset_class_passwords", "", CLASS_WORK, |f| {
            form([("class_id", &f.hazel), ("mode", "NewPasswordEach")])
        }),
        Row::read("reveal_learner_password", "", CLASS_WORK, oliver),
        Row::read("suggest_learner_password", "", CLASS_WORK, oliver),
        Row::write("reset_learner_password", "", CLASS_WORK, |f| {
            form([("learner_id", &f.world.oak_learner2), ("password", "tinyfrog55")])
        }),
        Row::write("unlock_learner", "", CLASS_WORK, oliver),
        Row::write("regenerate_parent_access_code", "", CLASS_WORK, oliver),
        Row::write("unlink_parents", "", CLASS_WORK, oliver),
        // Parents.
        Row::read("parent_sign_up", "right code", everyone(OK), |f| {
            parent_sign_up(&f.oliver_code, "grandma@home.example")
        }),
        Row::read("parent_sign_up", "wrong code", everyone(INVALID), |_| {
            parent_sign_up("AAA-AAA-AAA", "grandma@home.example")
        }),
        Row::write("confirm_parent_sign_up", "emailed link", everyone(OK), |f| {
            form([("token", &f.signup_token), ("password", "sunny-garden-31")])
        }).when(ParentSignUpPending),
        Row::read("confirm_parent_sign_up", "made-up link", everyone(CONFLICT), |_| {
            form([("token", &"A".repeat(43)), ("password", "sunny-garden-31")])
        }),
        Row::read("my_children", "", PARENT_ONLY, no_args),
        Row::write("add_child", "", PARENT_ONLY, |f| {
            form([("parent_access_code", &f.amelia_code)])
        }),
        // Forgotten passwords and reset links.
        Row::read("request_password_reset", "staff address", everyone(OK), |_| {
            form([("email", "teacher@oakwood.example")])
        }),
        Row::read("request_password_reset", "no address", everyone(INVALID), |_| {
            form([("email", "not an email")])
        }),
        Row::read("reset_link_state", "working link", everyone(OK), |f| {
            form([("token", &f.recovery_token), ("page", "ResetPassword")])
        }),
        Row::read("reset_link_state", "made-up link", everyone(OK), |_| {
            form([("token", "x"), ("page", "ResetPassword")])
        }),
        Row::write("reset_password_with_token", "working link", everyone(OK), |f| {
            form([("token", &f.recovery_token), ("page", "ResetPassword"), NEW, CONFIRM_NEW])
        }),
        Row::read("reset_password_with_token", "made-up link", everyone(CONFLICT), |_| {
            form([("token", "x"), ("page", "ResetPassword"), NEW, CONFIRM_NEW])
        }),
    ]
}

fn no_args(_: &Fixture) -> Args {
    form([])
}

fn teacher(f: &Fixture) -> Args {
    form([("account_id", &f.world.oak_teacher)])
}

fn owner(f: &Fixture) -> Args {
    form([("account_id", &f.world.oak_owner)])
}

fn oliver(f: &Fixture) -> Args {
    form([("learner_id", &f.world.oak_learner2)])
}

/// The rollover with Year 3 Hazel's learners leaving.
fn hazel_leaves(f: &Fixture) -> Args {
    Args::Json(json!({ "choices": [{ "class_id": f.hazel, "next": "Leavers" }] }))
}

/// "Apply rollover" of [`hazel_leaves`]' preview: its basis is Amelia and
/// Oliver leaving Year 3 Hazel.
fn apply_hazel_leaves(f: &Fixture) -> Args {
    let moves = [&f.world.oak_learner, &f.world.oak_learner2]
        .map(|learner| (learner.as_str(), f.hazel.as_str(), "leavers".to_string()));
    let basis = app::roster::rollover::basis_of(moves);
    Args::Json(json!({ "choices": [{ "class_id": f.hazel, "next": "Leavers" }], "basis": basis }))
}

/// "Preview" or "Apply import" of a one-learner roster file.
fn roster_file() -> Args {
    use base64::Engine;
    let file = "class,first_name,last_name,username\nYear 3 Hazel,Ali,Khan,ali.khan\n";
    let file = base64::engine::general_purpose::STANDARD.encode(file);
    Args::Json(json!({ "file": file, "inactivate_missing": false }))
}

fn hazel(f: &Fixture) -> Args {
    form([("class_id", &f.hazel)])
}

fn sign_in(username: &str) -> Args {
    let (school, password) = (("school_code", "OAK"), ("password", PASSWORD));
    form([school, ("username", username), password])
}

fn change_password(current: &str) -> Args {
    form([("current_password", current), NEW, CONFIRM_NEW])
}

fn parent_sign_up(code: &str, email: &str) -> Args {
    let password = "sunny-garden-31";
    let (password, confirm) = (("password", password), ("confirm_password", password));
    form([
        ("parent_access_code", code),
        ("email", email),
        password,
        confirm,
    ])
}

/// "Save" on the staff page for `id` as loaded: made lead teacher of Year 3
/// Hazel, with a new password.
fn staff_changes(f: &Fixture, id: &str, email: &str) -> Args {
    Args::Json(json!({ "changes": {
        "id": id, "display_name": "Tess Teacher", "email": email, "mobile": "+447700900123",
        "full_admin": false, "lead_teacher": true, "class_ids": [f.hazel],
        "new_password": NEW_PASSWORD, "require_new_password": true, "version": 1,
    } }))
}

/// The world every row starts from: the fixture schools, Year 3 Hazel
/// (teacher `teacher`, learners Amelia and Oliver) and Year 4 Rowan
/// (teacher `teacher2`, learner Noah).
struct Fixture {
    app: TestApp,
    world: World,
    hazel: String,
    amelia_code: String,
    oliver_code: String,
    /// The operator's owner recovery link for Oakwood.
    recovery_token: String,
    /// Empty unless [`Situation::ParentSignUpPending`].
    signup_token: String,
}

impl Fixture {
    async fn build(situation: Situation) -> Fixture {
        let app = spawn_app().await;
        let world = app.world().await;
        let (oak, teacher, oliver) = (&world.oak, &world.oak_teacher, &world.oak_learner2);
        let teacher2 = app
            .account(oak, "staff", "teacher2", None, (false, false))
            .await;
        let noah = app
            .account(oak, "learner", "noahp", None, (false, false))
            .await;
        let learners = [world.oak_learner.as_str(), oliver];
        let hazel = app.class(oak, "Year 3 Hazel", &[teacher], &learners).await;
        app.class(oak, "Year 4 Rowan", &[&teacher2], &[&noah]).await;
        let amelia_code = parent_code(&app, oak, &world.oak_learner).await;
        let oliver_code = parent_code(&app, oak, oliver).await;
        // Oliver's parent is linked; staff set his password, so a copy can
        // be shown; he is locked out after too many wrong passwords.
        let sealed_for = SealedFor::LearnerPassword {
            school_id: oak,
            learner_id: oliver,
            password_version: 1,
        };
        let sealed = app.state.sealer.seal("sunnyowl07", &sealed_for);
        let (key, sealed) = (sealed.key_id.as_str(), sealed.sealed.as_str());
        let parent = world.oak_parent.as_str();
        let link =
            "INSERT INTO parent_links (parent_id, learner_id, created_at) VALUES ($1, $2, 0)";
        execute(&app, link, &[parent, oliver]).await;
        let copy = "INSERT INTO learner_password_reveals (account_id, password_version, key_id, \
                    sealed, created_at) VALUES ($1, 1, $2, $3, 0)";
        execute(&app, copy, &[oliver, key, sealed]).await;
        sqlx::query("UPDATE accounts SET locked_until = $1 WHERE id = $2")
            .bind(app.state.clock.now() + 900)
            .bind(oliver)
            .execute(&app.state.db)
            .await
            .unwrap();
        // SMS is on, and the class teacher has a mobile number.
        let sms = "UPDATE schools SET sms_enabled = TRUE, sms_credits = 10 WHERE id = $1";
        execute(&app, sms, &[oak]).await;
        let mobile = "UPDATE accounts SET mobile = '+447700900123' WHERE id = $1";
        execute(&app, mobile, &[teacher]).await;
        if situation == Situation::NewPasswordDue {
            execute(&app, "UPDATE accounts SET must_change_password = TRUE", &[]).await;
        }
        let link = issue_owner_recovery(&app.state, "OAK").await.unwrap();
        let recovery_token = link.rsplit('/').next().unwrap().to_string();
        let mut fixture = Fixture {
            app,
            world,
            hazel,
            amelia_code,
            oliver_code,
            recovery_token,
            signup_token: String::new(),
        };
        if situation == Situation::ParentSignUpPending {
            fixture.signup_token = fixture.pending_sign_up().await;
        }
        fixture
    }

    /// A carer asks to sign up with Amelia's code; the link from the email.
    async fn pending_sign_up(&self) -> String {
        let args = parent_sign_up(&self.amelia_code, "carer@home.example");
        let (status, body) = self.call(&new_client(), "parent_sign_up", args).await;
        assert_eq!(status, OK, "{body}");
        let emails = deliver(&self.app).await;
        let to_carer = emails.iter().find(|e| e.contains("To: carer@home.example"));
        link_in(to_carer.expect("the sign-up email"))
    }

    /// A client of its own for a caller, signed in (and checked) if they sign in.
    async fn client_of(&self, account: Option<(&str, &str)>) -> reqwest::Client {
        let client = new_client();
        if let Some((school, username)) = account {
            self.app
                .signed_in_as(&client, school, username, PASSWORD)
                .await;
        }
        client
    }

    async fn call(&self, client: &reqwest::Client, function: &str, args: Args) -> (u16, String) {
        let response = match args {
            Args::Form(pairs) => {
                let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, &v[..])).collect();
                self.app.call_as(client, function, &pairs).await
            }
            Args::Json(body) => self.app.call_json_as(client, function, body).await,
        };
        let status = response.status().as_u16();
        (status, response.text().await.unwrap_or_default())
    }

    async fn snapshot(&self) -> Snapshot {
        let mut rows = BTreeSet::new();
        for (table, sql) in SNAPSHOT {
            let db = &self.app.state.db;
            for row in sqlx::query(sql).fetch_all(db).await.unwrap() {
                // Every value as text, whatever its type.
                let text = |i| -> Option<String> {
                    row.try_get::<Option<String>, _>(i)
                        .or_else(|_| {
                            row.try_get::<Option<i64>, _>(i)
                                .map(|v| v.map(|v| v.to_string()))
                        })
                        .or_else(|_| {
                            row.try_get::<Option<bool>, _>(i)
                                .map(|v| v.map(|v| v.to_string()))
                        })
                        .unwrap()
                };
                let values: Vec<String> = (0..row.len())
                    .map(|i| text(i).unwrap_or_else(|| "NULL".into()))
                    .collect();
                let line = format!("{table}: {}", values[1..].join(" | "));
                rows.insert((values[0].clone(), line));
            }
        }
        Snapshot(rows)
    }
}

async fn execute(app: &TestApp, sql: &'static str, binds: &[&str]) {
    let mut query = sqlx::query(sql);
    for bind in binds {
        query = query.bind(*bind);
    }
    query.execute(&app.state.db).await.unwrap();
}

async fn parent_code(app: &TestApp, school: &str, learner: &str) -> String {
    let mut tx = app::db::begin_write(&app.state.db).await.unwrap();
    let code = app::parents::ssr::store_access_code(&mut tx, &app.state, school, learner, 0)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    code
}

/// What a refused call must leave as it was: each query's first column is
/// the school the row belongs to. Failed sign-ins and wrong parent codes
/// are recorded on purpose (they feed the limits), so they are left out.
#[rustfmt::skip]
const SNAPSHOT: [(&str, &str); 12] = [
    ("school", "SELECT id, name, code, min_password_length, require_digit, block_common_passwords, \
        learner_passwords_visible, learners_change_after_reset, sms_enabled, sms_credits, \
        row_version FROM schools"),
    ("account", "SELECT school_id, id, role, is_full_admin, is_lead_teacher, username, \
        display_name, email, mobile, active, password_hash, password_version, password_set_by, \
        must_change_password, session_epoch, locked_until, row_version FROM accounts"),
    ("class", "SELECT school_id, id, name FROM classes"),
    ("class teacher", "SELECT c.school_id, t.class_id, t.account_id FROM class_teachers t \
        JOIN classes c ON c.id = t.class_id"),
    ("enrolment", "SELECT c.school_id, e.class_id, e.account_id FROM enrolments e \
        JOIN classes c ON c.id = e.class_id"),
    ("parent access code", "SELECT a.school_id, p.learner_id, p.lookup_hash, p.sealed \
        FROM parent_access_codes p JOIN accounts a ON a.id = p.learner_id"),
    ("parent link", "SELECT a.school_id, l.parent_id, l.learner_id FROM parent_links l \
        JOIN accounts a ON a.id = l.learner_id"),
    ("reveal copy", "SELECT a.school_id, r.account_id, r.password_version, r.sealed \
        FROM learner_password_reveals r JOIN accounts a ON a.id = r.account_id"),
    ("reset link", "SELECT a.school_id, r.id, r.purpose, r.expires_at, r.used_at \
        FROM reset_tokens r JOIN accounts a ON a.id = r.account_id"),
    ("parent sign-up", "SELECT a.school_id, s.id, s.email, s.used_at FROM parent_signups s \
        JOIN accounts a ON a.id = s.learner_id"),
    ("message", "SELECT school_id, id, channel, recipient, status FROM outgoing_messages"),
    ("audit event", "SELECT school_id, id, action, actor_label, target_label, detail \
        FROM audit_events WHERE action NOT IN ('sign_in_failed', 'account_locked', \
        'sign_in_refused_locked', 'parent_code_refused')"),
];

/// Rows of the world, each with its school.
#[derive(PartialEq, Eq)]
struct Snapshot(BTreeSet<(String, String)>);

impl Snapshot {
    fn of_school(&self, school: &str) -> Snapshot {
        let rows = self.0.iter().filter(|(s, _)| s == school);
        Snapshot(rows.cloned().collect())
    }

    /// The rows that went and came, for a failure message.
    fn changes_to(&self, after: &Snapshot) -> String {
        let gone = self.0.difference(&after.0).map(|r| format!("- {}", r.1));
        let came = after.0.difference(&self.0).map(|r| format!("+ {}", r.1));
        gone.chain(came).collect::<Vec<_>>().join("\n      ")
    }
}

/// Calls `row`'s function as every caller in turn; returns what went wrong.
async fn check(row: Row) -> Vec<String> {
    let mut problems = Vec::new();
    let mut fixture = Fixture::build(row.situation).await;
    for (column, (caller, account)) in CALLERS.into_iter().enumerate() {
        let client = fixture.client_of(account).await;
        let before = fixture.snapshot().await;
        let args = (row.args)(&fixture);
        let (status, body) = fixture.call(&client, row.function, args).await;
        if status == OK && row.success == Success::StartsImport {
            let job: String = serde_json::from_str(&body).unwrap();
            crate::helpers::follow_import(&fixture.app, &client, &job)
                .await
                .unwrap();
        }
        let after = fixture.snapshot().await;
        let who = match row.case {
            "" => format!("{} as {caller}", row.function),
            case => format!("{} ({case}) as {caller}", row.function),
        };
        let expected = row.expected[column];
        if status != expected {
            problems.push(format!(
                "{who}: answered {status} {body}, expected {expected}"
            ));
        }
        let allowed = status < 300;
        if !allowed && before != after {
            let changes = before.changes_to(&after);
            problems.push(format!(
                "{who}: refused ({status}) yet changed\n      {changes}"
            ));
        }
        if allowed && row.success != Success::LeavesWorld && before == after {
            problems.push(format!("{who}: allowed, yet changed nothing"));
        }
        // Another school's staff never change this school, whatever the answer.
        let oak = &fixture.world.oak;
        let (oak_before, oak_after) = (before.of_school(oak), after.of_school(oak));
        let needs_sign_in = row.expected[0] == SIGN_IN;
        if column == OTHER_SCHOOL && needs_sign_in && oak_before != oak_after {
            let changes = oak_before.changes_to(&oak_after);
            problems.push(format!("{who}: changed Oakwood's data\n      {changes}"));
        }
        let more_callers = column + 1 < CALLERS.len();
        let school_changed = matches!(row.success, Success::ChangesSchool | Success::StartsImport);
        if allowed && school_changed && more_callers {
            fixture = Fixture::build(row.situation).await;
        }
    }
    problems
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_server_function_answers_every_caller_as_the_design_says() {
    let rows = futures::stream::iter(matrix()).map(check).buffered(2);
    let problems: Vec<String> = rows.concat().await;
    assert!(
        problems.is_empty(),
        "{} cells differ from DESIGN.md §1:\n  {}",
        problems.len(),
        problems.join("\n  ")
    );
}

#[test]
fn every_server_function_is_in_the_matrix() {
    let mut endpoints = BTreeSet::new();
    let app_src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../app/src");
    collect_endpoints(&app_src, &mut endpoints);
    let covered: BTreeSet<String> = matrix().iter().map(|r| r.function.into()).collect();
    let missing: Vec<_> = endpoints.difference(&covered).collect();
    assert!(
        missing.is_empty(),
        "server functions without a row: {missing:?}"
    );
    let unknown: Vec<_> = covered.difference(&endpoints).collect();
    assert!(
        unknown.is_empty(),
        "rows of no server function: {unknown:?}"
    );
}

/// The `endpoint = "…"` of every `#[server]` function under `folder`.
fn collect_endpoints(folder: &Path, endpoints: &mut BTreeSet<String>) {
    for entry in std::fs::read_dir(folder).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect_endpoints(&path, endpoints);
            continue;
        }
        let source = std::fs::read_to_string(&path).unwrap();
        for attribute in source.split("#[server(").skip(1) {
            let attribute = &attribute[..attribute.find(")]").unwrap()];
            let name = attribute
                .split("endpoint = \"")
                .nth(1)
                .and_then(|rest| rest.split('"').next())
                .unwrap_or_else(|| panic!("a #[server] without an endpoint in {path:?}"));
            endpoints.insert(name.to_string());
        }
    }
}
