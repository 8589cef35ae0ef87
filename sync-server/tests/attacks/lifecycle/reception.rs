//! The reception lifecycle, refused on the server when sent raw.
