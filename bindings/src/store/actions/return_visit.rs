//! The steps of a return-visit report (seed 001 §4, §5, §7; seed 002).

use std::sync::Arc;

use fieldbook_core::rules::return_visit;

use crate::background::run;
use crate::error::Result;
use crate::records::ReturnVisitReport;
use crate::store::FieldbookStore;

#[uniffi::export]
impl FieldbookStore {
    /// Files a return-visit report (due by the next working day); materials lent must be back.
    pub async fn file_report(self: Arc<Self>, report_id: String) -> Result<ReturnVisitReport> {
        run(move || self.act::<ReturnVisitReport>(&report_id, return_visit::file)).await
    }

    /// The supervisor's review of a filed report, with guidance; nobody reviews their own.
    pub async fn review_report(
        self: Arc<Self>,
        report_id: String,
        guidance: String,
    ) -> Result<ReturnVisitReport> {
        run(move || {
            self.act::<ReturnVisitReport>(&report_id, |r, a| return_visit::review(r, &guidance, a))
        })
        .await
    }
}
