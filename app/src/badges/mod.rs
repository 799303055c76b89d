//! Login cards and QR badges (DESIGN.md §3 "Login cards and QR badges"):
//! a printable card per learner, and badges that sign a young learner in
//! by showing a QR code to the tablet.

pub mod api;
pub mod badge_page;
pub mod camera;
pub mod cards_page;
pub mod qr;
#[cfg(feature = "ssr")]
pub mod ssr;

use serde::{Deserialize, Serialize};

/// Where a badge's QR code leads: `<public URL>/badge#<token>`. The token
/// is in the fragment, which browsers never send in a request line.
pub const BADGE_PATH: &str = "/badge";

/// What a card says for the password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CardPassword {
    Shown(String),
    SetByLearner,
    /// Staff set it but no copy is kept: a reset gives one to print.
    NotStored,
    HiddenBySchool,
}

impl CardPassword {
    pub fn text(&self) -> &str {
        match self {
            CardPassword::Shown(password) => password,
            CardPassword::SetByLearner => "Set by the learner",
            CardPassword::NotStored => "Not stored: reset it to print one",
            CardPassword::HiddenBySchool => "Hidden by the school",
        }
    }
}

/// One learner's login card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginCard {
    pub learner_id: String,
    pub class_name: String,
    pub first_name: String,
    pub last_name: String,
    pub username: String,
    pub password: CardPassword,
    /// The badge's URL for the QR code, when badges are on and the learner
    /// has one that can still be printed.
    pub badge_url: Option<String>,
}

/// A class's cards (or, school-wide, every class's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginCards {
    pub school_name: String,
    pub school_code: String,
    /// The class's name, or "All classes".
    pub title: String,
    pub badges_enabled: bool,
    pub cards: Vec<LoginCard>,
}

/// The accessible name of a card's QR code image.
pub fn qr_label(first_name: &str, last_name: &str) -> String {
    format!("QR badge for {first_name} {last_name}")
}

/// The token in a badge URL's fragment (`…/badge#<token>`), if it looks
/// like one: 43 URL-safe base64 characters (256 bits).
pub fn token_in_fragment(fragment: &str) -> Option<&str> {
    let token = fragment.trim_start_matches('#');
    let valid = token.len() == 43
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    valid.then_some(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_whole_token_is_read_from_the_fragment() {
        let token = "A".repeat(43);
        assert_eq!(
            token_in_fragment(&format!("#{token}")),
            Some(token.as_str())
        );
        assert_eq!(token_in_fragment(&token[..42]), None);
        assert_eq!(token_in_fragment(&format!("#{}", "a/".repeat(22))), None);
        assert_eq!(token_in_fragment(""), None);
    }
}
