//! The visit_plan lifecycle, refused on the server when sent raw.
