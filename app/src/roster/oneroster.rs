//! Reading a OneRoster 1.1 CSV export (a zip) into roster rows.
//!
//! Only `users.csv`, `classes.csv` and `enrollments.csv` are read (at the zip root or in one
//! top folder); `manifest.csv` and every other file are ignored. Each student enrollment gives
//! one [`RosterRow`]; a student with no enrollment gives one row with an empty class.
//!
//! The zip comes from outside, so nothing it declares is trusted: entries are read in chunks
//! and reading stops as soon as an entry or the whole zip expands too much, or an entry
//! expands at an absurd ratio (zip bomb).

use std::collections::{HashMap, HashSet};
use std::io::{Cursor, Read};

use super::parse::{
    self, DecodeError, FileError, ParsedRoster, RosterFormat, RosterRow, MAX_FILE_BYTES, MAX_ROWS,
};

const USERS: &str = "users.csv";
const CLASSES: &str = "classes.csv";
const ENROLLMENTS: &str = "enrollments.csv";

/// Most entries (files and folders) a zip may have.
const MAX_ENTRIES: usize = 100;
/// Most data records read from one file of the export (students, teachers, everything).
const MAX_SOURCE_RECORDS: usize = 200_000;

/// How much a zip may expand.
struct Limits {
    /// Decompressed bytes of all entries read, together.
    total: u64,
    /// Decompressed bytes of one entry.
    entry: u64,
    /// An entry larger than this ...
    ratio_min_bytes: u64,
    /// ... may be at most this many times its compressed size.
    ratio: u64,
}

const LIMITS: Limits = Limits {
    total: 20 * 1024 * 1024,
    entry: (MAX_FILE_BYTES * 4) as u64,
    ratio_min_bytes: 1024 * 1024,
    ratio: 100,
};

/// Reads a OneRoster 1.1 CSV zip. `bytes` starts with a zip signature.
pub(crate) fn parse_oneroster(bytes: &[u8]) -> Result<ParsedRoster, FileError> {
    parse_with_limits(bytes, &LIMITS)
}

fn parse_with_limits(bytes: &[u8], limits: &Limits) -> Result<ParsedRoster, FileError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| {
        FileError(
            "This file is a zip archive, but it is damaged or could not be opened. Download the OneRoster export again and upload the new zip, or upload a CSV file instead.".to_string(),
        )
    })?;
    if archive.len() > MAX_ENTRIES {
        return Err(FileError(format!(
            "This zip has {} files in it, more than a OneRoster export has (at most {MAX_ENTRIES} are accepted). Upload the OneRoster CSV zip from your school information system as it was exported.",
            archive.len()
        )));
    }

    let mut entries = Vec::with_capacity(archive.len());
    for index in 0..archive.len() {
        let file = archive
            .by_index_raw(index)
            .map_err(|e| zip_error(e, "the zip"))?;
        if file.is_dir() {
            continue;
        }
        if file.encrypted() {
            return Err(FileError(
                "This zip is protected with a password, so it cannot be read. Export it again without a password and upload the new zip.".to_string(),
            ));
        }
        entries.push((index, file.name().replace('\\', "/")));
    }

    let is_workbook = entries
        .iter()
        .any(|(_, name)| name == "[Content_Types].xml" || name.starts_with("xl/"));
    let users_index = match find_entry(&entries, USERS)? {
        Some(index) => index,
        None if is_workbook => return Err(FileError(parse::XLSX_MESSAGE.to_string())),
        None => {
            return Err(FileError(
                "This zip has no users.csv, so it is not a OneRoster 1.1 export. Upload the OneRoster CSV zip from your school information system, or a CSV file with the columns class, first_name, last_name, username, external_id, email.".to_string(),
            ))
        }
    };
    let find_required = |name: &str| {
        find_entry(&entries, name)?.ok_or_else(|| {
            FileError(format!(
                "This zip has no {name}, so it is not a complete OneRoster 1.1 export. Export the OneRoster CSV files again, including users, classes and enrollments, and upload the new zip."
            ))
        })
    };
    let classes_index = find_required(CLASSES)?;
    let enrollments_index = find_required(ENROLLMENTS)?;

    let mut total = 0u64;
    let mut users_encoding = "UTF-8";
    let mut read = |index: usize, name: &'static str| -> Result<String, FileError> {
        let bytes = read_entry(
            &mut archive,
            index,
            name,
            bytes.len() as u64,
            limits,
            &mut total,
        )?;
        parse::decode(&bytes)
            .map(|d| (d.text, d.encoding))
            .or_else(|e| match e {
                // An empty file is reported by the caller as a missing header.
                DecodeError::Empty => Ok((String::new(), "UTF-8")),
                other => Err(decode_error(other, name)),
            })
            .map(|(text, encoding)| {
                if name == USERS {
                    users_encoding = encoding;
                }
                text
            })
    };
    // Decoded one after another so only one file is held as bytes at a time.
    let users_text = read(users_index, USERS)?;
    let classes_text = read(classes_index, CLASSES)?;
    let enrollments_text = read(enrollments_index, ENROLLMENTS)?;

    let mut line_errors = Vec::new();

    // users.csv
    let users = read_source(
        &users_text,
        USERS,
        &["sourcedId", "role", "givenName", "familyName"],
        &["username", "email", "enabledUser", "status"],
        &mut line_errors,
    )?;
    drop(users_text);
    let mut known_users = HashSet::new();
    let mut students: Vec<Student> = Vec::new();
    let mut student_index: HashMap<String, usize> = HashMap::new();
    for mut record in users {
        let id = record.take(0);
        if id.is_empty() {
            line_errors.push((
                record.line,
                USERS,
                "This user has no sourcedId.".to_string(),
            ));
            continue;
        }
        known_users.insert(id.clone());
        let role = record.take(1);
        let enabled = !record.take(6).eq_ignore_ascii_case("false");
        let deleted = record.take(7).eq_ignore_ascii_case("tobedeleted");
        if !role.eq_ignore_ascii_case("student") || !enabled || deleted {
            continue;
        }
        if student_index.contains_key(&id) {
            line_errors.push((
                record.line,
                USERS,
                format!("The user \"{id}\" is listed more than once in users.csv."),
            ));
            continue;
        }
        student_index.insert(id.clone(), students.len());
        students.push(Student {
            line: record.line,
            first_name: record.take(2),
            last_name: record.take(3),
            username: record.take(4),
            email: record.take(5),
            id,
            enrolled: false,
        });
    }

    // classes.csv
    let classes_records = read_source(
        &classes_text,
        CLASSES,
        &["sourcedId", "title"],
        &["status"],
        &mut line_errors,
    )?;
    drop(classes_text);
    let mut classes: HashMap<String, String> = HashMap::new();
    for mut record in classes_records {
        let id = record.take(0);
        if record.take(2).eq_ignore_ascii_case("tobedeleted") {
            continue;
        }
        classes.entry(id).or_insert_with(|| record.take(1));
    }

    // enrollments.csv
    let enrollments = read_source(
        &enrollments_text,
        ENROLLMENTS,
        &["classSourcedId", "userSourcedId", "role"],
        &["status"],
        &mut line_errors,
    )?;
    drop(enrollments_text);
    let too_many = || {
        FileError(format!(
            "This OneRoster export has more than {} student enrollments, which is the most accepted in one upload. Export one school or year group at a time and upload each zip separately.",
            parse::thousands(MAX_ROWS)
        ))
    };
    let mut rows = Vec::new();
    let mut seen: HashSet<(String, String)> = HashSet::new();
    for mut record in enrollments {
        let (class_id, user_id) = (record.take(0), record.take(1));
        if !record.take(2).eq_ignore_ascii_case("student")
            || record.take(3).eq_ignore_ascii_case("tobedeleted")
        {
            continue;
        }
        let class = classes.get(&class_id);
        let known_user = known_users.contains(&user_id);
        let problem = match (class, known_user) {
            (Some(_), true) => None,
            (None, true) => Some(format!("The class \"{class_id}\" is not in classes.csv.")),
            (Some(_), false) => Some(format!("The user \"{user_id}\" is not in users.csv.")),
            (None, false) => Some(format!(
                "The class \"{class_id}\" is not in classes.csv, and the user \"{user_id}\" is not in users.csv."
            )),
        };
        if let Some(reason) = problem {
            line_errors.push((record.line, ENROLLMENTS, reason));
            continue;
        }
        // A teacher, a disabled or a deleted user: not a learner to import.
        let Some(&index) = student_index.get(&user_id) else {
            continue;
        };
        if !seen.insert((class_id, user_id)) {
            continue;
        }
        let student = &mut students[index];
        student.enrolled = true;
        if rows.len() == MAX_ROWS {
            return Err(too_many());
        }
        rows.push(student.row(record.line, ENROLLMENTS, class.cloned().unwrap_or_default()));
    }
    for student in students.iter().filter(|s| !s.enrolled) {
        if rows.len() == MAX_ROWS {
            return Err(too_many());
        }
        rows.push(student.row(student.line, USERS, String::new()));
    }

    if students.is_empty() {
        return Err(FileError(
            "This OneRoster export has no students: users.csv has no enabled users with the role \"student\". Check that the export includes students and upload it again.".to_string(),
        ));
    }

    line_errors.sort_by_key(|&(line, file, _)| (source_order(file), line));
    Ok(ParsedRoster {
        format: RosterFormat::OneRoster,
        encoding: users_encoding,
        rows,
        line_errors,
    })
}

struct Student {
    line: usize,
    id: String,
    first_name: String,
    last_name: String,
    username: String,
    email: String,
    enrolled: bool,
}

impl Student {
    fn row(&self, line: usize, file: &'static str, class: String) -> RosterRow {
        RosterRow {
            line,
            file,
            class,
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            username: self.username.clone(),
            external_id: self.id.clone(),
            email: self.email.clone(),
        }
    }
}

fn source_order(file: &str) -> u8 {
    match file {
        USERS => 0,
        CLASSES => 1,
        _ => 2,
    }
}

/// The index of `name` at the zip root, or else in exactly one top folder.
fn find_entry(entries: &[(usize, String)], name: &str) -> Result<Option<usize>, FileError> {
    let mut at_root = None;
    let mut in_folder: Vec<(usize, &str)> = Vec::new();
    for (index, path) in entries {
        let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        match parts.as_slice() {
            [file] if file.eq_ignore_ascii_case(name) => at_root = at_root.or(Some(*index)),
            [folder, file] if file.eq_ignore_ascii_case(name) && *folder != "__MACOSX" => {
                in_folder.push((*index, folder));
            }
            _ => {}
        }
    }
    match (at_root, in_folder.as_slice()) {
        (Some(index), _) => Ok(Some(index)),
        (None, []) => Ok(None),
        (None, [(index, _)]) => Ok(Some(*index)),
        (None, [(_, first), (_, second), ..]) => Err(FileError(format!(
            "This zip has more than one {name} (in the folders \"{first}\" and \"{second}\"). Upload a zip with a single OneRoster export."
        ))),
    }
}

/// Reads one entry, never more than the limits allow, whatever the zip declares.
fn read_entry(
    archive: &mut zip::ZipArchive<Cursor<&[u8]>>,
    index: usize,
    name: &str,
    zip_len: u64,
    limits: &Limits,
    total: &mut u64,
) -> Result<Vec<u8>, FileError> {
    let too_large = || {
        FileError(format!(
            "This zip expands to more than {} MB, which is more than a OneRoster export of one school needs, so it was not opened. Export one school at a time and upload each zip separately.",
            limits.total / (1024 * 1024)
        ))
    };
    let entry_too_large = || {
        FileError(format!(
            "The file {name} in this zip expands to more than {} MB, which is more than a OneRoster export of one school needs, so it was not opened. Export one school at a time and upload each zip separately.",
            limits.entry / (1024 * 1024)
        ))
    };
    let bomb = || {
        FileError(format!(
            "The file {name} in this zip expands far more than any real export would (over {} times its packed size), so it was not opened. Export the OneRoster files again and upload the new zip.",
            limits.ratio
        ))
    };

    let file = archive.by_index(index).map_err(|e| zip_error(e, name))?;
    // Declared sizes can lie, so they are only used to refuse early, never to allow.
    if file.size() > limits.entry {
        return Err(entry_too_large());
    }
    if total.saturating_add(file.size()) > limits.total {
        return Err(too_large());
    }
    // The packed data can't be larger than the zip itself.
    let packed = file.compressed_size().min(zip_len).max(1);

    let mut reader = file.take(limits.entry + 1);
    let mut out = Vec::new();
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        let n = match reader.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => return Err(damaged(name)),
        };
        out.extend_from_slice(&chunk[..n]);
        let size = out.len() as u64;
        *total += n as u64;
        if size > limits.entry {
            return Err(entry_too_large());
        }
        if *total > limits.total {
            return Err(too_large());
        }
        if size > limits.ratio_min_bytes && size > packed.saturating_mul(limits.ratio) {
            return Err(bomb());
        }
    }
    Ok(out)
}

fn damaged(name: &str) -> FileError {
    FileError(format!(
        "The file {name} in this zip is damaged and could not be read. Download the OneRoster export again and upload the new zip."
    ))
}

fn zip_error(error: zip::result::ZipError, name: &str) -> FileError {
    match error {
        zip::result::ZipError::UnsupportedArchive(reason)
            if reason == zip::result::ZipError::PASSWORD_REQUIRED =>
        {
            FileError(
                "This zip is protected with a password, so it cannot be read. Export it again without a password and upload the new zip.".to_string(),
            )
        }
        zip::result::ZipError::UnsupportedArchive(_)
        | zip::result::ZipError::CompressionMethodNotSupported(_) => FileError(format!(
            "The file {name} in this zip is packed in a way that can't be read here. Make the zip again with your computer's standard \"Compress\" option, or upload the CSV files' export as it came from your school information system."
        )),
        _ => damaged(name),
    }
}

fn decode_error(error: DecodeError, name: &str) -> FileError {
    FileError(match error {
        DecodeError::Empty => format!(
            "The file {name} in this zip is empty. Export the OneRoster files again and upload the new zip."
        ),
        DecodeError::NotText => format!(
            "The file {name} in this zip is not a CSV file. Export the OneRoster files again and upload the new zip."
        ),
        DecodeError::BadUtf8 { .. } | DecodeError::MixedUtf8 { .. } | DecodeError::BadUtf16 => format!(
            "The file {name} in this zip has damaged characters (it is not valid UTF-8 or UTF-16). Export the OneRoster files again and upload the new zip."
        ),
    })
}

/// Reads one CSV file of the export, keeping the `required` then `optional` columns (matched
/// without regard to case), in that order. Lines that can't be read go to `line_errors`.
fn read_source(
    text: &str,
    file: &'static str,
    required: &[&str],
    optional: &[&str],
    line_errors: &mut Vec<(usize, &'static str, String)>,
) -> Result<Vec<parse::Record>, FileError> {
    let map_header = |header: &[String]| -> Result<Vec<Option<usize>>, FileError> {
        let find = |column: &str| {
            header.iter().position(|h| {
                h.trim_start_matches('\u{feff}')
                    .trim()
                    .eq_ignore_ascii_case(column)
            })
        };
        let mut positions = Vec::with_capacity(required.len() + optional.len());
        for column in required {
            let Some(position) = find(column) else {
                return Err(FileError(format!(
                    "The file {file} in this zip has no \"{column}\" column, so it is not a OneRoster 1.1 export. Export the OneRoster CSV files again and upload the new zip."
                )));
            };
            positions.push(Some(position));
        }
        positions.extend(optional.iter().map(|column| find(column)));
        Ok(positions)
    };
    let delimiter = parse::detect_delimiter(text, |cells| map_header(cells).is_ok());
    let table = parse::read_table(text, delimiter, MAX_SOURCE_RECORDS, map_header, || {
        FileError(format!(
            "The file {file} in this zip has more than {} lines, which is more than one school's export needs. Export one school at a time and upload each zip separately.",
            parse::thousands(MAX_SOURCE_RECORDS)
        ))
    })?
    .ok_or_else(|| decode_error(DecodeError::Empty, file))?;
    line_errors.extend(
        table
            .errors
            .into_iter()
            .map(|(line, reason)| (line, file, reason)),
    );
    Ok(table.records)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use zip::write::SimpleFileOptions;
    use zip::{CompressionMethod, ZipWriter};

    fn deflated() -> SimpleFileOptions {
        SimpleFileOptions::default().compression_method(CompressionMethod::Deflated)
    }

    fn zip_of(files: &[(&str, &str)]) -> Vec<u8> {
        let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
        for (name, contents) in files {
            if name.ends_with('/') {
                writer.add_directory(*name, deflated()).unwrap();
            } else {
                writer.start_file(*name, deflated()).unwrap();
                writer.write_all(contents.as_bytes()).unwrap();
            }
        }
        writer.finish().unwrap().into_inner()
    }

    fn parse_ok(bytes: &[u8]) -> ParsedRoster {
        match parse::parse_roster(bytes) {
            Ok(parsed) => parsed,
            Err(FileError(message)) => panic!("unexpected file error: {message}"),
        }
    }

    fn parse_err(bytes: &[u8]) -> String {
        match parse::parse_roster(bytes) {
            Ok(parsed) => panic!("expected a file error, got {parsed:?}"),
            Err(FileError(message)) => message,
        }
    }

    const MANIFEST: &str =
        "propertyName,value\nmanifest.version,1.0\noneroster.version,1.1\nfile.users,bulk\n";
    // Line 1 header; extra columns as in real exports.
    const USERS_CSV: &str = "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password\n\
        u1,,,true,org1,student,aoife.os,,Aoife,Ó Súilleabháin,,,aoife@example.org,,,,07,\n\
        t1,,,true,org1,teacher,mr.lee,,Tom,Lee,,,tom@example.org,,,,,\n\
        u2,,,true,org1,Student,minh.n,,Minh,Nguyễn,,,,,,,07,\n\
        u3,,,false,org1,student,gone.away,,Gone,Away,,,,,,,07,\n\
        u4,,,true,org1,student,wei.w,,伟,王,,,wei@example.org,,,,08,\n";
    const CLASSES_CSV: &str = "sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,location,schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods\n\
        c1,,,7A Maths,07,co1,,scheduled,,org1,term1,,,\n\
        c2,,,7A English,07,co2,,scheduled,,org1,term1,,,\n";
    const ENROLLMENTS_CSV: &str = "sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary,beginDate,endDate\n\
        e1,,,c1,org1,u1,student,false,,\n\
        e2,,,c1,org1,t1,teacher,true,,\n\
        e3,,,c2,org1,u1,student,false,,\n\
        e4,,,c2,org1,u2,student,false,,\n\
        e5,,,c2,org1,u3,student,false,,\n";

    /// `[class, first, last, username, id, email]`
    fn oneroster_row(line: usize, file: &'static str, fields: [&str; 6]) -> RosterRow {
        let [class, first, last, user, id, email] = fields.map(String::from);
        RosterRow {
            line,
            file,
            class,
            first_name: first,
            last_name: last,
            username: user,
            external_id: id,
            email,
        }
    }

    #[test]
    fn happy_path() {
        let bytes = zip_of(&[
            ("manifest.csv", MANIFEST),
            ("users.csv", USERS_CSV),
            ("classes.csv", CLASSES_CSV),
            ("enrollments.csv", ENROLLMENTS_CSV),
            ("orgs.csv", "sourcedId,name\norg1,School\n"),
        ]);
        let parsed = parse_ok(&bytes);
        assert_eq!(parsed.format, RosterFormat::OneRoster);
        assert_eq!(parsed.encoding, "UTF-8");
        assert!(parsed.line_errors.is_empty(), "{:?}", parsed.line_errors);
        assert_eq!(
            parsed.rows,
            vec![
                oneroster_row(
                    2,
                    ENROLLMENTS,
                    [
                        "7A Maths",
                        "Aoife",
                        "Ó Súilleabháin",
                        "aoife.os",
                        "u1",
                        "aoife@example.org"
                    ]
                ),
                oneroster_row(
                    4,
                    ENROLLMENTS,
                    [
                        "7A English",
                        "Aoife",
                        "Ó Súilleabháin",
                        "aoife.os",
                        "u1",
                        "aoife@example.org"
                    ]
                ),
                oneroster_row(
                    5,
                    ENROLLMENTS,
                    ["7A English", "Minh", "Nguyễn", "minh.n", "u2", ""]
                ),
                oneroster_row(6, USERS, ["", "伟", "王", "wei.w", "u4", "wei@example.org"]),
            ]
        );
    }

    #[test]
    fn files_in_one_top_folder_and_crlf() {
        let crlf = |s: &str| s.replace('\n', "\r\n");
        let (users, classes, enrollments) =
            (crlf(USERS_CSV), crlf(CLASSES_CSV), crlf(ENROLLMENTS_CSV));
        let bytes = zip_of(&[
            ("export/", ""),
            ("export/users.csv", &users),
            ("export/Classes.CSV", &classes),
            ("export/enrollments.csv", &enrollments),
            ("__MACOSX/export/._users.csv", "\0\0binary"),
        ]);
        let parsed = parse_ok(&bytes);
        assert_eq!(parsed.rows.len(), 4);
        assert_eq!(parsed.rows[0].class, "7A Maths");
    }

    #[test]
    fn utf16_member_file() {
        let mut users = vec![0xFF, 0xFE];
        for unit in USERS_CSV.encode_utf16() {
            users.extend_from_slice(&unit.to_le_bytes());
        }
        let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
        writer.start_file("users.csv", deflated()).unwrap();
        writer.write_all(&users).unwrap();
        for (name, text) in [
            ("classes.csv", CLASSES_CSV),
            ("enrollments.csv", ENROLLMENTS_CSV),
        ] {
            writer.start_file(name, deflated()).unwrap();
            writer.write_all(text.as_bytes()).unwrap();
        }
        let parsed = parse_ok(&writer.finish().unwrap().into_inner());
        assert_eq!(parsed.encoding, "UTF-16");
        assert_eq!(parsed.rows[3].last_name, "王");
    }

    #[test]
    fn zip_without_users_csv() {
        let bytes = zip_of(&[
            ("classes.csv", CLASSES_CSV),
            ("enrollments.csv", ENROLLMENTS_CSV),
        ]);
        assert!(parse_err(&bytes)
            .starts_with("This zip has no users.csv, so it is not a OneRoster 1.1 export."));
    }

    #[test]
    fn zip_without_classes_csv() {
        let bytes = zip_of(&[
            ("users.csv", USERS_CSV),
            ("enrollments.csv", ENROLLMENTS_CSV),
        ]);
        assert!(parse_err(&bytes).starts_with("This zip has no classes.csv"));
    }

    #[test]
    fn xlsx_like_zip() {
        let bytes = zip_of(&[
            ("[Content_Types].xml", "<?xml version=\"1.0\"?><Types/>"),
            ("_rels/.rels", "<Relationships/>"),
            ("xl/workbook.xml", "<workbook/>"),
            ("xl/worksheets/sheet1.xml", "<worksheet/>"),
        ]);
        assert_eq!(parse_err(&bytes), parse::XLSX_MESSAGE);
    }

    #[test]
    fn missing_column() {
        let users = USERS_CSV.replacen("givenName", "firstName", 1);
        let bytes = zip_of(&[
            ("users.csv", &users),
            ("classes.csv", CLASSES_CSV),
            ("enrollments.csv", ENROLLMENTS_CSV),
        ]);
        let message = parse_err(&bytes);
        assert!(
            message.starts_with("The file users.csv in this zip has no \"givenName\" column"),
            "{message}"
        );
    }

    #[test]
    fn header_case_insensitive() {
        let users =
            USERS_CSV
                .replacen("sourcedId", "SOURCEDID", 1)
                .replacen("givenName", "givenname", 1);
        let bytes = zip_of(&[
            ("users.csv", &users),
            ("classes.csv", CLASSES_CSV),
            ("enrollments.csv", ENROLLMENTS_CSV),
        ]);
        assert_eq!(parse_ok(&bytes).rows.len(), 4);
    }

    #[test]
    fn enrollment_with_unknown_class_or_user() {
        let enrollments = format!("{ENROLLMENTS_CSV}e6,,,c9,org1,u2,student,false,,\ne7,,,c1,org1,u9,student,false,,\ne8,,,c1,org1,u2\n");
        let bytes = zip_of(&[
            ("users.csv", USERS_CSV),
            ("classes.csv", CLASSES_CSV),
            ("enrollments.csv", &enrollments),
        ]);
        let parsed = parse_ok(&bytes);
        assert_eq!(
            parsed.line_errors,
            vec![
                (
                    7,
                    ENROLLMENTS,
                    "The class \"c9\" is not in classes.csv.".to_string()
                ),
                (
                    8,
                    ENROLLMENTS,
                    "The user \"u9\" is not in users.csv.".to_string()
                ),
                (
                    9,
                    ENROLLMENTS,
                    "This line has 6 fields, but the header has 10. Fill in the missing fields, leaving the ones that may be empty empty (two separators in a row).".to_string()
                ),
            ]
        );
        assert_eq!(parsed.rows.len(), 4);
    }

    #[test]
    fn no_students() {
        let users = "sourcedId,role,givenName,familyName\nt1,teacher,Tom,Lee\n";
        let bytes = zip_of(&[
            ("users.csv", users),
            ("classes.csv", CLASSES_CSV),
            ("enrollments.csv", ENROLLMENTS_CSV),
        ]);
        assert!(parse_err(&bytes).starts_with("This OneRoster export has no students"));
    }

    /// 30 MB of zeros in users.csv packs to about 30 KB.
    fn bomb() -> Vec<u8> {
        let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
        writer
            .start_file("users.csv", deflated().compression_level(Some(9)))
            .unwrap();
        writer
            .write_all(b"sourcedId,role,givenName,familyName\n")
            .unwrap();
        let zeros = vec![0u8; 1024 * 1024];
        for _ in 0..30 {
            writer.write_all(&zeros).unwrap();
        }
        for (name, text) in [
            ("classes.csv", CLASSES_CSV),
            ("enrollments.csv", ENROLLMENTS_CSV),
        ] {
            writer.start_file(name, deflated()).unwrap();
            writer.write_all(text.as_bytes()).unwrap();
        }
        let bytes = writer.finish().unwrap().into_inner();
        assert!(bytes.len() < 100 * 1024, "{}", bytes.len());
        bytes
    }

    /// Rewrites the declared uncompressed size of `name` in its local and central headers.
    fn declare_size(bytes: &mut [u8], name: &str, size: u32) {
        let name = name.as_bytes();
        let u16_at = |b: &[u8], i: usize| u16::from_le_bytes([b[i], b[i + 1]]) as usize;
        for i in 0..bytes.len().saturating_sub(46) {
            let (size_at, name_len_at, name_at) = match &bytes[i..i + 4] {
                b"PK\x03\x04" => (22, 26, 30),
                b"PK\x01\x02" => (24, 28, 46),
                _ => continue,
            };
            let len = u16_at(bytes, i + name_len_at);
            if bytes.get(i + name_at..i + name_at + len) == Some(name) {
                bytes[i + size_at..i + size_at + 4].copy_from_slice(&size.to_le_bytes());
            }
        }
    }

    #[test]
    fn zip_bomb_refused_by_declared_size() {
        let message = parse_err(&bomb());
        assert!(
            message.starts_with("The file users.csv in this zip expands to more than 20 MB"),
            "{message}"
        );
    }

    #[test]
    fn zip_bomb_with_lying_sizes_refused_while_reading() {
        let mut bytes = bomb();
        declare_size(&mut bytes, "users.csv", 1000);
        let message = parse_err(&bytes);
        assert!(
            message.starts_with(
                "The file users.csv in this zip expands far more than any real export would"
            ),
            "{message}"
        );
    }

    #[test]
    fn too_many_entries() {
        let names: Vec<String> = (0..=MAX_ENTRIES).map(|i| format!("f{i}.txt")).collect();
        let files: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), "x")).collect();
        let message = parse_err(&zip_of(&files));
        assert!(
            message.starts_with("This zip has 101 files in it"),
            "{message}"
        );
    }

    #[test]
    fn encrypted_entry_refused() {
        let stored = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
        let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
        for (name, text) in [
            ("users.csv", USERS_CSV),
            ("classes.csv", CLASSES_CSV),
            ("enrollments.csv", ENROLLMENTS_CSV),
        ] {
            writer.start_file(name, stored).unwrap();
            writer.write_all(text.as_bytes()).unwrap();
        }
        let mut bytes = writer.finish().unwrap().into_inner();
        // Set bit 0 (encrypted) of the general purpose flags in every local and central header.
        let mut i = 0;
        while i + 4 <= bytes.len() {
            match &bytes[i..i + 4] {
                b"PK\x03\x04" => bytes[i + 6] |= 1,
                b"PK\x01\x02" => bytes[i + 8] |= 1,
                _ => {}
            }
            i += 1;
        }
        assert!(parse_err(&bytes).starts_with("This zip is protected with a password"));
    }

    #[test]
    fn damaged_zip() {
        let mut bytes = zip_of(&[("users.csv", USERS_CSV)]);
        bytes.truncate(bytes.len() - 30);
        assert!(parse_err(&bytes).starts_with("This file is a zip archive, but it is damaged"));
    }

    #[test]
    fn two_exports_in_one_zip() {
        let bytes = zip_of(&[("a/users.csv", USERS_CSV), ("b/users.csv", USERS_CSV)]);
        assert!(parse_err(&bytes).starts_with("This zip has more than one users.csv"));
    }
}
