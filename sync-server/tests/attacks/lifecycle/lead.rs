//! The lead lifecycle, refused on the server when sent raw.
