//! The access-codes CSV of DESIGN.md §3, built in the browser (and in
//! tests) from rows the server revealed: UTF-8 with a BOM, CRLF line ends,
//! every field quoted, and spreadsheet formulas neutralised.

use std::borrow::Cow;

use crate::classes::AccessCodeRow;

pub const HEADER: [&str; 6] = [
    "class",
    "first_name",
    "last_name",
    "username",
    "password",
    "parent_access_code",
];
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Prefixes `'` to a value a spreadsheet would run as a formula (OWASP CSV
/// injection): one beginning with `=`, `+`, `-`, `@`, tab, CR, LF or NUL.
pub fn neutralise(value: &str) -> Cow<'_, str> {
    match value.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r' | '\n' | '\0') => Cow::Owned(format!("'{value}")),
        _ => Cow::Borrowed(value),
    }
}

/// The whole file, ready to save.
pub fn access_codes_csv(rows: &[AccessCodeRow]) -> Vec<u8> {
    let mut out = BOM.to_vec();
    {
        let mut writer = ::csv::WriterBuilder::new()
            .quote_style(::csv::QuoteStyle::Always)
            .terminator(::csv::Terminator::CRLF)
            .from_writer(&mut out);
        // Writing to memory cannot fail.
        let _ = writer.write_record(HEADER);
        for row in rows {
            let fields = [
                row.class.as_str(),
                row.first_name.as_str(),
                row.last_name.as_str(),
                row.username.as_str(),
                row.password.as_deref().unwrap_or(""),
                row.parent_access_code.as_str(),
            ];
            let _ = writer.write_record(fields.iter().map(|field| neutralise(field).into_owned()));
        }
        let _ = writer.flush();
    }
    out
}

/// `<school code>-<class>-access-codes.csv`, with characters that file
/// systems refuse replaced by `_`.
pub fn file_name(school_code: &str, class: &str) -> String {
    let safe: String = class
        .chars()
        .map(|c| {
            if c.is_control() || r#"/\:*?"<>|"#.contains(c) {
                '_'
            } else {
                c
            }
        })
        .collect();
    format!("{school_code}-{}-access-codes.csv", safe.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(first: &str, last: &str, password: Option<&str>) -> AccessCodeRow {
        AccessCodeRow {
            class: "Year 3 Hazel".into(),
            first_name: first.into(),
            last_name: last.into(),
            username: "ameliab".into(),
            password: password.map(Into::into),
            parent_access_code: "K7Q-P2M-9XD".into(),
        }
    }

    fn text(rows: &[AccessCodeRow]) -> String {
        let bytes = access_codes_csv(rows);
        assert!(bytes.starts_with(BOM), "starts with a UTF-8 BOM");
        String::from_utf8(bytes[3..].to_vec()).unwrap()
    }

    #[test]
    fn header_and_rows_are_quoted_with_crlf_line_ends() {
        assert_eq!(
            text(&[row("Amelia", "Brown", Some("greenfox47"))]),
            "\"class\",\"first_name\",\"last_name\",\"username\",\"password\",\"parent_access_code\"\r\n\
             \"Year 3 Hazel\",\"Amelia\",\"Brown\",\"ameliab\",\"greenfox47\",\"K7Q-P2M-9XD\"\r\n"
        );
    }

    #[test]
    fn commas_quotes_and_newlines_stay_inside_their_field() {
        let csv = text(&[row(
            "Amelia, \"Milly\"",
            "Brown\r\nSmith",
            Some("greenfox47"),
        )]);
        assert!(
            csv.contains("\"Amelia, \"\"Milly\"\"\",\"Brown\r\nSmith\""),
            "{csv}"
        );
    }

    #[test]
    fn non_ascii_names_are_kept_as_utf8() {
        let csv = text(&[row("Zoë", "Łukasiewicz-Ó'Brien", Some("greenfox47"))]);
        assert!(csv.contains("\"Zoë\",\"Łukasiewicz-Ó'Brien\""), "{csv}");
    }

    #[test]
    fn every_formula_prefix_is_neutralised() {
        for prefix in ['=', '+', '-', '@', '\t', '\r', '\n', '\0'] {
            let value = format!("{prefix}HYPERLINK(\"x\")");
            assert_eq!(neutralise(&value), format!("'{value}"), "{prefix:?}");
            let csv = text(&[row(&value, "Brown", None)]);
            assert!(
                csv.contains(&format!("\"'{}", value.replace('"', "\"\""))),
                "{prefix:?}: {csv}"
            );
        }
        assert_eq!(neutralise("Amelia"), "Amelia");
        assert_eq!(neutralise(""), "");
        assert_eq!(neutralise("a=b"), "a=b", "only a leading character counts");
    }

    #[test]
    fn generated_values_round_trip_exactly() {
        let csv = text(&[row("Amelia", "Brown", Some("sunnyowl07"))]);
        assert!(csv.contains("\"ameliab\",\"sunnyowl07\",\"K7Q-P2M-9XD\""));
    }

    #[test]
    fn a_password_that_cannot_be_shown_is_an_empty_field() {
        let csv = text(&[row("Amelia", "Brown", None)]);
        assert!(csv.contains("\"ameliab\",\"\",\"K7Q-P2M-9XD\""), "{csv}");
    }

    #[test]
    fn file_names_follow_the_design_and_are_safe() {
        assert_eq!(
            file_name("OAK", "Year 3 Hazel"),
            "OAK-Year 3 Hazel-access-codes.csv"
        );
        assert_eq!(
            file_name("OAK", "Y3/Y4: mixed"),
            "OAK-Y3_Y4_ mixed-access-codes.csv"
        );
    }
}
