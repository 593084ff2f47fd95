#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| jiediqi::fuzzing::pdf(data));
