//! CLI tests as data: each `tests/cmd/*.toml` case runs the binary in a sandbox copy of its `.in/`
//! tree and compares exit code, output and (where a `.out/` tree exists) the files written.

#[test]
fn cli_cases() {
    trycmd::TestCases::new()
        .env("NO_COLOR", "1")
        .case("tests/cmd/*.toml");
}
