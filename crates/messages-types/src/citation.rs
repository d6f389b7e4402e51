//! Citations attached to text blocks (request and response side).

use serde::{Deserialize, Serialize};

use crate::common::Extra;
use crate::macros::tagged_union;
use crate::nullable::Nullable;

tagged_union! {
    /// A citation pointing into a document, search result or web page.
    pub enum Citation {
        /// A character range in a plain-text document.
        CharLocation(CharLocation) = "char_location",
        /// A page range in a PDF document.
        PageLocation(PageLocation) = "page_location",
        /// A block range in a custom-content document.
        ContentBlockLocation(ContentBlockLocation) = "content_block_location",
        /// A web search result.
        WebSearchResultLocation(WebSearchResultLocation) = "web_search_result_location",
        /// A block range inside a `search_result` block.
        SearchResultLocation(SearchResultLocation) = "search_result_location",
    }
}

/// `char_location` citation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CharLocation {
    /// The quoted text.
    pub cited_text: String,
    /// Index of the cited document in the request.
    pub document_index: u32,
    /// Title of the cited document.
    #[serde(default, skip_serializing_if = "crate::nullable::is_absent")]
    pub document_title: Nullable<String>,
    /// First character (inclusive).
    pub start_char_index: u64,
    /// Last character (exclusive).
    pub end_char_index: u64,
    /// Fields not modelled by this crate (e.g. `file_id`).
    #[serde(flatten)]
    pub extra: Extra,
}

/// `page_location` citation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageLocation {
    /// The quoted text.
    pub cited_text: String,
    /// Index of the cited document in the request.
    pub document_index: u32,
    /// Title of the cited document.
    #[serde(default, skip_serializing_if = "crate::nullable::is_absent")]
    pub document_title: Nullable<String>,
    /// First page (1-based, inclusive).
    pub start_page_number: u64,
    /// Last page (exclusive).
    pub end_page_number: u64,
    /// Fields not modelled by this crate.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `content_block_location` citation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContentBlockLocation {
    /// The quoted text.
    pub cited_text: String,
    /// Index of the cited document in the request.
    pub document_index: u32,
    /// Title of the cited document.
    #[serde(default, skip_serializing_if = "crate::nullable::is_absent")]
    pub document_title: Nullable<String>,
    /// First block (inclusive).
    pub start_block_index: u64,
    /// Last block (exclusive).
    pub end_block_index: u64,
    /// Fields not modelled by this crate.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `web_search_result_location` citation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebSearchResultLocation {
    /// The quoted text.
    pub cited_text: String,
    /// Opaque index the API uses to find the result again.
    pub encrypted_index: String,
    /// Page title.
    #[serde(default, skip_serializing_if = "crate::nullable::is_absent")]
    pub title: Nullable<String>,
    /// Page URL.
    pub url: String,
    /// Fields not modelled by this crate.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `search_result_location` citation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchResultLocation {
    /// The quoted text.
    pub cited_text: String,
    /// Index of the search result among those in the request.
    pub search_result_index: u32,
    /// The search result's `source`.
    pub source: String,
    /// The search result's title.
    #[serde(default, skip_serializing_if = "crate::nullable::is_absent")]
    pub title: Nullable<String>,
    /// First block (inclusive).
    pub start_block_index: u64,
    /// Last block (exclusive).
    pub end_block_index: u64,
    /// Fields not modelled by this crate.
    #[serde(flatten)]
    pub extra: Extra,
}

impl Citation {
    /// The quoted text, for every known kind (and unknown kinds that carry `cited_text`).
    pub fn cited_text(&self) -> Option<&str> {
        match self {
            Self::CharLocation(c) => Some(&c.cited_text),
            Self::PageLocation(c) => Some(&c.cited_text),
            Self::ContentBlockLocation(c) => Some(&c.cited_text),
            Self::WebSearchResultLocation(c) => Some(&c.cited_text),
            Self::SearchResultLocation(c) => Some(&c.cited_text),
            Self::Unknown(v) => v.get("cited_text").and_then(serde_json::Value::as_str),
        }
    }

    /// The index of the cited document in the request, for document citations.
    pub fn document_index(&self) -> Option<u32> {
        match self {
            Self::CharLocation(c) => Some(c.document_index),
            Self::PageLocation(c) => Some(c.document_index),
            Self::ContentBlockLocation(c) => Some(c.document_index),
            _ => None,
        }
    }

    /// The cited URL, for web search citations.
    pub fn url(&self) -> Option<&str> {
        match self {
            Self::WebSearchResultLocation(c) => Some(&c.url),
            _ => None,
        }
    }
}
