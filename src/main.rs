#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    jiediqi::cli::main()
}
