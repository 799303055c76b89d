//! Names people type for others to read (staff names, class names): no
//! control or direction-changing characters, which could disguise a name
//! in a table or an email.

/// Whether `c` could disguise a name.
pub fn is_disguising(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
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
}
