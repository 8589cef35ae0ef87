//! The return_visit lifecycle, refused on the server when sent raw.
