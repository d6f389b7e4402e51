//! Google Gemini and Vertex AI as native providers.
