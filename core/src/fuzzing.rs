//! Entry points for the fuzz targets in `fuzz/` and for the tests that replay their crashers:
//! everything a device does with document bytes that came from outside, and with a scanned
//! card's QR payload.

use crate::doc::RecordDoc;
use crate::ids::{DeviceId, RecordId};
use crate::model::{Customer, DailyLog, LeadReferral, ReceptionNote, ReturnVisitReport, VisitPlan};

/// Loads `data` as a record document and reads it every way the app does. Must never panic,
/// whatever the bytes; errors are fine.
pub fn load_record(data: &[u8]) {
    let id = RecordId::from_random_bytes([1; 16]);
    let actor = DeviceId::from_random_bytes([2; 16]).actor(1);
    let Ok(mut doc) = RecordDoc::load(id, data, actor) else {
        return;
    };
    read_every_way(&mut doc);
}

/// Merges `data` into an existing record as if a peer had sent it, then reads it.
pub fn apply_to_record(data: &[u8]) {
    let id = RecordId::from_random_bytes([1; 16]);
    let actor = DeviceId::from_random_bytes([2; 16]).actor(1);
    let mut lead = LeadReferral::default();
    lead.meta.id = id;
    let Ok(mut doc) = RecordDoc::create(&lead, actor) else {
        return;
    };
    if doc.apply_chunk(data).is_ok() {
        read_every_way(&mut doc);
    }
}

/// Decodes `data` as a wire frame the way a server or a device does: the CBOR message, then an
/// Automerge sync message inside it, then the inflation guard. Must never panic.
pub fn decode_wire(data: &[u8]) {
    let Ok(message) = crate::sync::WireMessage::decode(data) else {
        return;
    };
    let _ = message.encode();
    if let crate::sync::WireMessage::Sync { data, .. }
    | crate::sync::WireMessage::Request { data, .. } = message
        && let Ok(sync) = automerge::sync::Message::decode(&data)
    {
        let _ = crate::sync::inflate::inflated_size(&sync, 1 << 20);
    }
}

/// Reads `data` as a scanned QR payload (a card or badge, from anyone's printer): the parser
/// and the lead it would give. Must never panic; a refusal is fine.
pub fn parse_card(data: &[u8]) {
    if let Ok(fields) = crate::capture::parse_card(data) {
        let prospect = crate::capture::prospect_of(&fields);
        let _ = crate::rules::ownership::prospect_key(&prospect);
    }
}

fn read_every_way(doc: &mut RecordDoc) {
    let _ = doc.kind();
    let _ = doc.schema_version();
    let _ = doc.to_json();
    let _ = doc.conflicts();
    let _ = doc.read::<Customer>();
    let _ = doc.read::<VisitPlan>();
    let _ = doc.read::<ReceptionNote>();
    let _ = doc.read::<ReturnVisitReport>();
    let _ = doc.read::<LeadReferral>();
    let _ = doc.read::<DailyLog>();
    let _ = doc.save();
}
