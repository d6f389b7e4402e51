//! The AWS shared config and credentials files (`~/.aws/config`,
//! `~/.aws/credentials`): INI-like sections of `key = value` lines.
//!
//! Hand-written (40 lines): the only maintained parser, `aws-config`'s, comes
//! with the whole AWS SDK runtime (hyper, rustls), which the seam must not pull.

use std::collections::HashMap;

/// One profile's settings, keys lower-cased.
pub(crate) type Profile = HashMap<String, String>;

/// The profiles of a file. In the config file (`config = true`) a section is
/// `[profile name]` (or `[default]`); in the credentials file it is `[name]`.
/// Comments (`#`, `;`) and indented sub-settings (e.g. `s3 =` blocks) are skipped.
pub(crate) fn parse_profiles(text: &str, config: bool) -> HashMap<String, Profile> {
    let mut profiles: HashMap<String, Profile> = HashMap::new();
    let mut current: Option<String> = None;
    for raw in text.lines() {
        if raw.starts_with([' ', '\t']) {
            continue;
        }
        let line = raw.trim();
        if line.is_empty() || line.starts_with(['#', ';']) {
            continue;
        }
        if let Some(section) = line
            .strip_prefix('[')
            .and_then(|l| l.split_once(']'))
            .map(|(s, _)| s.trim())
        {
            current = section_name(section, config);
            if let Some(name) = &current {
                profiles.entry(name.clone()).or_default();
            }
            continue;
        }
        let (Some(name), Some((key, value))) = (&current, line.split_once('=')) else {
            continue;
        };
        let value = value.split(" #").next().unwrap_or("").trim();
        if let Some(p) = profiles.get_mut(name) {
            p.insert(key.trim().to_ascii_lowercase(), value.to_owned());
        }
    }
    profiles
}

fn section_name(section: &str, config: bool) -> Option<String> {
    if !config || section == "default" {
        return Some(section.to_owned());
    }
    // `[profile x]` (other section kinds such as `[sso-session x]` are not profiles).
    let rest = section.strip_prefix("profile")?;
    rest.starts_with([' ', '\t']).then(|| rest.trim().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_and_credentials_sections() {
        let config = "[default]\nregion = us-east-1\n\n[profile dev]\nregion=eu-west-1 # comment\ns3 =\n  max_concurrent_requests = 5\n[sso-session x]\nsso_region = us-east-1\n";
        let p = parse_profiles(config, true);
        assert_eq!(p["default"]["region"], "us-east-1");
        assert_eq!(p["dev"]["region"], "eu-west-1");
        assert!(!p["dev"].contains_key("max_concurrent_requests"));
        assert!(!p.contains_key("x") && !p.contains_key("sso-session x"));
        let creds = "; comment\n[dev]\nAWS_ACCESS_KEY_ID = AKIDEV\naws_secret_access_key=secret\n";
        let p = parse_profiles(creds, false);
        assert_eq!(p["dev"]["aws_access_key_id"], "AKIDEV");
        assert_eq!(p["dev"]["aws_secret_access_key"], "secret");
    }
}
