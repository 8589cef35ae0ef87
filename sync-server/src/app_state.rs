//! What every surface shares: the hub, the back office, limits and the sign-in throttle. It sits
//! below the surfaces (sync, accounts API, office API, web pages) so that none of them imports
//! the router that composes them.

use std::sync::Arc;

use crate::guard::LoginThrottle;
use crate::hub::DocHub;
use crate::office::Office;
use crate::store::ServerStore;

/// Shared state of the routes.
#[derive(Debug)]
pub struct AppState<S: ServerStore> {
    pub hub: Arc<DocHub<S>>,
    pub office: Office<S>,
    pub max_message_bytes: usize,
    /// Failed sign-ins per user and per address (browser and device logins alike).
    pub throttle: LoginThrottle,
}
