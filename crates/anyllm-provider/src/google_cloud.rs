//! Vertex AI endpoint templating shared by the providers hosted there
//! (`vertexai` for Gemini, `vertexaianthropic` for Claude).

use crate::Error;

/// `base` with its `{project}` and `{location}` placeholders filled in; the
/// `global` location drops the `{location}-` host prefix
/// (`aiplatform.googleapis.com`). A base without placeholders (an explicit
/// `api_base`) is returned as is. A missing project is
/// [`Error::InvalidConfig`] with `missing_project` as its message; a project
/// or location holding anything but letters, digits, `-` and `_` is refused
/// (they become part of the URL).
///
/// ```
/// use anyllm_provider::google_cloud::fill_vertex_base_url;
/// let template = "https://{location}-aiplatform.googleapis.com/v1/projects/{project}/locations/{location}";
/// assert_eq!(
///     fill_vertex_base_url(template, Some("p"), "global", "needs a project").unwrap(),
///     "https://aiplatform.googleapis.com/v1/projects/p/locations/global"
/// );
/// assert!(fill_vertex_base_url(template, None, "us-east5", "needs a project").is_err());
/// assert!(fill_vertex_base_url(template, Some("p/../x"), "us-east5", "needs a project").is_err());
/// ```
pub fn fill_vertex_base_url(
    base: &str,
    project: Option<&str>,
    location: &str,
    missing_project: &str,
) -> Result<String, Error> {
    let base = base.trim_end_matches('/');
    if !base.contains("{project}") && !base.contains("{location}") {
        return Ok(base.to_owned());
    }
    let Some(project) = project.filter(|p| !p.is_empty()) else {
        return Err(Error::InvalidConfig(missing_project.to_owned()));
    };
    let safe = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    };
    if !safe(project) || !safe(location) {
        return Err(Error::InvalidConfig(
            "Vertex AI project and location may only hold letters, digits, `-` and `_`".to_owned(),
        ));
    }
    let base = if location == "global" {
        base.replace("{location}-", "")
    } else {
        base.to_owned()
    };
    Ok(base.replace("{project}", project).replace("{location}", location))
}
