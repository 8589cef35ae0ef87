//! Typed identifiers. A [`RecordId`] is a UUID written the way automerge-repo writes document
//! ids (base58check of the 16 bytes), so a record id *is* an automerge-repo document id and stock
//! automerge-repo clients can ask for a record by it.
//!
//! Parsing (the only id code that can fail) is in `parse.rs`, above `crate::error`, whose
//! variants name records by their id: the types here import nothing of the crate.

use std::fmt;

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use uuid::Uuid;

mod parse;

/// The id of one record, and of the Automerge document that holds it.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct RecordId(Uuid);

impl RecordId {
    /// A record id from 16 random bytes (the caller injects the randomness).
    pub fn from_random_bytes(bytes: [u8; 16]) -> Self {
        RecordId(uuid::Builder::from_random_bytes(bytes).into_uuid())
    }

    /// An id in the space the sync server reserves for its own documents (the per-user index
    /// documents): UUID version 8 with the variant bits set, the other 122 bits from `bytes`.
    /// Devices create records with [`RecordId::from_random_bytes`] (version 4), never here.
    pub fn reserved_from_bytes(bytes: [u8; 16]) -> Self {
        RecordId(uuid::Builder::from_custom_bytes(bytes).into_uuid())
    }

    /// A name-based id (UUID version 5 layout, the other 122 bits from `bytes`, a hash of the
    /// name): records whose id follows from what they are, such as a rep's log of one day
    /// (`model::DailyLog::id_for`).
    pub fn named_from_bytes(bytes: [u8; 16]) -> Self {
        RecordId(uuid::Builder::from_sha1_bytes(bytes).into_uuid())
    }

    /// Whether this id is name-based (UUID version 5): only daily logs live there.
    pub fn is_named(&self) -> bool {
        self.0.get_version_num() == 5
    }

    /// Whether this id is in the server's reserved space (UUID version 8): no device may
    /// create a document here.
    pub fn is_reserved(&self) -> bool {
        self.0.get_version_num() == 8
    }

    /// The raw 16 bytes (automerge-repo's "binary document id").
    pub fn as_bytes(&self) -> &[u8; 16] {
        self.0.as_bytes()
    }
}

impl fmt::Display for RecordId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&bs58::encode(self.0.as_bytes()).with_check().into_string())
    }
}

impl fmt::Debug for RecordId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RecordId({self})")
    }
}

/// The id of a device (one installation of the app). Its 16 bytes prefix every Automerge actor
/// id the device writes with, which lets the server tie a change to the device that sent it.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct DeviceId(Uuid);

impl DeviceId {
    /// The all-zero id: no device (the sync server's own writes are bound to it).
    pub const NIL: DeviceId = DeviceId(Uuid::nil());

    /// A device id from 16 random bytes (the caller injects the randomness).
    pub fn from_random_bytes(bytes: [u8; 16]) -> Self {
        DeviceId(uuid::Builder::from_random_bytes(bytes).into_uuid())
    }

    /// Whether no device may have this id: the all-zero id (the server's own actors are bound
    /// to it) and the all-ones id.
    pub fn is_reserved(&self) -> bool {
        self.0.is_nil() || self.0.is_max()
    }

    pub fn as_bytes(&self) -> &[u8; 16] {
        self.0.as_bytes()
    }

    /// The device an Automerge actor id belongs to, if it was made by [`DeviceId::actor`].
    pub fn of_actor(actor: &automerge::ActorId) -> Option<Self> {
        let bytes = actor.to_bytes();
        (bytes.len() == 20)
            .then(|| Uuid::from_slice(&bytes[..16]).ok().map(DeviceId))
            .flatten()
    }

    /// The actor id this device writes with in its `session`-th store session.
    pub fn actor(&self, session: u32) -> automerge::ActorId {
        let mut bytes = self.0.as_bytes().to_vec();
        bytes.extend_from_slice(&session.to_be_bytes());
        automerge::ActorId::from(bytes)
    }
}

impl fmt::Display for DeviceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.simple())
    }
}

impl fmt::Debug for DeviceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DeviceId({self})")
    }
}

/// The id of a person who uses Fieldbook (a rep, a supervisor, …): a short login name.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct UserId(String);

impl UserId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "UserId({})", self.0)
    }
}

macro_rules! text_id_impls {
    ($t:ty) => {
        impl Serialize for $t {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }
        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
        impl ToSql for $t {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                Ok(ToSqlOutput::from(self.to_string()))
            }
        }
        impl FromSql for $t {
            fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
                value
                    .as_str()?
                    .parse()
                    .map_err(|e| FromSqlError::Other(Box::new(e)))
            }
        }
    };
}

text_id_impls!(RecordId);
text_id_impls!(DeviceId);

// A user id read from a document or the database is taken as written: documents from other
// clients may hold ids this build would not issue, and reading must not fail on them. Input
// typed by a person goes through `UserId::new`, which checks the form.
impl Serialize for UserId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for UserId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(UserId)
    }
}

impl ToSql for UserId {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.0.as_str()))
    }
}

impl FromSql for UserId {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        value.as_str().map(|s| UserId(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { rng_seed: proptest::test_runner::RngSeed::Fixed(20261204), ..ProptestConfig::default() })]
        #[test]
        fn record_id_round_trips_through_text(bytes in any::<[u8; 16]>()) {
            let id = RecordId::from_random_bytes(bytes);
            prop_assert_eq!(id.to_string().parse::<RecordId>().ok(), Some(id));
        }

        #[test]
        fn device_owns_its_actors(bytes in any::<[u8; 16]>(), session in any::<u32>()) {
            let device = DeviceId::from_random_bytes(bytes);
            prop_assert_eq!(DeviceId::of_actor(&device.actor(session)), Some(device));
        }
    }

    #[test]
    fn record_id_rejects_bad_checksum() {
        let id = RecordId::from_random_bytes([7; 16]).to_string();
        let mut broken: Vec<char> = id.chars().collect();
        broken[3] = if broken[3] == 'a' { 'b' } else { 'a' };
        let broken: String = broken.into_iter().collect();
        assert!(broken.parse::<RecordId>().is_err());
    }

    #[test]
    fn user_id_rejects_spaces_and_capitals() {
        assert!(UserId::new("rep.zhang").is_ok());
        assert!(UserId::new("Rep Zhang").is_err());
        assert!(UserId::new("").is_err());
    }
}
