//! A small filesystem to fill: a size-limited tmpfs mounted on a folder (root only, as
//! CI runs), unmounted when dropped, and a ballast file that takes every free byte.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::error::{E2eError, Result};

/// A mounted tmpfs.
#[derive(Debug)]
pub struct SmallDisk {
    dir: PathBuf,
}

impl SmallDisk {
    /// Mounts a tmpfs of `bytes` on `dir` (created). `Ok(Err(reason))` when this
    /// machine cannot (not root, no mount permission): the caller skips and says why.
    pub fn mount(dir: &Path, bytes: u64) -> Result<std::result::Result<Self, String>> {
        let uid = Command::new("id")
            .arg("-u")
            .output()
            .map_err(E2eError::io("running id -u"))?;
        let uid = String::from_utf8_lossy(&uid.stdout).trim().to_owned();
        if uid != "0" {
            return Ok(Err(format!(
                "mounting a small tmpfs needs root, this runs as uid {uid}"
            )));
        }
        std::fs::create_dir_all(dir)
            .map_err(E2eError::io(format!("creating {}", dir.display())))?;
        let output = Command::new("mount")
            .args(["-t", "tmpfs", "-o"])
            .arg(format!("size={bytes}"))
            .arg("tmpfs")
            .arg(dir)
            .output()
            .map_err(E2eError::io("running mount"))?;
        if !output.status.success() {
            return Ok(Err(format!(
                "mount -t tmpfs failed ({}): {}",
                output.status,
                String::from_utf8_lossy(&output.stderr).trim()
            )));
        }
        Ok(Ok(Self {
            dir: dir.to_owned(),
        }))
    }

    /// The mount point.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Writes a ballast file until the filesystem is full; returns its size.
    pub fn fill(&self) -> Result<u64> {
        let path = self.ballast();
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(E2eError::io(format!("opening {}", path.display())))?;
        let chunk = vec![0xA5u8; 4096];
        let mut written = 0u64;
        // A full disk ends the loop: that is the point.
        while file.write_all(&chunk).is_ok() {
            written += chunk.len() as u64;
        }
        let _ = file.sync_all();
        Ok(written)
    }

    /// Deletes the ballast: the space is free again.
    pub fn free(&self) -> Result<()> {
        let path = self.ballast();
        std::fs::remove_file(&path).map_err(E2eError::io(format!("removing {}", path.display())))
    }

    fn ballast(&self) -> PathBuf {
        self.dir.join("ballast")
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        // Lazy: a process killed a moment ago may still hold a file open.
        let _ = Command::new("umount").arg("-l").arg(&self.dir).status();
    }
}
