//! Images, documents and file references → Gemini `inlineData`, `fileData` and text parts.

use messages_types::{ContentBlock, DocumentBlock, DocumentSource, ImageSource, MessageContent};

use super::wire::{Blob, FileData, Part};
use super::PROVIDER;
use crate::ConvertError;

/// The MIME type suggested by a URL's extension.
fn mime_from_url(url: &str) -> Option<String> {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    let ext = path.rsplit_once('.')?.1.to_ascii_lowercase();
    let mime = match ext.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "heic" => "image/heic",
        "pdf" => "application/pdf",
        "txt" => "text/plain",
        "mp3" => "audio/mpeg",
        "wav" => "audio/wav",
        "mp4" => "video/mp4",
        _ => return None,
    };
    Some(mime.to_owned())
}

fn file_uri_part(uri: &str, mime: Option<String>, path: &dyn Fn() -> String) -> Result<Part, ConvertError> {
    if !(uri.starts_with("https://") || uri.starts_with("gs://") || uri.starts_with("http://")) {
        return Err(ConvertError::unsupported_because(
            PROVIDER,
            format!("{}.source.file_id", path()),
            "only Gemini file URIs (https:// or gs://) can be sent, not Anthropic Files API ids",
        ));
    }
    Ok(Part {
        file_data: Some(FileData {
            mime_type: mime.or_else(|| mime_from_url(uri)),
            file_uri: uri.to_owned(),
        }),
        ..Part::default()
    })
}

pub(super) fn image_part(source: &ImageSource, path: &dyn Fn() -> String) -> Result<Part, ConvertError> {
    match source {
        ImageSource::Base64(b) => Ok(Part {
            inline_data: Some(Blob {
                mime_type: b.media_type.clone(),
                data: b.data.clone(),
            }),
            ..Part::default()
        }),
        ImageSource::Url(u) => file_uri_part(&u.url, None, path),
        ImageSource::File(f) => file_uri_part(&f.file_id, None, path),
        other => Err(ConvertError::unsupported_because(
            PROVIDER,
            format!("{}.source", path()),
            format!("image source `{}`", other.type_name()),
        )),
    }
}

pub(super) fn document_parts(
    doc: &DocumentBlock,
    path: &dyn Fn() -> String,
    out: &mut Vec<Part>,
) -> Result<(), ConvertError> {
    let heading: Vec<&str> = [doc.title.as_deref(), doc.context.as_deref()]
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .collect();
    if !heading.is_empty() {
        out.push(Part::text(heading.join("\n")));
    }
    match &doc.source {
        DocumentSource::Base64(b) => out.push(Part {
            inline_data: Some(Blob {
                mime_type: b.media_type.clone(),
                data: b.data.clone(),
            }),
            ..Part::default()
        }),
        DocumentSource::Text(t) => out.push(Part::text(t.data.clone())),
        DocumentSource::Url(u) => out.push(file_uri_part(
            &u.url,
            Some(mime_from_url(&u.url).unwrap_or_else(|| "application/pdf".to_owned())),
            path,
        )?),
        DocumentSource::File(f) => out.push(file_uri_part(&f.file_id, None, path)?),
        DocumentSource::Content(c) => match &c.content {
            MessageContent::Text(t) => out.push(Part::text(t.clone())),
            MessageContent::Blocks(blocks) => {
                for (k, b) in blocks.iter().enumerate() {
                    let inner = || format!("{}.source.content[{k}]", path());
                    match b {
                        ContentBlock::Text(t) => out.push(Part::text(t.text.clone())),
                        ContentBlock::Image(img) => out.push(image_part(&img.source, &inner)?),
                        other => {
                            return Err(ConvertError::unsupported_because(
                                PROVIDER,
                                inner(),
                                format!("`{}` block in document content", other.type_name()),
                            ))
                        }
                    }
                }
            }
        },
        other => {
            return Err(ConvertError::unsupported_because(
                PROVIDER,
                format!("{}.source", path()),
                format!("document source `{}`", other.type_name()),
            ))
        }
    }
    Ok(())
}
