//! The gateway's ed25519 key file: 32 secret bytes, mode 0600, never overwritten.
//!
//! The key is written with `create_new` and mode 0600 from the first byte, so it is
//! never readable by others and an existing key (and the identity enrolled with it) is
//! never replaced by accident. Only [`rotate`] replaces a key, on purpose: it writes the
//! new key beside the old one the same way, then renames it over the old, so the file
//! always holds one whole key. Errors name the file, never the key.

use std::fs::OpenOptions;
use std::io::{Read, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use trace_proto::signed::SigningKey;

/// Why a key file cannot be written or read.
#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    /// The file exists: keygen refuses to overwrite a key.
    #[error("{0} already exists: refusing to overwrite a gateway key")]
    Exists(PathBuf),
    /// Reading or writing failed.
    #[error("key file {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// The file is not 32 bytes.
    #[error("key file {path} holds {length} bytes, an ed25519 key is 32")]
    Length {
        /// The file.
        path: PathBuf,
        /// Its length.
        length: usize,
    },
    /// Others may read the file.
    #[error("key file {path} has mode {mode:o}: group and others must have no access (chmod 600)")]
    Permissions {
        /// The file.
        path: PathBuf,
        /// Its mode bits.
        mode: u32,
    },
    /// The system random generator failed.
    #[error("no system randomness: {0}")]
    Random(getrandom::Error),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> KeyFileError + '_ {
    move |source| KeyFileError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Replaces the key at `path` (which must load: mode 0600, 32 bytes) with a new one;
/// returns the new key. The new key goes to `path` + `.new` first (refused if that
/// exists: an interrupted rotation to look at) and is renamed over the old.
pub fn rotate(path: &Path) -> Result<SigningKey, KeyFileError> {
    load(path)?;
    let mut staged = path.as_os_str().to_owned();
    staged.push(".new");
    let staged = PathBuf::from(staged);
    let key = generate(&staged)?;
    std::fs::rename(&staged, path).map_err(io(path))?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(io(dir))?;
    }
    Ok(key)
}

/// Generates a key and writes it to `path` (mode 0600); returns it.
pub fn generate(path: &Path) -> Result<SigningKey, KeyFileError> {
    let mut secret = [0u8; 32];
    getrandom::getrandom(&mut secret).map_err(KeyFileError::Random)?;
    let key = SigningKey::from_bytes(&secret);
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                KeyFileError::Exists(path.to_path_buf())
            } else {
                io(path)(e)
            }
        })?;
    file.write_all(&secret).map_err(io(path))?;
    file.sync_all().map_err(io(path))?;
    Ok(key)
}

/// Reads the key at `path`, refusing a file others can read.
pub fn load(path: &Path) -> Result<SigningKey, KeyFileError> {
    let mut file = std::fs::File::open(path).map_err(io(path))?;
    let mode = file.metadata().map_err(io(path))?.permissions().mode();
    if mode & 0o077 != 0 {
        return Err(KeyFileError::Permissions {
            path: path.to_path_buf(),
            mode: mode & 0o777,
        });
    }
    let mut bytes = Vec::with_capacity(33);
    Read::take(&mut file, 33)
        .read_to_end(&mut bytes)
        .map_err(io(path))?;
    let secret: [u8; 32] = bytes
        .as_slice()
        .try_into()
        .map_err(|_| KeyFileError::Length {
            path: path.to_path_buf(),
            length: bytes.len(),
        })?;
    Ok(SigningKey::from_bytes(&secret))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generate_writes_0600_refuses_overwrite_and_loads_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gw.key");
        let key = generate(&path).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert!(matches!(generate(&path), Err(KeyFileError::Exists(_))));
        assert_eq!(load(&path).unwrap().to_bytes(), key.to_bytes());
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert!(matches!(load(&path), Err(KeyFileError::Permissions { .. })));
    }

    #[test]
    fn rotate_replaces_the_key_with_a_new_0600_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gw.key");
        let old = generate(&path).unwrap();
        let new = rotate(&path).unwrap();
        assert_ne!(new.to_bytes(), old.to_bytes());
        assert_eq!(load(&path).unwrap().to_bytes(), new.to_bytes());
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert!(!dir.path().join("gw.key.new").exists());
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        assert!(matches!(
            rotate(&path),
            Err(KeyFileError::Permissions { .. })
        ));
        assert_eq!(
            load_unchecked(&path),
            new.to_bytes(),
            "a refused rotation changes nothing"
        );
    }

    fn load_unchecked(path: &Path) -> [u8; 32] {
        std::fs::read(path).unwrap().try_into().unwrap()
    }
}
