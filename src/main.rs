fn main() -> std::process::ExitCode {
    zenduty_migrate::cli::main()
}
