//! Reading an uploaded roster file (bytes) into rows.
//!
//! Two kinds of upload are understood:
//! - a plain CSV file with the header `class,first_name,last_name,username,external_id,email`
//!   (any column order, `username`/`external_id`/`email` optional), separated by `,`, `;` or tab,
//!   in UTF-8 (with or without BOM), UTF-16 (Excel "Unicode text") or Windows-1252;
//! - a OneRoster 1.1 CSV zip (see [`super::oneroster`]).
//!
//! Whole-file problems come back as a [`FileError`] whose message is shown to a school admin as
//! it is. Problems with single lines are collected in [`ParsedRoster::line_errors`] instead.
//! Nothing here checks names or usernames; that happens later, on the rows.

use super::oneroster;

/// Largest upload accepted, in bytes.
pub const MAX_FILE_BYTES: usize = super::MAX_UPLOAD_BYTES;
/// Most data rows accepted in one file (after the header).
pub const MAX_ROWS: usize = 20_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RosterFormat {
    Csv,
    OneRoster,
}

/// One learner-in-a-class line of the file, fields trimmed, as written (no validation of names or usernames here, except what is listed below).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterRow {
    /// 1-based line number in the file where the row is (header is line 1). For OneRoster: the line in enrollments.csv, or in users.csv for a student with no enrollment.
    pub line: usize,
    /// "users.csv"/"enrollments.csv" for OneRoster, empty for plain CSV.
    pub file: &'static str,
    pub class: String,
    pub first_name: String,
    pub last_name: String,
    pub username: String,
    pub external_id: String,
    pub email: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedRoster {
    pub format: RosterFormat,
    /// Human name of the encoding found: "UTF-8", "UTF-16", "Windows-1252".
    pub encoding: &'static str,
    pub rows: Vec<RosterRow>,
    /// Lines that could not be read as a row (wrong number of fields, etc.): (line, file, reason in words). They block an import later but don't stop the parse.
    pub line_errors: Vec<(usize, &'static str, String)>,
}

/// A whole-file problem: the message is shown to a school admin as it is, so it must be a full, friendly sentence saying what is wrong and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError(pub String);

/// The columns of a plain roster CSV, in the order of the template.
const COLUMNS: [&str; 6] = [
    "class",
    "first_name",
    "last_name",
    "username",
    "external_id",
    "email",
];
/// How many of [`COLUMNS`] (from the start) must be in the header.
const REQUIRED_COLUMNS: usize = 3;
const EXPECTED_HEADER: &str = "class,first_name,last_name,username,external_id,email";

/// Shown for an Excel workbook (also used by the zip reader).
pub(crate) const XLSX_MESSAGE: &str = "This is an Excel workbook (.xlsx). Save it as CSV UTF-8 first: in Excel, use File › Save As and choose \"CSV UTF-8 (Comma delimited)\", then upload the .csv file.";
const XLS_MESSAGE: &str = "This is an older Excel workbook (.xls). Save it as CSV UTF-8 first: in Excel, use File › Save As and choose \"CSV UTF-8 (Comma delimited)\", then upload the .csv file.";
const PDF_MESSAGE: &str = "This is a PDF document, not a CSV file. A roster printed to PDF cannot be read back: export it from your school's information system or spreadsheet as CSV UTF-8, then upload the .csv file.";
const NOT_CSV_MESSAGE: &str = "This doesn't look like a CSV file. In Excel, use File › Save As › CSV UTF-8, then upload the .csv file.";

/// What a file over [`MAX_FILE_BYTES`] is told, before it is read.
pub fn too_big_message() -> String {
    format!(
        "The file is larger than {} MB, the largest accepted. Split the roster into smaller files (for example one per year group) and upload them one at a time.",
        MAX_FILE_BYTES / (1024 * 1024)
    )
}

/// Reads an uploaded roster file: a plain CSV file or a OneRoster 1.1 CSV zip.
pub fn parse_roster(bytes: &[u8]) -> Result<ParsedRoster, FileError> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(FileError(format!(
            "The file is too large ({}). The largest file accepted is {} MB. Split the roster into smaller files (for example one per year group) and upload them one at a time.",
            megabytes(bytes.len()),
            MAX_FILE_BYTES / (1024 * 1024)
        )));
    }
    // Local file header, or the end record of an empty zip.
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return oneroster::parse_oneroster(bytes);
    }
    // OLE compound file: an old .xls workbook (or another old Office file).
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return Err(FileError(XLS_MESSAGE.to_string()));
    }

    // A PDF starts with a line of text, so it would otherwise be read as a
    // CSV file with a strange header.
    if bytes.starts_with(b"%PDF-") {
        return Err(FileError(PDF_MESSAGE.to_string()));
    }

    let decoded = decode(bytes).map_err(|e| {
        FileError(match e {
            DecodeError::Empty => format!(
                "The file is empty. Choose a CSV file whose first line is the header ({EXPECTED_HEADER}) followed by one line per learner."
            ),
            DecodeError::NotText => NOT_CSV_MESSAGE.to_string(),
            DecodeError::BadUtf8 { line } => format!("The file starts with a UTF-8 marker, but line {line} has characters that are not valid UTF-8, so it may be damaged. In Excel, use File › Save As › CSV UTF-8 and upload the new file."),
            DecodeError::MixedUtf8 { line } => format!("Most of the file is UTF-8, but line {line} is in another encoding (such as Windows-1252), so names would come out garbled. Lines copied in from another export do this. In Excel, use File › Save As › CSV UTF-8 and upload the new file."),
            DecodeError::BadUtf16 => "The file looks like UTF-16 text (Excel \"Unicode text\") but some of its characters are damaged. In Excel, use File › Save As › CSV UTF-8 and upload the new file.".to_string(),
        })
    })?;

    let delimiter = detect_delimiter(&decoded.text, |cells| map_native_header(cells).is_ok());
    let table = read_table(&decoded.text, delimiter, MAX_ROWS, map_native_header, || {
        FileError(format!(
            "The file has more than {} learner lines, which is the most accepted in one upload. Split it into smaller files (for example one per year group) and upload them one at a time.",
            thousands(MAX_ROWS)
        ))
    })?
    .ok_or_else(|| {
        FileError(format!(
            "The file is empty. Choose a CSV file whose first line is the header ({EXPECTED_HEADER}) followed by one line per learner."
        ))
    })?;

    if table.records.is_empty() && table.errors.is_empty() {
        return Err(FileError(
            "The file has a header but no learners. Add one line per learner under the header and upload it again.".to_string(),
        ));
    }

    let rows = table
        .records
        .into_iter()
        .map(|mut r| RosterRow {
            line: r.line,
            file: "",
            class: r.take(0),
            first_name: r.take(1),
            last_name: r.take(2),
            username: r.take(3),
            external_id: r.take(4),
            email: r.take(5),
        })
        .collect();
    let line_errors = table
        .errors
        .into_iter()
        .map(|(line, reason)| (line, "", reason))
        .collect();

    Ok(ParsedRoster {
        format: RosterFormat::Csv,
        encoding: decoded.encoding,
        rows,
        line_errors,
    })
}

/// Maps a plain CSV header to the positions of [`COLUMNS`].
fn map_native_header(header: &[String]) -> Result<Vec<Option<usize>>, FileError> {
    let names: Vec<String> = header.iter().map(|h| normalize_header(h)).collect();
    if !names.iter().any(|n| COLUMNS.contains(&n.as_str())) {
        return Err(FileError(format!(
            "The first line of the file is not a header. The first line must name the columns: {EXPECTED_HEADER} (username, external_id and email may be left out). Add that line at the top and upload the file again."
        )));
    }
    let mut positions: Vec<Option<usize>> = vec![None; COLUMNS.len()];
    for (index, (name, raw)) in names.iter().zip(header).enumerate() {
        if name.is_empty() {
            return Err(FileError(format!(
                "Column {} of the header has no name. The columns are: {}. Remove the empty column or name it, then upload the file again.",
                index + 1,
                COLUMNS.join(", ")
            )));
        }
        let Some(column) = COLUMNS.iter().position(|c| c == name) else {
            return Err(FileError(format!(
                "Unknown column \"{raw}\" in the header. The columns are: {}. Rename or remove that column, then upload the file again.",
                COLUMNS.join(", ")
            )));
        };
        if positions[column].is_some() {
            return Err(FileError(format!(
                "The column \"{}\" appears more than once in the header. Remove the extra one and upload the file again.",
                COLUMNS[column]
            )));
        }
        positions[column] = Some(index);
    }
    if let Some(missing) = (0..REQUIRED_COLUMNS).find(|&c| positions[c].is_none()) {
        return Err(FileError(format!(
            "The header has no \"{}\" column. The first line of the file must be the header: {EXPECTED_HEADER} (username, external_id and email may be left out).",
            COLUMNS[missing]
        )));
    }
    Ok(positions)
}

/// "First Name " → "first_name"; the names school systems' exports give
/// the two name columns ("Forename", "Surname") → ours.
fn normalize_header(name: &str) -> String {
    let name = name
        .trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
        .split_whitespace()
        .collect::<Vec<_>>()
        .join("_")
        .to_lowercase();
    match name.as_str() {
        "forename" | "given_name" => "first_name".to_string(),
        "surname" | "family_name" => "last_name".to_string(),
        _ => name,
    }
}

// ---------------------------------------------------------------------------
// Decoding
// ---------------------------------------------------------------------------

/// Text of a file, decoded, without BOM.
pub(crate) struct Decoded {
    pub text: String,
    pub encoding: &'static str,
}

/// Why bytes could not be turned into text; each caller words it for its own file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DecodeError {
    /// No bytes, or only whitespace / BOM.
    Empty,
    /// Binary data (NUL bytes, many control characters).
    NotText,
    /// UTF-8 BOM followed by invalid UTF-8, first on this line (1-based).
    BadUtf8 { line: usize },
    /// UTF-8 text with lines in another encoding (a file pasted together
    /// from two exports), first on this line: read as Windows-1252, its
    /// UTF-8 names would come out garbled ("ZoÃ«").
    MixedUtf8 { line: usize },
    /// UTF-16 (BOM or by the look of it) with invalid code units.
    BadUtf16,
}

/// Finds the encoding of `bytes` and decodes them: UTF-8 (BOM or not), UTF-16 LE/BE with BOM,
/// UTF-16 without BOM if it looks like it, otherwise Windows-1252.
pub(crate) fn decode(bytes: &[u8]) -> Result<Decoded, DecodeError> {
    if bytes.is_empty() {
        return Err(DecodeError::Empty);
    }
    let (text, encoding) = if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        let text = std::str::from_utf8(rest).map_err(|e| DecodeError::BadUtf8 {
            line: line_at(rest, e.valid_up_to()),
        })?;
        (text.to_string(), "UTF-8")
    } else if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        (decode_utf16(encoding_rs::UTF_16LE, rest)?, "UTF-16")
    } else if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        (decode_utf16(encoding_rs::UTF_16BE, rest)?, "UTF-16")
    } else if looks_like_utf16(bytes, true) {
        (decode_utf16(encoding_rs::UTF_16LE, bytes)?, "UTF-16")
    } else if looks_like_utf16(bytes, false) {
        (decode_utf16(encoding_rs::UTF_16BE, bytes)?, "UTF-16")
    } else if bytes.contains(&0) {
        return Err(DecodeError::NotText);
    } else if let Ok(text) = std::str::from_utf8(bytes) {
        (text.to_string(), "UTF-8")
    } else if let Some(line) = mixed_utf8_line(bytes) {
        return Err(DecodeError::MixedUtf8 { line });
    } else {
        let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
        (text.into_owned(), "Windows-1252")
    };

    // A second BOM (files saved twice) is not part of the header.
    let text = match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    };
    if text.chars().all(|c| c.is_whitespace() || c == '\u{feff}') {
        return Err(DecodeError::Empty);
    }
    if looks_binary(&text) {
        return Err(DecodeError::NotText);
    }
    Ok(Decoded { text, encoding })
}

/// The line (1-based) of byte `offset`.
fn line_at(bytes: &[u8], offset: usize) -> usize {
    bytes[..offset.min(bytes.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// For bytes that are not all UTF-8: the first line that is not, if other
/// lines do hold UTF-8 beyond ASCII (then the file is UTF-8 with lines of
/// another encoding). A file with no such UTF-8 is a legacy encoding.
fn mixed_utf8_line(bytes: &[u8]) -> Option<usize> {
    let mut offset = 0;
    let mut first_invalid = None;
    let mut utf8_beyond_ascii = false;
    for chunk in bytes.utf8_chunks() {
        utf8_beyond_ascii |= !chunk.valid().is_ascii();
        offset += chunk.valid().len();
        if !chunk.invalid().is_empty() && first_invalid.is_none() {
            first_invalid = Some(offset);
        }
        offset += chunk.invalid().len();
    }
    first_invalid
        .filter(|_| utf8_beyond_ascii)
        .map(|at| line_at(bytes, at))
}

fn decode_utf16(
    encoding: &'static encoding_rs::Encoding,
    bytes: &[u8],
) -> Result<String, DecodeError> {
    encoding
        .decode_without_bom_handling_and_without_replacement(bytes)
        .map(|text| text.into_owned())
        .ok_or(DecodeError::BadUtf16)
}

/// UTF-16 without BOM: in mostly-Latin text every other byte is zero. Looks at the first KiB.
fn looks_like_utf16(bytes: &[u8], little_endian: bool) -> bool {
    let sample = &bytes[..bytes.len().min(1024)];
    let pairs = sample.len() / 2;
    if pairs < 2 {
        return false;
    }
    let (mut zero_high, mut zero_low) = (0, 0);
    for pair in sample.chunks_exact(2) {
        let (low, high) = if little_endian {
            (pair[0], pair[1])
        } else {
            (pair[1], pair[0])
        };
        if high == 0 {
            zero_high += 1;
        }
        if low == 0 {
            zero_low += 1;
        }
    }
    zero_high * 10 >= pairs * 7 && zero_low * 10 <= pairs
}

/// More than 5 % control characters (other than tab and line ends), or any NUL: not a text file.
fn looks_binary(text: &str) -> bool {
    let mut total = 0usize;
    let mut control = 0usize;
    for c in text.chars() {
        total += 1;
        if c == '\0' {
            return true;
        }
        if c.is_control() && !matches!(c, '\t' | '\n' | '\r') {
            control += 1;
        }
    }
    control * 20 > total
}

// ---------------------------------------------------------------------------
// CSV reading
// ---------------------------------------------------------------------------

/// A CSV file read with its header mapped: only the wanted columns are kept.
pub(crate) struct Table {
    /// Rows with the right number of fields, not blank.
    pub records: Vec<Record>,
    /// (line, reason) for rows that could not be read.
    pub errors: Vec<(usize, String)>,
}

pub(crate) struct Record {
    /// 1-based line where the record starts.
    pub line: usize,
    /// Trimmed values of the wanted columns, in the order the header mapping gave
    /// (empty for a column the file doesn't have).
    pub fields: Vec<String>,
}

impl Record {
    /// Moves field `index` out (empty if there is none).
    pub fn take(&mut self, index: usize) -> String {
        self.fields
            .get_mut(index)
            .map(std::mem::take)
            .unwrap_or_default()
    }
}

/// Picks the separator (`,`, `;` or tab) from the first non-blank line (the header): of those
/// that occur outside quotes, the first (most frequent first) whose split the caller accepts,
/// else the most frequent, else `,`.
pub(crate) fn detect_delimiter(text: &str, accept: impl Fn(&[String]) -> bool) -> u8 {
    let header = first_line(text);
    let mut counts: Vec<(u8, usize)> = [b',', b';', b'\t']
        .iter()
        .map(|&d| (d, count_outside_quotes(header, d)))
        .filter(|&(_, n)| n > 0)
        .collect();
    // Stable: ties keep the order , ; tab.
    counts.sort_by_key(|&(_, n)| std::cmp::Reverse(n));
    for &(delimiter, _) in &counts {
        if accept(&split_line(header, delimiter)) {
            return delimiter;
        }
    }
    counts.first().map_or(b',', |&(d, _)| d)
}

/// The first line that is not blank, up to a line end outside quotes.
fn first_line(text: &str) -> &str {
    let start = text
        .char_indices()
        .find(|&(_, c)| !c.is_whitespace() && c != '\u{feff}')
        .map_or(0, |(i, _)| i);
    // Back up to the start of that line so leading spaces in the first cell stay in it.
    let start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let rest = &text[start..];
    let mut quoted = false;
    for (i, c) in rest.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '\n' | '\r' if !quoted => return &rest[..i],
            _ => {}
        }
    }
    rest
}

fn count_outside_quotes(line: &str, delimiter: u8) -> usize {
    let mut quoted = false;
    let mut count = 0;
    for b in line.bytes() {
        if b == b'"' {
            quoted = !quoted;
        } else if b == delimiter && !quoted {
            count += 1;
        }
    }
    count
}

fn split_line(line: &str, delimiter: u8) -> Vec<String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(line.as_bytes());
    let mut record = csv::StringRecord::new();
    match reader.read_record(&mut record) {
        Ok(true) => record.iter().map(|f| f.trim().to_string()).collect(),
        _ => Vec::new(),
    }
}

/// Reads CSV `text`: the first non-blank record is the header, given to `map_header`, which
/// returns for each wanted column its position in the header (or `None` if absent) or a
/// [`FileError`]. Blank records are skipped; records with the wrong number of fields become
/// errors. More than `max_records` data records (good or not) → `too_many()`.
/// `Ok(None)`: there is no header (nothing but blank lines).
pub(crate) fn read_table(
    text: &str,
    delimiter: u8,
    max_records: usize,
    map_header: impl FnOnce(&[String]) -> Result<Vec<Option<usize>>, FileError>,
    too_many: impl FnOnce() -> FileError,
) -> Result<Option<Table>, FileError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut record = csv::StringRecord::new();
    let mut map_header = Some(map_header);
    let mut header: Option<(Vec<Option<usize>>, usize)> = None;
    let mut table = Table {
        records: Vec::new(),
        errors: Vec::new(),
    };
    let mut lines = LineCounter::new(text);
    let mut count = 0usize;
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                // Reading from a &str with `flexible` set, this should not happen.
                let Some(line) = e.position().map(|p| lines.line_at(p.byte())) else {
                    return Err(FileError(NOT_CSV_MESSAGE.to_string()));
                };
                count += 1;
                if count > max_records {
                    return Err(too_many());
                }
                table
                    .errors
                    .push((line, "This line could not be read as CSV.".to_string()));
                continue;
            }
        }
        let line = record.position().map_or(0, |p| lines.line_at(p.byte()));
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let Some((positions, width)) = &header else {
            let mut cells: Vec<String> = record.iter().map(|f| f.trim().to_string()).collect();
            // Excel keeps empty columns at the end of a sheet that once had
            // more ("class,first_name,last_name,,"): not columns of the file.
            while cells.last().is_some_and(String::is_empty) {
                cells.pop();
            }
            let map = map_header.take().expect("the header is mapped once");
            header = Some((map(&cells)?, cells.len()));
            continue;
        };
        count += 1;
        if count > max_records {
            return Err(too_many());
        }
        // Empty fields past the header's last column are those same empty
        // columns (or a separator at the end of the line): nothing is lost.
        let extra_fields_empty = record.iter().skip(*width).all(|f| f.trim().is_empty());
        if record.len() < *width || !extra_fields_empty {
            let message = if record.iter().any(|f| f.contains(['\n', '\r'])) {
                // A quote that is never closed takes in the lines after it.
                UNCLOSED_QUOTE.to_string()
            } else if record.len() > *width {
                format!(
                    "This line has {}, but the header has {}. A name or class with the separator in it needs quotes around it (\"Lee, Ann\"); otherwise remove the extra field.",
                    plural(record.len(), "field"),
                    width
                )
            } else {
                format!(
                    "This line has {}, but the header has {}. Fill in the missing fields, leaving the ones that may be empty empty (two separators in a row).",
                    plural(record.len(), "field"),
                    width
                )
            };
            table.errors.push((line, message));
            continue;
        }
        let fields = positions
            .iter()
            .map(|p| {
                p.and_then(|i| record.get(i))
                    .unwrap_or("")
                    .trim()
                    .to_string()
            })
            .collect();
        table.records.push(Record { line, fields });
    }
    Ok(header.map(|_| table))
}

const UNCLOSED_QUOTE: &str = "This line opens a quote (\") that is not closed on the same \
     line, so the lines after it were read as part of it. Close the quote or remove it.";

/// Line numbers of records from their byte offsets. (csv's own `Position::line()` is taken
/// before the line ends and blank lines in front of a record are skipped, so it is one short
/// after every `\r\n` and after blank lines.)
struct LineCounter<'a> {
    text: &'a [u8],
    /// Byte up to which line breaks have been counted.
    pos: usize,
    /// 1-based line at `pos`.
    line: usize,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a str) -> Self {
        LineCounter {
            text: text.as_bytes(),
            pos: 0,
            line: 1,
        }
    }

    /// The line of the record read from byte `offset` on: csv skips line ends there first.
    /// Offsets must not go backwards. `\r\n`, `\n` and a lone `\r` each end a line.
    fn line_at(&mut self, offset: u64) -> usize {
        let mut start = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(self.text.len());
        while matches!(self.text.get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        for i in self.pos..start.max(self.pos) {
            match self.text[i] {
                b'\n' => self.line += 1,
                b'\r' if self.text.get(i + 1) != Some(&b'\n') => self.line += 1,
                _ => {}
            }
        }
        self.pos = self.pos.max(start);
        self.line
    }
}

// ---------------------------------------------------------------------------
// Words
// ---------------------------------------------------------------------------

/// "1 field", "4 fields".
fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// 20000 → "20,000".
pub(crate) fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// 5_300_000 → "5.1 MB".
fn megabytes(bytes: usize) -> String {
    format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
}

#[cfg(test)]
mod tests {
    #[test]
    fn megabytes_read_to_one_decimal() {
        assert_eq!(super::megabytes(0), "0.0 MB");
        assert_eq!(super::megabytes(1_048_576), "1.0 MB");
        assert_eq!(super::megabytes(5_300_000), "5.1 MB");
        assert_eq!(super::megabytes(5 * 1_048_576 + 1), "5.0 MB");
        assert_eq!(super::megabytes(1_048_576 + 52_429), "1.1 MB");
        assert_eq!(super::megabytes(1_048_576 + 52_428), "1.0 MB");
    }

    use super::*;

    fn parse_ok(bytes: &[u8]) -> ParsedRoster {
        match parse_roster(bytes) {
            Ok(parsed) => parsed,
            Err(FileError(message)) => panic!("unexpected file error: {message}"),
        }
    }

    fn parse_err(bytes: &[u8]) -> String {
        match parse_roster(bytes) {
            Ok(parsed) => panic!("expected a file error, got {parsed:?}"),
            Err(FileError(message)) => message,
        }
    }

    fn row(
        line: usize,
        class: &str,
        first: &str,
        last: &str,
        user: &str,
        ext: &str,
        email: &str,
    ) -> RosterRow {
        RosterRow {
            line,
            file: "",
            class: class.into(),
            first_name: first.into(),
            last_name: last.into(),
            username: user.into(),
            external_id: ext.into(),
            email: email.into(),
        }
    }

    fn utf16(text: &str, little_endian: bool, bom: bool) -> Vec<u8> {
        let mut out = Vec::new();
        let units = bom.then_some(0xFEFF).into_iter().chain(text.encode_utf16());
        for unit in units {
            if little_endian {
                out.extend_from_slice(&unit.to_le_bytes());
            } else {
                out.extend_from_slice(&unit.to_be_bytes());
            }
        }
        out
    }

    const SAMPLE: &str = "class,first_name,last_name,username,external_id,email\n\
                          7A,Aoife,Ó Súilleabháin,aoife.os,S001,aoife@example.org\n\
                          7B,Minh,Nguyễn,minh.n,S002,\n";

    #[test]
    fn utf8_plain() {
        let parsed = parse_ok(SAMPLE.as_bytes());
        assert_eq!(parsed.format, RosterFormat::Csv);
        assert_eq!(parsed.encoding, "UTF-8");
        assert!(parsed.line_errors.is_empty());
        assert_eq!(
            parsed.rows,
            vec![
                row(
                    2,
                    "7A",
                    "Aoife",
                    "Ó Súilleabháin",
                    "aoife.os",
                    "S001",
                    "aoife@example.org"
                ),
                row(3, "7B", "Minh", "Nguyễn", "minh.n", "S002", ""),
            ]
        );
    }

    #[test]
    fn utf8_with_bom() {
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        bytes.extend_from_slice(SAMPLE.as_bytes());
        let parsed = parse_ok(&bytes);
        assert_eq!(parsed.encoding, "UTF-8");
        assert_eq!(parsed.rows, parse_ok(SAMPLE.as_bytes()).rows);
    }

    #[test]
    fn utf16le_bom_with_tabs_excel_unicode_text() {
        let text = "class\tfirst_name\tlast_name\r\n7A\tWei\t王\r\n7A\tAoife\tÓ Súilleabháin\r\n";
        let parsed = parse_ok(&utf16(text, true, true));
        assert_eq!(parsed.encoding, "UTF-16");
        assert!(parsed.line_errors.is_empty());
        assert_eq!(
            parsed.rows,
            vec![
                row(2, "7A", "Wei", "王", "", "", ""),
                row(3, "7A", "Aoife", "Ó Súilleabháin", "", "", ""),
            ]
        );
    }

    #[test]
    fn utf16be_bom() {
        let parsed = parse_ok(&utf16(SAMPLE, false, true));
        assert_eq!(parsed.encoding, "UTF-16");
        assert_eq!(parsed.rows, parse_ok(SAMPLE.as_bytes()).rows);
    }

    #[test]
    fn utf16le_without_bom_is_recognised() {
        let parsed = parse_ok(&utf16(SAMPLE, true, false));
        assert_eq!(parsed.encoding, "UTF-16");
        assert_eq!(parsed.rows, parse_ok(SAMPLE.as_bytes()).rows);
    }

    #[test]
    fn windows_1252() {
        // "Ó Súilleabháin" in Windows-1252: Ó = D3, ú = FA, á = E1.
        let mut bytes = b"class,first_name,last_name\n7A,Aoife,".to_vec();
        bytes.extend_from_slice(b"\xD3 S\xFAilleabh\xE1in\n");
        let parsed = parse_ok(&bytes);
        assert_eq!(parsed.encoding, "Windows-1252");
        assert_eq!(
            parsed.rows,
            vec![row(2, "7A", "Aoife", "Ó Súilleabháin", "", "", "")]
        );
    }

    #[test]
    fn utf8_with_lines_of_another_encoding_is_refused_naming_the_line() {
        // Zoë in UTF-8 on line 2, José in Windows-1252 (é = E9) on line 3:
        // read as Windows-1252, Zoë would become "ZoÃ«".
        let mut bytes = b"class,first_name,last_name\n7A,Zo\xC3\xAB,Mixed\n".to_vec();
        bytes.extend_from_slice(b"7A,Jos\xE9,Ruiz\n");
        let message = parse_roster(&bytes).unwrap_err().0;
        assert!(
            message.contains("line 3 is in another encoding"),
            "{message}"
        );
        assert!(message.contains("CSV UTF-8"), "{message}");
    }

    #[test]
    fn a_damaged_utf8_file_names_its_line() {
        let mut bytes = b"\xEF\xBB\xBFclass,first_name,last_name\n7A,Ann,Lee\n".to_vec();
        bytes.extend_from_slice(b"7A,Jos\xE9,Ruiz\n");
        let message = parse_roster(&bytes).unwrap_err().0;
        assert!(message.contains("line 3 has characters"), "{message}");
    }

    #[test]
    fn semicolon_separator() {
        let text = "class;first_name;last_name;email\n7A;Ann;Lee;\"ann;lee@example.org\"\n";
        let parsed = parse_ok(text.as_bytes());
        assert_eq!(
            parsed.rows,
            vec![row(2, "7A", "Ann", "Lee", "", "", "ann;lee@example.org")]
        );
    }

    #[test]
    fn semicolon_separator_with_commas_in_names() {
        // More commas than semicolons in the header line is impossible, but in data it is not:
        // the header decides.
        let text = "Class;First Name;Last Name\n7A;Ann, Marie;Lee\n";
        let parsed = parse_ok(text.as_bytes());
        assert_eq!(
            parsed.rows,
            vec![row(2, "7A", "Ann, Marie", "Lee", "", "", "")]
        );
    }

    #[test]
    fn header_case_spacing_and_order() {
        let text = " EMAIL , Last Name,first name , USERNAME,External ID,Class\n\
                    a@example.org,Lee,Ann,ann.lee,X1,8C\n";
        let parsed = parse_ok(text.as_bytes());
        assert_eq!(
            parsed.rows,
            vec![row(2, "8C", "Ann", "Lee", "ann.lee", "X1", "a@example.org")]
        );
    }

    #[test]
    fn forename_and_surname_name_the_name_columns() {
        let parsed = parse_ok("Class,Forename,Surname\n7A,Siobhán,Ní Bhriain\n".as_bytes());
        assert_eq!(
            parsed.rows,
            vec![row(2, "7A", "Siobhán", "Ní Bhriain", "", "", "")]
        );
        let parsed = parse_ok(b"class,Given Name,Family Name\n7A,Ann,Lee\n");
        assert_eq!(parsed.rows, vec![row(2, "7A", "Ann", "Lee", "", "", "")]);
        let message = parse_err(b"class,first_name,surname,last_name\n7A,Ann,Lee,Lee\n");
        assert!(
            message.contains("\"last_name\" appears more than once"),
            "{message}"
        );
    }

    #[test]
    fn optional_columns_absent() {
        let parsed = parse_ok(b"last_name,class,first_name\nLee,7A,Ann\n");
        assert_eq!(parsed.rows, vec![row(2, "7A", "Ann", "Lee", "", "", "")]);
    }

    #[test]
    fn unknown_column() {
        let message = parse_err(b"class,first_name,last_name,xyz\n7A,Ann,Lee,1\n");
        assert_eq!(
            message,
            "Unknown column \"xyz\" in the header. The columns are: class, first_name, last_name, username, external_id, email. Rename or remove that column, then upload the file again."
        );
    }

    #[test]
    fn missing_required_column() {
        let message = parse_err(b"class,first_name,username\n7A,Ann,ann\n");
        assert!(message.contains("no \"last_name\" column"), "{message}");
        assert!(message.contains(EXPECTED_HEADER), "{message}");
    }

    #[test]
    fn no_header_at_all() {
        let message = parse_err(b"7A,Ann,Lee\n7A,Bob,Ray\n");
        assert!(
            message.starts_with("The first line of the file is not a header."),
            "{message}"
        );
    }

    #[test]
    fn duplicate_column() {
        let message = parse_err(b"class,first_name,last_name,First Name\n7A,Ann,Lee,Ann\n");
        assert!(
            message.contains("\"first_name\" appears more than once"),
            "{message}"
        );
    }

    #[test]
    fn a_quote_left_open_is_named_as_such() {
        let text = "class,first_name,last_name,username,external_id,email\n\
                    7A,\"Ana,Lopez,,X8101,\n\
                    7A,Dan,Fox,dan,X4,d@example.org\n";
        let parsed = parse_ok(text.as_bytes());
        assert!(parsed.rows.is_empty());
        assert_eq!(parsed.line_errors.len(), 1);
        assert_eq!(parsed.line_errors[0].0, 2);
        assert!(
            parsed.line_errors[0]
                .2
                .starts_with("This line opens a quote (\")"),
            "{:?}",
            parsed.line_errors
        );
    }

    const MISSING: &str = " Fill in the missing fields, leaving the ones that may be empty empty (two separators in a row).";

    #[test]
    fn excel_s_empty_columns_at_the_end_are_not_columns() {
        let text = "class,first_name,last_name,,\n\
                    7A,Ann,Lee,,\n\
                    7A,Bob,Ray\n\
                    7A,Cy,Day,\n";
        let parsed = parse_ok(text.as_bytes());
        assert!(parsed.line_errors.is_empty(), "{:?}", parsed.line_errors);
        assert_eq!(parsed.rows.len(), 3);
        assert_eq!(parsed.rows[2], row(4, "7A", "Cy", "Day", "", "", ""));
        // A field past the header that holds something is an error, saying how to fix it.
        let parsed = parse_ok(b"class,first_name,last_name\n7A,Lee, Ann,Smith\n");
        assert!(
            parsed.line_errors[0].2.starts_with("This line has 4 fields, but the header has 3. A name or class with the separator in it needs quotes"),
            "{:?}",
            parsed.line_errors
        );
    }

    #[test]
    fn wrong_field_count_is_a_line_error() {
        let text = "class,first_name,last_name,username,external_id,email\n\
                    7A,Ann,Lee,ann,X1,a@example.org\n\
                    7A,Bob,Ray,bob\n\
                    7A,Cat\n\
                    7A,Dan,Fox,dan,X4,d@example.org\n";
        let parsed = parse_ok(text.as_bytes());
        assert_eq!(parsed.rows.len(), 2);
        assert_eq!(parsed.rows[1].line, 5);
        assert_eq!(
            parsed.line_errors,
            vec![
                (
                    3,
                    "",
                    format!("This line has 4 fields, but the header has 6.{MISSING}")
                ),
                (
                    4,
                    "",
                    format!("This line has 2 fields, but the header has 6.{MISSING}")
                ),
            ]
        );
    }

    #[test]
    fn quoted_fields_with_separator_quote_and_newline() {
        let text = "class,first_name,last_name\n\
                    \"7A, room 2\",\"Ann \"\"Nan\"\"\",\"Lee\nSmith\"\n\
                    7B,Bob,Ray\n";
        let parsed = parse_ok(text.as_bytes());
        assert_eq!(
            parsed.rows,
            vec![
                row(2, "7A, room 2", "Ann \"Nan\"", "Lee\nSmith", "", "", ""),
                row(4, "7B", "Bob", "Ray", "", "", ""),
            ]
        );
    }

    #[test]
    fn blank_lines_skipped() {
        let text = "\n\nclass,first_name,last_name\n\n7A,Ann,Lee\n,,\n  ,  ,  \n\n7A,Bob,Ray\n\n";
        let parsed = parse_ok(text.as_bytes());
        assert!(parsed.line_errors.is_empty());
        assert_eq!(
            parsed.rows,
            vec![
                row(5, "7A", "Ann", "Lee", "", "", ""),
                row(9, "7A", "Bob", "Ray", "", "", "")
            ]
        );
    }

    #[test]
    fn line_numbers_with_crlf_cr_and_blank_lines() {
        let lines = |text: &str| {
            parse_ok(text.as_bytes())
                .rows
                .iter()
                .map(|r| r.line)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            lines("class,first_name,last_name\r\n7A,Ann,Lee\r\n\r\n7A,Bob,Ray\r\n"),
            vec![2, 4]
        );
        assert_eq!(
            lines("class,first_name,last_name\r7A,Ann,Lee\r\r7A,Bob,Ray"),
            vec![2, 4]
        );
        assert_eq!(
            lines("class,first_name,last_name\n7A,\"Ann\r\nMarie\",Lee\r\n\n7A,Bob,Ray\n"),
            vec![2, 5]
        );
    }

    #[test]
    fn cells_trimmed() {
        let parsed = parse_ok(b"class,first_name,last_name\n 7A ,\tAnn ,\xC2\xA0Lee\r\n");
        assert_eq!(parsed.rows, vec![row(2, "7A", "Ann", "Lee", "", "", "")]);
    }

    #[test]
    fn unicode_names_round_trip() {
        let text =
            "class,first_name,last_name\n7A,Aoife,Ó Súilleabháin\n7A,Minh,Nguyễn\n7A,伟,王\n";
        let names = |p: ParsedRoster| {
            p.rows
                .into_iter()
                .map(|r| (r.first_name, r.last_name))
                .collect::<Vec<_>>()
        };
        let expected = vec![
            ("Aoife".to_string(), "Ó Súilleabháin".to_string()),
            ("Minh".to_string(), "Nguyễn".to_string()),
            ("伟".to_string(), "王".to_string()),
        ];
        assert_eq!(names(parse_ok(text.as_bytes())), expected);
        assert_eq!(names(parse_ok(&utf16(text, true, true))), expected);
        assert_eq!(names(parse_ok(&utf16(text, false, true))), expected);
    }

    #[test]
    fn empty_file() {
        for bytes in [
            &b""[..],
            b"   \r\n\t\n",
            b"\xEF\xBB\xBF",
            b"\xEF\xBB\xBF\n\n",
            b"\xFF\xFE",
            b"\n,,,\n",
        ] {
            let message = parse_err(bytes);
            assert!(
                message.starts_with("The file is empty."),
                "{bytes:?}: {message}"
            );
        }
    }

    #[test]
    fn header_only() {
        for text in [
            "class,first_name,last_name\n",
            "class,first_name,last_name",
            "class,first_name,last_name\n\n,,\n",
        ] {
            assert_eq!(
                parse_err(text.as_bytes()),
                "The file has a header but no learners. Add one line per learner under the header and upload it again."
            );
        }
    }

    #[test]
    fn too_big() {
        let bytes = vec![b'a'; MAX_FILE_BYTES + 1];
        let message = parse_err(&bytes);
        assert!(
            message.starts_with("The file is too large (5.0 MB)."),
            "{message}"
        );
        assert!(
            message.contains("The largest file accepted is 5 MB."),
            "{message}"
        );
        assert!(message.contains("Split"), "{message}");
    }

    #[test]
    fn too_many_rows() {
        let mut text = String::from("class,first_name,last_name\n");
        for _ in 0..MAX_ROWS {
            text.push_str("7A,Ann,Lee\n");
        }
        assert_eq!(parse_ok(text.as_bytes()).rows.len(), MAX_ROWS);
        text.push_str("7A,Bob,Ray\n");
        let message = parse_err(text.as_bytes());
        assert!(
            message.starts_with("The file has more than 20,000 learner lines"),
            "{message}"
        );
    }

    #[test]
    fn binary_files() {
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x01\0".to_vec();
        png.extend((0..4000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
        let junk: Vec<u8> = (1..3000u32).map(|i| ((i * 37) % 255 + 1) as u8).collect();
        for bytes in [&png[..], &junk[..]] {
            assert_eq!(parse_err(bytes), NOT_CSV_MESSAGE);
        }
    }

    #[test]
    fn a_pdf_is_named_as_one() {
        let binary = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<< /Length 5 >>\nstream\n\x01\x02\x03\x04\x05\x06\x07\x08\nendstream\n";
        // Mostly text, as a PDF of a printed class list is: read as a CSV
        // file, its first line would be taken for a header.
        let texty = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n";
        for bytes in [&binary[..], &texty[..]] {
            assert_eq!(parse_err(bytes), PDF_MESSAGE);
        }
    }

    #[test]
    fn old_xls_workbook() {
        let mut bytes = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
        bytes.extend_from_slice(&[0; 504]);
        assert!(parse_err(&bytes).starts_with("This is an older Excel workbook (.xls)."));
    }

    #[test]
    fn damaged_utf8_after_bom() {
        let message = parse_err(b"\xEF\xBB\xBFclass,first_name,last_name\n7A,\xFF,Lee\n");
        assert!(message.contains("not valid UTF-8"), "{message}");
    }

    #[test]
    fn helpers() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(20_000), "20,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(normalize_header(" First   Name "), "first_name");
        assert_eq!(first_line("\n\n  a,\"b\nc\",d\ne"), "  a,\"b\nc\",d");
    }
}
