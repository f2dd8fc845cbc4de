#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| trace_tests::fuzz::mqtt_frames(data));
