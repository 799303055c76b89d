//! The password rules of DESIGN.md §3, in one place for the UI and the server.
//!
//! The UI runs [`check_password`] before submitting so it can say which rule
//! failed; the server always runs [`enforce_password_rules`], which adds the
//! common-password list (kept out of the WebAssembly bundle for its size).

use serde::{Deserialize, Serialize};

/// No password is longer than this, so hashing cost stays bounded.
pub const MAX_PASSWORD_CHARS: usize = 128;
/// The lowest minimum length a school may choose.
pub const MIN_PASSWORD_CHARS_FLOOR: u32 = 8;

/// A school's password settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordPolicy {
    pub min_length: u32,
    pub require_digit: bool,
    pub block_common: bool,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        PasswordPolicy {
            min_length: MIN_PASSWORD_CHARS_FLOOR,
            require_digit: true,
            block_common: true,
        }
    }
}

/// Words a password may not simply repeat: the account's username and the
/// school's name and code.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordContext {
    pub username: String,
    pub school_name: String,
    pub school_code: String,
}

/// Which rule a password breaks, in words a teacher or child understands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum PasswordProblem {
    #[error("The password must be at least {min} characters long.")]
    TooShort { min: u32 },
    #[error("The password must be at most {MAX_PASSWORD_CHARS} characters long.")]
    TooLong,
    #[error("The password must contain at least one digit (0–9).")]
    NoDigit,
    #[error("That password is too common and easy to guess. Please choose another.")]
    Common,
    #[error("The password must not be the username or the school's name or code.")]
    SameAsName,
    #[error("The two passwords do not match.")]
    Mismatch,
}

/// Every rule that needs no word list. Lengths count Unicode characters
/// and nothing is ever truncated.
pub fn check_password(
    policy: &PasswordPolicy,
    password: &str,
    context: &PasswordContext,
) -> Result<(), PasswordProblem> {
    let chars = password.chars().count();
    let min = policy.min_length.max(MIN_PASSWORD_CHARS_FLOOR);
    if chars < min as usize {
        return Err(PasswordProblem::TooShort { min });
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(PasswordProblem::TooLong);
    }
    if policy.require_digit && !password.chars().any(|c| c.is_ascii_digit()) {
        return Err(PasswordProblem::NoDigit);
    }
    let candidate = squash(password);
    let names = [
        &context.username,
        &context.school_name,
        &context.school_code,
    ];
    if names
        .iter()
        .any(|name| !name.trim().is_empty() && squash(name) == candidate)
    {
        return Err(PasswordProblem::SameAsName);
    }
    Ok(())
}

/// Checks a new password and its confirmation, as every form does.
pub fn check_new_password(
    policy: &PasswordPolicy,
    password: &str,
    confirmation: &str,
    context: &PasswordContext,
) -> Result<(), PasswordProblem> {
    check_password(policy, password, context)?;
    if password != confirmation {
        return Err(PasswordProblem::Mismatch);
    }
    Ok(())
}

/// Lower-cased letters and digits only, so "Oakwood Primary" and
/// "oakwood-primary" count as the same word.
fn squash(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The server's full check: [`check_password`] plus the common-password list.
#[cfg(feature = "ssr")]
pub fn enforce_password_rules(
    policy: &PasswordPolicy,
    password: &str,
    context: &PasswordContext,
) -> Result<(), PasswordProblem> {
    check_password(policy, password, context)?;
    if policy.block_common && is_common_password(password) {
        return Err(PasswordProblem::Common);
    }
    Ok(())
}

/// True when the password (case-insensitively) is on Django's list of
/// 20,000 common passwords (`app/data/common-passwords.txt`).
#[cfg(feature = "ssr")]
pub fn is_common_password(password: &str) -> bool {
    use std::collections::HashSet;
    use std::sync::LazyLock;
    static COMMON: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
        include_str!("../data/common-passwords.txt")
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .collect()
    });
    COMMON.contains(password.to_lowercase().as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn oak() -> PasswordContext {
        PasswordContext {
            username: "teacher".into(),
            school_name: "Oakwood Primary".into(),
            school_code: "OAK".into(),
        }
    }

    fn check(password: &str) -> Result<(), PasswordProblem> {
        check_password(&PasswordPolicy::default(), password, &oak())
    }

    #[test]
    fn accepts_a_password_that_meets_every_rule() {
        assert_eq!(check("greenfox47"), Ok(()));
    }

    #[test]
    fn refuses_passwords_shorter_than_the_school_minimum() {
        assert_eq!(check("abc1234"), Err(PasswordProblem::TooShort { min: 8 }));
        let policy = PasswordPolicy {
            min_length: 12,
            ..Default::default()
        };
        assert_eq!(
            check_password(&policy, "greenfox47", &oak()),
            Err(PasswordProblem::TooShort { min: 12 })
        );
    }

    #[test]
    fn a_minimum_below_eight_is_raised_to_eight() {
        let policy = PasswordPolicy {
            min_length: 4,
            ..Default::default()
        };
        assert_eq!(
            check_password(&policy, "ab12", &oak()),
            Err(PasswordProblem::TooShort { min: 8 })
        );
    }

    #[test]
    fn counts_unicode_characters_not_bytes() {
        // Seven characters, fourteen bytes: still too short.
        assert_eq!(check("ßßßßßß1"), Err(PasswordProblem::TooShort { min: 8 }));
        assert_eq!(check("ßßßßßßß1"), Ok(()));
    }

    #[test]
    fn refuses_more_than_128_characters_without_truncating() {
        let long = format!("{}1", "a".repeat(128));
        assert_eq!(check(&long), Err(PasswordProblem::TooLong));
        let longest = format!("{}1", "a".repeat(127));
        assert_eq!(check(&longest), Ok(()));
    }

    #[test]
    fn requires_a_digit_unless_the_school_turns_it_off() {
        assert_eq!(check("greenfoxes"), Err(PasswordProblem::NoDigit));
        let policy = PasswordPolicy {
            require_digit: false,
            ..Default::default()
        };
        assert_eq!(check_password(&policy, "greenfoxes", &oak()), Ok(()));
    }

    #[test]
    fn refuses_the_username_school_name_or_code() {
        let context = PasswordContext {
            username: "robin2015".into(),
            school_name: "Oakwood Primary 1".into(),
            school_code: "OAK12345".into(),
        };
        let policy = PasswordPolicy::default();
        for password in ["Robin2015", "oakwood-primary-1", "oak12345"] {
            assert_eq!(
                check_password(&policy, password, &context),
                Err(PasswordProblem::SameAsName),
                "{password}"
            );
        }
    }

    #[test]
    fn confirmation_must_match() {
        assert_eq!(
            check_new_password(
                &PasswordPolicy::default(),
                "greenfox47",
                "greenfox48",
                &oak()
            ),
            Err(PasswordProblem::Mismatch)
        );
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn refuses_common_passwords_case_insensitively() {
        let policy = PasswordPolicy::default();
        assert!(is_common_password("password1"));
        assert!(is_common_password("PassWord1"));
        assert_eq!(
            enforce_password_rules(&policy, "Password1", &oak()),
            Err(PasswordProblem::Common)
        );
        let lenient = PasswordPolicy {
            block_common: false,
            ..policy
        };
        assert_eq!(
            enforce_password_rules(&lenient, "Password1", &oak()),
            Ok(())
        );
        assert_eq!(
            enforce_password_rules(&policy, "greenfox47", &oak()),
            Ok(())
        );
    }

    #[test]
    fn every_problem_reads_as_a_sentence() {
        for problem in [
            PasswordProblem::TooShort { min: 8 },
            PasswordProblem::TooLong,
            PasswordProblem::NoDigit,
            PasswordProblem::Common,
            PasswordProblem::SameAsName,
            PasswordProblem::Mismatch,
        ] {
            let text = problem.to_string();
            assert!(text.ends_with('.'), "{text}");
        }
    }
}
