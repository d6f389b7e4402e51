//! Anthropic Messages ⇄ Google Gemini `generateContent`.
