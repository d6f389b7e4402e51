//! An unparsable proxy variable (alone in its own test binary, since it
//! changes the process environment).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use messages_http::HyperTransport;

#[test]
fn an_unparsable_proxy_variable_is_a_typed_error_naming_it() {
    for var in [
        "ALL_PROXY",
        "all_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "http_proxy",
    ] {
        std::env::remove_var(var);
    }
    std::env::set_var("HTTP_PROXY", "http://u:s3cr3t@[bad");
    let built = HyperTransport::new();
    std::env::remove_var("HTTP_PROXY");
    let Err(e) = built else {
        panic!("an unparsable HTTP_PROXY was ignored");
    };
    assert!(
        matches!(&e, messages_http::Error::InvalidProxy { variable, .. } if variable == "HTTP_PROXY"),
        "{e:?}"
    );
    let shown = format!("{e} {e:?}");
    assert!(shown.contains("HTTP_PROXY"), "{shown}");
    assert!(!shown.contains("s3cr3t"), "{shown}");
}
