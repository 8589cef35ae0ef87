//! The HTTP surface's defences that every route shares (issue 15, finding 7): security headers
//! on every answer ([`headers`]), request bodies and queries refused with a generic bilingual
//! message that names a field at most ([`json`]; the parser's words go to the log), and the
//! sign-in throttle of the browser login and the device login API ([`throttle`]).

pub mod headers;
pub mod json;
pub mod throttle;

pub use json::{ApiJson, query_problem};
pub use throttle::{LoginThrottle, Throttled};
