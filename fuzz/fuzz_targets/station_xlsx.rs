#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| jiediqi::fuzzing::station_xlsx(data));
