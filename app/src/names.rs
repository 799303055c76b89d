//! Names people type for others to read (staff names, class names): no
//! control or direction-changing characters, which could disguise a name
//! in a table or an email.

/// Whether `c` could disguise a name.
pub fn is_disguising(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// A name as it is kept: runs of spaces made one, and (on the server) in
/// Unicode's composed form (NFC), so "Zoë" typed on a Mac (e + a combining
/// diaeresis) and on Windows (one letter ë) is the same name, and
/// "Year 7  Oak" the same class as "Year 7 Oak".
pub fn tidy(value: &str) -> String {
    let spaced = value.split_whitespace().collect::<Vec<_>>().join(" ");
    #[cfg(feature = "ssr")]
    {
        use unicode_normalization::UnicodeNormalization;
        spaced.nfc().collect()
    }
    #[cfg(not(feature = "ssr"))]
    spaced
}

/// Longest first or last name, in characters.
pub const MAX_PERSON_NAME_CHARS: usize = 60;

/// A learner's first or last name as typed: trimmed, 1 to 60 characters,
/// every letter of every script kept; nothing that could disguise it, and
/// no leading `=`, `+`, `-` or `@`, which a spreadsheet would run as a
/// formula when the access codes are opened.
pub fn person_name(value: &str) -> Result<String, &'static str> {
    // Checked as typed: tidying would turn a line break into a space.
    if value.trim().chars().any(is_disguising) {
        return Err("A name cannot contain line breaks or invisible characters.");
    }
    let name = &tidy(value);
    if name.is_empty() {
        return Err("Type a name.");
    }
    if name.chars().count() > MAX_PERSON_NAME_CHARS {
        return Err("A name is at most 60 characters.");
    }
    if name.starts_with(['=', '+', '-', '@']) {
        return Err(
            "A name cannot start with =, +, - or @ (a spreadsheet would run it as a formula).",
        );
    }
    Ok(name.to_string())
}

#[cfg(all(test, feature = "ssr"))]
mod tidy_tests {
    use super::*;

    #[test]
    fn names_are_kept_composed_with_single_spaces() {
        let decomposed = "Zoe\u{0308}  Ada\u{0301}ms";
        assert_eq!(tidy(decomposed), "Zoë Adáms");
        assert_eq!(person_name(decomposed).unwrap(), "Zoë Adáms");
        assert_eq!(tidy(" Year 7 \t Oak "), "Year 7 Oak");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_breaks_and_invisible_direction_marks_disguise_a_name() {
        for c in ['\n', '\u{202E}', '\u{200B}', '\u{FEFF}'] {
            assert!(is_disguising(c), "{c:?}");
        }
        assert!("Ó Súilleabháin Nguyễn 王"
            .chars()
            .all(|c| !is_disguising(c)));
    }

    #[test]
    fn person_names_keep_every_letter_and_refuse_formulas() {
        for name in ["Ó Súilleabháin", "Nguyễn", "王", "Anne-Marie", "D'Arcy"] {
            assert_eq!(person_name(&format!(" {name} ")).unwrap(), name);
        }
        for bad in [
            "",
            "  ",
            "=HYPERLINK(\"http://x\")",
            "+1",
            "-2",
            "@SUM(A1)",
            "Ali\nKhan",
            &"a".repeat(61),
        ] {
            assert!(person_name(bad).is_err(), "{bad:?}");
        }
    }
}
