//! `trace-tests`: end-to-end tests that run the real binaries as separate processes
//! (emulated readers → firmware/gateway → a real MQTT broker → server → HTTP) and assert
//! what a user would see. Its suites arrive with the parts they exercise (issue 8); the
//! workspace-level data tests live with each crate today. `tests/qemu_firmware.rs`
//! boots the QEMU board's firmware image against the reader emulators
//! (`hardware/README.md`).

pub mod fuzz;
