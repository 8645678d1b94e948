#!/bin/sh
# Regenerates the rust/*.log fixtures with cargo/rustc 1.95.0 (crates without dependencies,
# --offline, CARGO_TERM_COLOR=never).
. "$(dirname "$0")/../common.sh"

crate() { # crate DIR NAME
  mkdir -p "$1/src"
  cat > "$1/Cargo.toml" <<EOF
[package]
name = "$2"
version = "0.1.0"
edition = "2021"

[dependencies]
EOF
}

# --- build-error: a workspace; crates/util builds with an unused-variable warning, then crates/app
# fails with E0308 mismatched types (rustc skips the lint pass of a crate that has type errors, so
# the warning lives in the crate that compiles).
d=$tmp/build-error; mkdir -p "$d"
cat > "$d/Cargo.toml" <<'EOF'
[workspace]
members = ["crates/util", "crates/app"]
resolver = "2"
EOF
crate "$d/crates/util" util
cat > "$d/crates/util/src/lib.rs" <<'EOF'
pub fn default_port() -> u16 {
    let fallback = 8080;
    80
}
EOF
crate "$d/crates/app" app
echo 'util = { path = "../util" }' >> "$d/crates/app/Cargo.toml"
cat > "$d/crates/app/src/main.rs" <<'EOF'
fn parse_port(text: &str) -> u16 {
    match text.parse::<u16>() {
        Ok(port) => port,
        Err(_) => "8080",
    }
}

fn main() {
    let port: u16 = parse_port("80") + util::default_port();
    println!("listening on {}", port);
}
EOF
capture build-error "$d" /home/runner/work/demo/demo/ cargo build --offline

# --- borrow-error: E0502 (mutable borrow while borrowed) and E0425 in a library crate ---------
d=$tmp/borrow-error; crate "$d" queue
cat > "$d/src/lib.rs" <<'EOF'
pub fn drain_first(items: &mut Vec<String>) -> Option<String> {
    let first = items.first();
    items.clear();
    first.cloned()
}

pub fn total_len(items: &[String]) -> usize {
    items.iter().map(|s| s.len()).sum::<usize>() + seperator_len
}
EOF
capture borrow-error "$d" - cargo build --offline --quiet

# --- test-failure: cargo test with one panicking assert_eq! and one passing test --------------
d=$tmp/test-failure; crate "$d" slug
cat > "$d/src/lib.rs" <<'EOF'
pub fn slugify(text: &str) -> String {
    text.to_lowercase().replace(' ', "-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lowercases() {
        assert_eq!(slugify("Hello"), "hello");
    }

    #[test]
    fn collapses_whitespace() {
        assert_eq!(slugify("Hello   World"), "hello-world");
    }
}
EOF
capture test-failure "$d" /builds/group/demo/ env RUST_BACKTRACE=1 cargo test --offline

# --- clean: build and test, all passing, including a test named test_error_handling ------------
d=$tmp/clean; crate "$d" errors
cat > "$d/src/lib.rs" <<'EOF'
#[derive(Debug, PartialEq)]
pub enum AppError {
    NotFound(String),
}

pub fn find(name: &str) -> Result<usize, AppError> {
    if name.is_empty() { Err(AppError::NotFound(name.to_string())) } else { Ok(name.len()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_error_handling() {
        assert_eq!(find(""), Err(AppError::NotFound(String::new())));
    }

    #[test]
    fn finds_names() {
        assert_eq!(find("abc"), Ok(3));
    }
}
EOF
capture clean "$d" /var/lib/jenkins/workspace/demo/ sh -c 'cargo build --offline && cargo test --offline'
