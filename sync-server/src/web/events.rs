//! `GET /events`: Server-Sent Events that tell an open page which records changed, so it can
//! refresh without a reload when devices sync or a colleague acts at the desk. Fed by the
//! hub's change notifications, each filtered by the same scope as the pages: the event names a
//! record only if the signed-in user may read it (`change`, data = the record id). If the
//! stream falls behind the hub it sends `reload` (refresh whatever is shown); it ends when the
//! browser's device is revoked (signed out). A comment every 15 s keeps proxies from closing it.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use fieldbook_core::{DeviceId, RecordId};
use futures_util::Stream;
use tokio::sync::broadcast::Receiver;
use tokio::sync::broadcast::error::RecvError;

use super::session::Session;
use crate::app_state::AppState;
use crate::store::ServerStore;

/// What one open stream holds.
struct Feed<S: ServerStore> {
    state: Arc<AppState<S>>,
    session: Session,
    changes: Receiver<RecordId>,
    revoked: Receiver<DeviceId>,
}

impl<S: ServerStore> Feed<S> {
    /// The next event for this user, or `None` when the stream ends.
    async fn next(&mut self) -> Option<Event> {
        loop {
            tokio::select! {
                got = self.changes.recv() => match got {
                    Ok(id) => {
                        if self.readable(id).await {
                            return Some(Event::default().event("change").data(id.to_string()));
                        }
                    }
                    Err(RecvError::Lagged(_)) => return Some(Event::default().event("reload").data("")),
                    Err(RecvError::Closed) => return None,
                },
                got = self.revoked.recv() => match got {
                    Ok(device) if Some(device) == self.session.viewer.device => return None,
                    Ok(_) | Err(RecvError::Lagged(_)) => {}
                    Err(RecvError::Closed) => return None,
                },
            }
        }
    }

    async fn readable(&self, id: RecordId) -> bool {
        match self.state.office.may_read(&self.session.viewer, id).await {
            Ok(yes) => yes,
            Err(e) => {
                tracing::warn!(error = %e, "scope check of a change failed");
                false
            }
        }
    }
}

/// The event stream of the signed-in user.
pub async fn events<S: ServerStore>(
    State(state): State<Arc<AppState<S>>>,
    session: Session,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let feed = Feed {
        changes: state.hub.subscribe(),
        revoked: state.hub.subscribe_revocations(),
        state,
        session,
    };
    let stream = futures_util::stream::unfold(feed, |mut feed| async move {
        let event = feed.next().await?;
        Some((Ok(event), feed))
    });
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}
