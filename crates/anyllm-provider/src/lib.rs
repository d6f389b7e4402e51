//! The provider seam: the trait every provider crate implements, its configuration and errors.
