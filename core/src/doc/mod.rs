//! One record = one Automerge document. [`RecordDoc`] wraps the document and maps it to and from
//! the typed models: reading takes the visible value of every field, an edit writes only the
//! fields that changed (see [`write`]), and [`RecordDoc::conflicts`] lists the fields that hold
//! concurrent values.

mod conflict;
mod read;
mod write;

use automerge::transaction::Transactable;
use automerge::{ActorId, AutoCommit, ChangeHash, ObjType, ROOT, ReadDoc, ScalarValue, Value};
use serde_json::Value as Json;

pub use conflict::{ConflictValue, FieldConflict};

use crate::error::{Error, Result};
use crate::ids::RecordId;
use crate::model::{Record, RecordKind, SCHEMA_VERSION, StringEnum};

/// Keys of the root map that belong to the document envelope, not to the record's fields.
const KIND_KEY: &str = "kind";
const SCHEMA_KEY: &str = "schema";

/// `schema` as new documents store it: a signed integer, which stock JavaScript clients read
/// as a `number` (an unsigned one reads as a `BigInt`), and which is how every other integer of
/// a record is stored. Readers take either ([`RecordDoc::schema_version`], the schema check);
/// records created before 2026-12 hold an unsigned one. See docs/protocol.md, "Records".
const SCHEMA_INT: i64 = SCHEMA_VERSION as i64;
const _: () = assert!(SCHEMA_INT >= 1 && SCHEMA_INT as u64 == SCHEMA_VERSION);

/// An Automerge document holding one record.
#[derive(Debug, Clone)]
pub struct RecordDoc {
    id: RecordId,
    doc: AutoCommit,
}

impl RecordDoc {
    /// A new document holding `record`, written by `actor`.
    pub fn create<R: Record>(record: &R, actor: ActorId) -> Result<Self> {
        let mut doc = AutoCommit::new().with_actor(actor);
        doc.put(ROOT, KIND_KEY, R::KIND.as_str())?;
        doc.put(ROOT, SCHEMA_KEY, ScalarValue::Int(SCHEMA_INT))?;
        let id = record.meta().id;
        let Json::Object(fields) = to_json(id, record)? else {
            return Err(model_error(id, "a record must serialise to a map"));
        };
        write::write_map_diff(&mut doc, &ROOT, &serde_json::Map::new(), &fields)?;
        Ok(RecordDoc { id, doc })
    }

    /// Loads a document from its saved chunks (a snapshot and/or incremental changes,
    /// concatenated). Damaged bytes give [`Error::CorruptRecord`], never a panic.
    pub fn load(id: RecordId, bytes: &[u8], actor: ActorId) -> Result<Self> {
        let loaded = std::panic::catch_unwind(|| AutoCommit::load(bytes));
        let doc = match loaded {
            Ok(Ok(doc)) => doc,
            Ok(Err(e)) => return Err(corrupt(id, e.to_string())),
            Err(_) => return Err(corrupt(id, "the decoder panicked".into())),
        };
        Ok(RecordDoc {
            id,
            doc: doc.with_actor(actor),
        })
    }

    /// A new document with a fresh history holding `json` (a record's fields, `kind` and
    /// `schema` included) — how the server rewrites a record whose history must forget values
    /// (erasure, ADR 0007).
    pub fn from_json(id: RecordId, json: &Json, actor: ActorId) -> Result<Self> {
        let Json::Object(fields) = json else {
            return Err(model_error(id, "a record must be a map"));
        };
        let mut doc = AutoCommit::new().with_actor(actor);
        write::write_map_diff(&mut doc, &ROOT, &serde_json::Map::new(), fields)?;
        Ok(RecordDoc { id, doc })
    }

    /// Wraps an Automerge document (e.g. a fork at earlier heads) as the record `id`.
    pub fn from_automerge(id: RecordId, doc: AutoCommit, actor: ActorId) -> Self {
        RecordDoc {
            id,
            doc: doc.with_actor(actor),
        }
    }

    /// An empty document for a record known only by id, to be filled by sync.
    pub fn empty(id: RecordId, actor: ActorId) -> Self {
        RecordDoc {
            id,
            doc: AutoCommit::new().with_actor(actor),
        }
    }

    pub fn id(&self) -> RecordId {
        self.id
    }

    /// The record kind written in the document, if any.
    pub fn kind(&self) -> Option<RecordKind> {
        self.root_str(KIND_KEY).map(|s| RecordKind::parse_str(&s))
    }

    /// The schema version the document was last created with (stored signed or unsigned).
    pub fn schema_version(&self) -> Option<u64> {
        match self.doc.get(ROOT, SCHEMA_KEY).ok().flatten() {
            Some((Value::Scalar(s), _)) => match s.as_ref() {
                ScalarValue::Uint(u) => Some(*u),
                ScalarValue::Int(i) => u64::try_from(*i).ok(),
                _ => None,
            },
            _ => None,
        }
    }

    fn root_str(&self, key: &str) -> Option<String> {
        match self.doc.get(ROOT, key).ok().flatten()? {
            (Value::Scalar(s), _) => s.as_str().map(str::to_owned),
            (Value::Object(ObjType::Text), id) => self.doc.text(&id).ok(),
            _ => None,
        }
    }

    /// The whole document as JSON (the visible value of every field, known or not).
    pub fn to_json(&self) -> Json {
        read::object_to_json(&self.doc, &ROOT, ObjType::Map)
    }

    /// The typed record. Fails if the document holds another kind.
    pub fn read<R: Record>(&self) -> Result<R> {
        self.check_kind::<R>()?;
        serde_json::from_value(self.to_json()).map_err(|e| model_error(self.id, e.to_string()))
    }

    fn check_kind<R: Record>(&self) -> Result<()> {
        match self.kind() {
            Some(k) if k == R::KIND => Ok(()),
            other => Err(Error::WrongKind {
                id: self.id,
                expected: R::KIND.as_str().to_owned(),
                actual: other.map_or_else(|| "nothing yet".into(), |k| k.as_str().to_owned()),
            }),
        }
    }

    /// Applies `edit` to the typed record and writes what changed. Returns the edited record.
    /// If nothing changed, the document is left as it was (no empty change).
    pub fn update<R: Record>(&mut self, edit: impl FnOnce(&mut R) -> Result<()>) -> Result<R> {
        let before: R = self.read()?;
        let mut after = before.clone();
        edit(&mut after)?;
        // The envelope is not the caller's to change.
        after.meta_mut().id = self.id;
        self.write_diff(&before, &after)?;
        Ok(after)
    }

    fn write_diff<R: Record>(&mut self, before: &R, after: &R) -> Result<()> {
        let (Json::Object(b), Json::Object(a)) =
            (to_json(self.id, before)?, to_json(self.id, after)?)
        else {
            return Err(model_error(self.id, "a record must serialise to a map"));
        };
        write::write_map_diff(&mut self.doc, &ROOT, &b, &a)
    }

    /// Writes what differs between the document's JSON and `after` (a whole record, `kind`
    /// and `schema` included; fields absent from `after` are deleted): how the server keeps a
    /// document it derives from another (a view, ADR 0013) with diff-only writes, so its
    /// history holds only what it was ever given.
    pub fn write_json(&mut self, after: &Json) -> Result<()> {
        let (Json::Object(b), Json::Object(a)) = (self.to_json(), after) else {
            return Err(model_error(self.id, "a record must be a map"));
        };
        write::write_map_diff(&mut self.doc, &ROOT, &b, a)
    }

    /// Sets the field at `path` (a JSON pointer such as `/grade`) to `value`, even if it already
    /// shows that value: this is how a person settles a conflict.
    pub fn resolve_conflict(&mut self, path: &str, value: &Json) -> Result<()> {
        let (parent, key) = self.locate(path)?;
        write::put_json(&mut self.doc, &parent, &key, value)
    }

    fn locate(&self, path: &str) -> Result<(automerge::ObjId, String)> {
        let bad = || Error::invalid("path", format!("字段路径无效 / no such field: {path}"));
        let mut parts = path
            .strip_prefix('/')
            .ok_or_else(bad)?
            .split('/')
            .peekable();
        let mut obj = ROOT;
        while let Some(part) = parts.next() {
            let key = part.replace("~1", "/").replace("~0", "~");
            if parts.peek().is_none() {
                return Ok((obj, key));
            }
            let next = match key.parse::<usize>() {
                Ok(i) if self.doc.object_type(&obj) == Ok(ObjType::List) => self.doc.get(&obj, i),
                _ => self.doc.get(&obj, key.as_str()),
            };
            obj = match next.ok().flatten() {
                Some((Value::Object(ObjType::Map), id)) => id,
                _ => return Err(bad()),
            };
        }
        Err(bad())
    }

    /// Every field holding concurrent values.
    pub fn conflicts(&self) -> Vec<FieldConflict> {
        conflict::collect(&self.doc, &ROOT, ObjType::Map, "")
    }

    /// The document's current heads.
    pub fn heads(&mut self) -> Vec<ChangeHash> {
        self.doc.get_heads()
    }

    /// Every change made after `heads`, as one incremental chunk.
    pub fn save_after(&mut self, heads: &[ChangeHash]) -> Vec<u8> {
        self.doc.save_after(heads)
    }

    /// The whole document, compacted into one snapshot.
    pub fn save(&mut self) -> Vec<u8> {
        self.doc.save()
    }

    /// Merges saved changes (a chunk from another replica). Returns the number of new ops.
    pub fn apply_chunk(&mut self, bytes: &[u8]) -> Result<usize> {
        let id = self.id;
        let applied = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            self.doc.load_incremental(bytes)
        }));
        match applied {
            Ok(Ok(n)) => Ok(n),
            Ok(Err(e)) => Err(corrupt(id, e.to_string())),
            Err(_) => Err(corrupt(id, "the decoder panicked".into())),
        }
    }

    /// The underlying Automerge document (for the sync engine).
    pub fn automerge(&mut self) -> &mut AutoCommit {
        &mut self.doc
    }
}

fn to_json<R: Record>(id: RecordId, record: &R) -> Result<Json> {
    serde_json::to_value(record).map_err(|e| model_error(id, e.to_string()))
}

fn model_error(id: RecordId, reason: impl Into<String>) -> Error {
    Error::Model {
        id,
        reason: reason.into(),
    }
}

fn corrupt(id: RecordId, reason: String) -> Error {
    Error::CorruptRecord { id, reason }
}

#[cfg(test)]
mod tests;
