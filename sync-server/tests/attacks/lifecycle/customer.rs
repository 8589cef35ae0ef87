//! The customer lifecycle, refused on the server when sent raw.
