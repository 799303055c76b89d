//! Usernames: one rule for staff and learners, checked in the browser as
//! someone types and again on the server. Usernames are unique in a school
//! across learners and staff, compared without regard to case.

/// Shortest and longest username, in characters.
pub const MIN_CHARS: usize = 2;
pub const MAX_CHARS: usize = 40;

/// What the rule says, shown when a username breaks it.
pub const RULE: &str =
    "A username is 2 to 40 letters, digits, dots, dashes or underscores, starting with a letter or digit, such as ali.khan.";

/// A username as typed, trimmed and in lower case, or the rule it breaks.
/// Never an email address (those sign in as email).
pub fn username(typed: &str) -> Result<String, &'static str> {
    let username = typed.trim().to_lowercase();
    let valid = (MIN_CHARS..=MAX_CHARS).contains(&username.chars().count())
        && username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        && username.starts_with(|c: char| c.is_ascii_alphanumeric());
    if valid {
        Ok(username)
    } else {
        Err(RULE)
    }
}

/// [`username`] as a server function's error on the `username` field.
pub fn checked(typed: &str) -> Result<String, crate::error::AppError> {
    username(typed).map_err(|rule| crate::error::AppError::invalid("username", rule))
}

/// The username `stem` with the `n`th suffix: `ali.khan`, `ali.khan2`,
/// `ali.khan3`…, shortened so the result keeps to the longest length.
pub fn numbered(stem: &str, n: u32) -> String {
    let suffix = if n <= 1 { String::new() } else { n.to_string() };
    let room = MAX_CHARS - suffix.len();
    let stem: String = stem.chars().take(room).collect();
    format!("{}{suffix}", stem.trim_end_matches(['.', '-', '_']))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Staff (the staff page) and learners follow the same rule.
    #[test]
    fn usernames_are_simple_lower_case_and_never_emails() {
        assert_eq!(username(" Ali.Khan ").unwrap(), "ali.khan");
        assert_eq!(username("j_smith-2").unwrap(), "j_smith-2");
        assert_eq!(checked(" J.Smith ").unwrap(), "j.smith");
        for bad in [
            "a",
            "j",
            ".ali",
            ".hidden",
            "ali khan",
            "j smith",
            "ali@school.org",
            "j@school.example",
            "óscar",
            &"a".repeat(41),
        ] {
            assert!(username(bad).is_err(), "{bad}");
            assert!(checked(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn numbered_usernames_keep_to_the_longest_length() {
        assert_eq!(numbered("ali.khan", 1), "ali.khan");
        assert_eq!(numbered("ali.khan", 2), "ali.khan2");
        let long = "a".repeat(45);
        assert_eq!(numbered(&long, 12).len(), MAX_CHARS);
        assert!(numbered(&long, 12).ends_with("12"));
    }
}
