//! Child-friendly learner passwords and parent access codes, drawn from the
//! operating system's cryptographically secure generator.

use rand::rngs::OsRng;
use rand::seq::SliceRandom;
use rand::Rng;

use crate::password_rules::{enforce_password_rules, PasswordContext, PasswordPolicy};

/// Short, common, friendly words a seven-year-old can read and type. Curated
/// by hand: nothing rude, scary or easily misread, no homophones of rude words.
const FIRST_WORDS: &[&str] = &[
    "red", "blue", "green", "pink", "gold", "mint", "lime", "teal", "ruby", "jade", "sunny",
    "happy", "brave", "calm", "kind", "wise", "bold", "cosy", "fast", "tall", "tiny", "big",
    "soft", "warm", "cool", "fresh", "shiny", "quiet", "busy", "lucky", "jolly", "merry", "proud",
    "smart", "swift", "neat", "rosy", "snowy", "windy", "misty", "sandy", "leafy", "silver",
    "golden", "purple", "orange", "yellow", "magic", "super", "clever",
];

const SECOND_WORDS: &[&str] = &[
    "fox", "owl", "cat", "dog", "bee", "elk", "yak", "hen", "emu", "ant", "bear", "deer", "duck",
    "frog", "goat", "lion", "mole", "seal", "swan", "wolf", "crab", "dove", "fish", "hare", "lamb",
    "toad", "wren", "moth", "newt", "puma", "tiger", "otter", "panda", "koala", "zebra", "horse",
    "robin", "whale", "eagle", "llama", "apple", "pear", "plum", "lemon", "melon", "tree", "leaf",
    "moon", "star", "cloud", "river", "hill", "rock", "shell", "boat", "kite", "drum", "bell",
    "book", "cake",
];

/// The alphabet of parent access codes: capitals and digits without the
/// look-alikes 0, O, 1 and I.
pub const ACCESS_CODE_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/// 256 random bits as base64url: a password nobody will ever type (a new
/// staff member's, until their welcome link sets their own).
pub fn random_secret() -> String {
    use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
    let mut bytes = [0u8; 32];
    OsRng.fill(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Two words and two digits, e.g. `greenfox47`, that pass the school's rules.
/// Adds a word when the school asks for longer passwords than two words make.
pub fn child_friendly_password(policy: &PasswordPolicy, context: &PasswordContext) -> String {
    let mut rng = OsRng;
    loop {
        let mut password = String::new();
        password.push_str(pick(&mut rng, FIRST_WORDS));
        password.push_str(pick(&mut rng, SECOND_WORDS));
        while password.chars().count() + 2 < policy.min_length as usize {
            password.push_str(pick(&mut rng, SECOND_WORDS));
        }
        password.push_str(&format!("{:02}", rng.gen_range(0..100)));
        if enforce_password_rules(policy, &password, context).is_ok() {
            return password;
        }
    }
}

fn pick<'a>(rng: &mut OsRng, words: &[&'a str]) -> &'a str {
    words.choose(rng).copied().unwrap_or("kind")
}

/// A new parent access code such as `K7Q-P2M-9XD`.
pub fn parent_access_code() -> String {
    let mut rng = OsRng;
    let chars: Vec<char> = (0..9)
        .map(|_| ACCESS_CODE_ALPHABET[rng.gen_range(0..ACCESS_CODE_ALPHABET.len())] as char)
        .collect();
    format!(
        "{}-{}-{}",
        chars[0..3].iter().collect::<String>(),
        chars[3..6].iter().collect::<String>(),
        chars[6..9].iter().collect::<String>()
    )
}

/// What a parent typed, as the nine code characters in capitals, or `None`
/// when it cannot be a code. Dashes and spaces are ignored.
pub fn normalise_access_code(typed: &str) -> Option<String> {
    let code: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_uppercase)
        .collect();
    let valid = code.len() == 9 && code.bytes().all(|b| ACCESS_CODE_ALPHABET.contains(&b));
    valid.then_some(code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::password_rules::check_password;

    #[test]
    fn generated_passwords_pass_the_rules_over_many_draws() {
        let policy = PasswordPolicy::default();
        let context = PasswordContext::default();
        for _ in 0..10_000 {
            let password = child_friendly_password(&policy, &context);
            assert_eq!(
                enforce_password_rules(&policy, &password, &context),
                Ok(()),
                "{password}"
            );
            assert!(
                password
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()),
                "{password}"
            );
        }
    }

    #[test]
    fn generated_passwords_grow_to_a_longer_school_minimum() {
        let policy = PasswordPolicy {
            min_length: 16,
            ..Default::default()
        };
        for _ in 0..200 {
            let password = child_friendly_password(&policy, &PasswordContext::default());
            assert_eq!(
                check_password(&policy, &password, &PasswordContext::default()),
                Ok(())
            );
        }
    }

    #[test]
    fn word_lists_hold_only_short_lowercase_words() {
        for word in FIRST_WORDS.iter().chain(SECOND_WORDS) {
            assert!(
                word.len() <= 6 && word.chars().all(|c| c.is_ascii_lowercase()),
                "{word}"
            );
        }
    }

    #[test]
    fn access_codes_have_the_designed_shape() {
        for _ in 0..1_000 {
            let code = parent_access_code();
            assert_eq!(code.len(), 11);
            assert_eq!(&code[3..4], "-");
            assert_eq!(&code[7..8], "-");
            assert!(!code.contains(['0', 'O', '1', 'I']), "{code}");
            assert_eq!(normalise_access_code(&code), Some(code.replace('-', "")));
        }
    }

    #[test]
    fn access_codes_are_typed_case_insensitively() {
        assert_eq!(
            normalise_access_code(" k7q-p2m-9xd "),
            Some("K7QP2M9XD".into())
        );
        assert_eq!(
            normalise_access_code("K7Q P2M 9XD"),
            Some("K7QP2M9XD".into())
        );
        assert_eq!(
            normalise_access_code("K7Q-P2M-9X0"),
            None,
            "0 is not in the alphabet"
        );
        assert_eq!(normalise_access_code("K7Q-P2M"), None);
    }
}
