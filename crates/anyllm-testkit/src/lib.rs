//! Replay recorded provider traffic: an in-memory replay Transport and a loopback replay HTTP server.
