//! `cargo xtask deps`: the dependency promises, checked with `cargo tree`.
//!
//! * The types crate, one conversion family, the provider seam and a
//!   one-family `anyllm` without the default transport compile no hyper,
//!   hyper-util, hyper-rustls, rustls, ring or clap.
//! * The seam (and the pure crates) ask for no tokio runtime (`rt`,
//!   `rt-multi-thread`, `net`).
//! * Optional machinery stays optional: a one-family `anyllm` carries no
//!   `tracing` (feature `tracing`) and the gateway library without
//!   `token-estimate` carries no tokenizer (`tiktoken-rs`); a control build
//!   with the feature shows the crate, so the matcher is not blind.
//! * `examples/custom-transport` (anyllm with `default-features = false,
//!   features = ["openai"]` and a custom `Transport`) builds with that tree
//!   and answers through the client.

use std::path::Path;
use std::process::Command;

/// The crates a transport-free build must not pull in.
const TRANSPORT_CRATES: &[&str] = &["hyper", "hyper-util", "hyper-rustls", "rustls", "ring", "clap"];

/// The tokio features that make a runtime (a library that only needs timers asks for `time`).
const RUNTIME_FEATURES: &[&str] = &["rt", "rt-multi-thread", "net"];

/// The crates only an opt-in feature may bring (client spans, the gateway's tokenizer).
const OPTIONAL_CRATES: &[&str] = &["tracing", "tracing-core", "opentelemetry", "tiktoken-rs"];

/// One `cargo tree` check.
struct Check {
    /// What is checked, for the report.
    label: &'static str,
    /// The package and feature arguments of `cargo tree`.
    args: &'static [&'static str],
    /// Whether tokio runtime features are refused too.
    no_runtime: bool,
    /// The crates refused besides the transport ones ([`TRANSPORT_CRATES`],
    /// refused unless `transport_allowed`).
    also_refused: &'static [&'static str],
    /// The check is about optional crates only (the build has a transport).
    transport_allowed: bool,
}

const CHECKS: &[Check] = &[
    Check {
        label: "messages-types",
        args: &["-p", "messages-types"],
        no_runtime: true,
        also_refused: &[],
        transport_allowed: false,
    },
    Check {
        label: "messages-convert (openai-chat only)",
        args: &[
            "-p",
            "messages-convert",
            "--no-default-features",
            "--features",
            "openai-chat",
        ],
        no_runtime: true,
        also_refused: &[],
        transport_allowed: false,
    },
    Check {
        label: "anyllm-provider (the seam)",
        args: &["-p", "anyllm-provider"],
        no_runtime: true,
        also_refused: &[],
        transport_allowed: false,
    },
    Check {
        label: "anyllm (openai only, no default transport)",
        args: &["-p", "anyllm", "--no-default-features", "--features", "openai"],
        no_runtime: false,
        also_refused: OPTIONAL_CRATES,
        transport_allowed: false,
    },
    Check {
        label: "anyllm-cohere",
        args: &["-p", "anyllm-cohere"],
        no_runtime: false,
        also_refused: &[],
        transport_allowed: false,
    },
    Check {
        label: "anyllm-ollama",
        args: &["-p", "anyllm-ollama"],
        no_runtime: false,
        also_refused: &[],
        transport_allowed: false,
    },
    Check {
        label: "anyllm-bedrock (SigV4 through aws-sigv4)",
        args: &["-p", "anyllm-bedrock"],
        no_runtime: true,
        also_refused: &[],
        transport_allowed: false,
    },
    Check {
        label: "anyllm (bedrock only, no default transport)",
        args: &["-p", "anyllm", "--no-default-features", "--features", "bedrock"],
        no_runtime: false,
        also_refused: &[],
        transport_allowed: false,
    },
    Check {
        label: "anyllm-server (default features: no tokenizer, no OpenTelemetry)",
        args: &["-p", "anyllm-server"],
        no_runtime: false,
        also_refused: &["tiktoken-rs", "opentelemetry"],
        transport_allowed: true,
    },
    Check {
        label: "examples/custom-transport",
        args: &["-p", "custom-transport-example"],
        no_runtime: false,
        also_refused: &[],
        transport_allowed: false,
    },
];

/// Runs `cargo xtask deps`.
pub fn run(args: &[String]) -> Result<(), String> {
    if let Some(a) = args.first() {
        return Err(format!("deps takes no arguments (got `{a}`)"));
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut failures = Vec::new();
    for check in CHECKS {
        let tree = cargo_tree(&root, check.args)?;
        let crates = crate_count(&tree);
        let refused: Vec<&str> = if check.transport_allowed {
            &[][..]
        } else {
            TRANSPORT_CRATES
        }
        .iter()
        .chain(check.also_refused)
        .copied()
        .collect();
        let found = violations(
            &tree,
            &refused,
            if check.no_runtime { RUNTIME_FEATURES } else { &[] },
        );
        if found.is_empty() {
            println!("deps ok: {} ({crates} crates)", check.label);
        } else {
            println!("deps FAIL: {}: {}", check.label, found.join(", "));
            failures.push(format!("{}: {}", check.label, found.join(", ")));
        }
    }
    // Control: the default build does carry the transport, so a blind matcher cannot pass.
    let control = cargo_tree(&root, &["-p", "anyllm"])?;
    let seen = violations(&control, &["hyper", "rustls"], &[]);
    let has = |name: &str| seen.iter().any(|v| v.starts_with(&format!("{name} ")));
    if !(has("hyper") && has("rustls")) {
        failures.push(
            "control: `cargo tree -p anyllm` (default features) shows no hyper/rustls; the check is blind"
                .into(),
        );
    }
    // Controls for the optional crates: with the feature on, the crate is there.
    for (args, name) in [
        (
            &[
                "-p",
                "anyllm",
                "--no-default-features",
                "--features",
                "openai,tracing",
            ][..],
            "tracing",
        ),
        (
            &["-p", "anyllm-server", "--features", "token-estimate"][..],
            "tiktoken-rs",
        ),
    ] {
        let tree = cargo_tree(&root, args)?;
        if violations(&tree, &[name], &[]).is_empty() {
            failures.push(format!(
                "control: `cargo tree {}` shows no {name}; the check is blind",
                args.join(" ")
            ));
        }
    }
    // The custom-transport build compiles and answers through the client.
    let status = Command::new(cargo())
        .current_dir(&root)
        .args(["run", "--quiet", "-p", "custom-transport-example"])
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        failures.push(format!("examples/custom-transport failed ({status})"));
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "dependency promises broken (see `cargo tree -e normal,features -i <crate>`):\n  {}",
            failures.join("\n  ")
        ))
    }
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned())
}

/// `cargo tree -e normal,features --prefix none <args>`: one line per crate and per enabled feature.
fn cargo_tree(root: &Path, args: &[&str]) -> Result<String, String> {
    let out = Command::new(cargo())
        .current_dir(root)
        .args(["tree", "-e", "normal,features", "--prefix", "none"])
        .args(args)
        .output()
        .map_err(|e| format!("cannot run cargo tree: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "cargo tree {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    String::from_utf8(out.stdout).map_err(|e| format!("cargo tree output is not UTF-8: {e}"))
}

/// The distinct crates (`name vX.Y.Z`) in a `cargo tree --prefix none` output.
fn crate_count(tree: &str) -> usize {
    let mut names: Vec<&str> = tree
        .lines()
        .filter_map(|l| {
            let mut words = l.split_whitespace();
            let name = words.next()?;
            words.next().filter(|v| v.starts_with('v')).map(|_| name)
        })
        .collect();
    names.sort_unstable();
    names.dedup();
    names.len()
}

/// What a `cargo tree -e normal,features --prefix none` output holds that it
/// must not: any crate of `crates` (by exact name), and any tokio feature of
/// `tokio_features`. Sorted, without repeats.
fn violations(tree: &str, crates: &[&str], tokio_features: &[&str]) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for line in tree.lines() {
        let mut words = line.split_whitespace();
        let (Some(name), Some(second)) = (words.next(), words.next()) else {
            continue;
        };
        if second.starts_with('v') && crates.contains(&name) {
            found.push(format!("{name} {second}"));
        } else if second == "feature" && name == "tokio" {
            let feature = words.next().unwrap_or_default().trim_matches('"');
            if tokio_features.contains(&feature) {
                found.push(format!("tokio feature `{feature}`"));
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    /// The shape of `cargo tree -e normal,features --prefix none` output.
    const CLEAN: &str = r#"anyllm-provider v0.1.0 (/work/crates/anyllm-provider)
bytes feature "default"
bytes v1.11.0
hyperlocal-free-name v0.1.0
messages-http v0.1.0 (/work/crates/messages-http)
tokio feature "time"
tokio v1.54.1
"#;

    #[test]
    fn a_clean_tree_passes() {
        assert!(violations(CLEAN, TRANSPORT_CRATES, RUNTIME_FEATURES).is_empty());
        assert_eq!(crate_count(CLEAN), 5);
    }

    #[test]
    fn hyper_rustls_ring_and_clap_are_caught() {
        let tree = format!(
            "{CLEAN}hyper v1.12.0\nhyper feature \"client\"\nhyper-util v0.1.19\nrustls v0.23.35\nring v0.17.14\nclap v4.5.53 (*)\nhyper v1.12.0 (*)\n"
        );
        assert_eq!(
            violations(&tree, TRANSPORT_CRATES, &[]),
            [
                "clap v4.5.53",
                "hyper v1.12.0",
                "hyper-util v0.1.19",
                "ring v0.17.14",
                "rustls v0.23.35"
            ]
        );
    }

    #[test]
    fn tokio_runtime_features_are_caught_only_when_refused() {
        let tree = format!("{CLEAN}tokio feature \"rt\"\ntokio feature \"net\"\ntokio feature \"macros\"\n");
        assert_eq!(
            violations(&tree, TRANSPORT_CRATES, RUNTIME_FEATURES),
            ["tokio feature `net`", "tokio feature `rt`"]
        );
        assert!(violations(&tree, TRANSPORT_CRATES, &[]).is_empty());
    }
}
