//! Folders and files that hold secrets (the data folder, the database,
//! `secret.key`, queued email and SMS) are the server account's alone:
//! folders 0700, files 0600.

use std::io;
use std::path::Path;

/// Permission bits that let anyone but the owner in.
pub const OTHERS_BITS: u32 = 0o077;

/// Creates `folder` (and its parents) and makes it owner-only.
pub fn create_private_dir(folder: &Path) -> io::Result<()> {
    std::fs::create_dir_all(folder)?;
    set_mode(folder, 0o700)
}

/// Makes an existing file owner-only.
pub fn make_private(file: &Path) -> io::Result<()> {
    set_mode(file, 0o600)
}

/// Whether a file or folder lets other users in (always false off Unix).
pub fn open_to_others(path: &Path) -> io::Result<bool> {
    Ok(mode(path)? & OTHERS_BITS != 0)
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_path: &Path, _mode: u32) -> io::Result<()> {
    Ok(())
}

#[cfg(unix)]
pub fn mode(path: &Path) -> io::Result<u32> {
    use std::os::unix::fs::PermissionsExt;
    Ok(std::fs::metadata(path)?.permissions().mode() & 0o777)
}

#[cfg(not(unix))]
pub fn mode(_path: &Path) -> io::Result<u32> {
    Ok(0o600)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn private_folders_and_files_shut_out_other_users() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("a/b");
        create_private_dir(&folder).unwrap();
        assert_eq!(mode(&folder).unwrap(), 0o700);
        let file = folder.join("x");
        std::fs::write(&file, "secret").unwrap();
        make_private(&file).unwrap();
        assert_eq!(mode(&file).unwrap(), 0o600);
        assert!(!open_to_others(&file).unwrap());
        set_mode(&file, 0o644).unwrap();
        assert!(open_to_others(&file).unwrap());
    }
}
