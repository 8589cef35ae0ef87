//! Reading an Automerge object tree as JSON. Strings written as `Text` by automerge-repo JS
//! clients read as plain strings, so a record edited in a browser still maps to the typed model.

use automerge::{ObjId, ObjType, ReadDoc, ScalarValue, Value};
use serde_json::{Map, Number, Value as Json};

/// How deep objects may nest before the reader stops descending. Records nest three levels at
/// most; a hostile document nesting a million maps must not overflow the stack.
pub(crate) const MAX_DEPTH: usize = 32;

/// The visible (winning) value of the whole object `obj`.
pub(crate) fn object_to_json(doc: &impl ReadDoc, obj: &ObjId, ty: ObjType) -> Json {
    object_at_depth(doc, obj, ty, 0)
}

fn object_at_depth(doc: &impl ReadDoc, obj: &ObjId, ty: ObjType, depth: usize) -> Json {
    if depth >= MAX_DEPTH {
        return Json::Null;
    }
    let value = |v: &Value<'_>, id: &ObjId| match v {
        Value::Object(ty) => object_at_depth(doc, id, *ty, depth + 1),
        Value::Scalar(s) => scalar_to_json(s),
    };
    match ty {
        ObjType::Map | ObjType::Table => {
            let mut out = Map::new();
            for item in doc.map_range(obj, ..) {
                let v = value(&Value::from(item.value.clone()), &item.id());
                out.insert(item.key.to_string(), v);
            }
            Json::Object(out)
        }
        ObjType::List => {
            let items = doc.list_range(obj, ..);
            Json::Array(
                items
                    .map(|item| value(&Value::from(item.value.clone()), &item.id()))
                    .collect(),
            )
        }
        ObjType::Text => Json::String(doc.text(obj).unwrap_or_default()),
    }
}

/// One value (scalar or object) as JSON.
pub(crate) fn value_to_json(doc: &impl ReadDoc, value: &Value<'_>, id: &ObjId) -> Json {
    match value {
        Value::Object(ty) => object_to_json(doc, id, *ty),
        Value::Scalar(s) => scalar_to_json(s),
    }
}

fn scalar_to_json(s: &ScalarValue) -> Json {
    match s {
        ScalarValue::Str(s) => Json::String(s.to_string()),
        ScalarValue::Int(i) => Json::from(*i),
        ScalarValue::Uint(u) => Json::from(*u),
        ScalarValue::F64(f) => Number::from_f64(*f).map_or(Json::Null, Json::Number),
        ScalarValue::Counter(c) => Json::from(i64::from(c)),
        ScalarValue::Timestamp(t) => Json::from(*t),
        ScalarValue::Boolean(b) => Json::Bool(*b),
        ScalarValue::Null => Json::Null,
        ScalarValue::Bytes(b) => Json::String(b.iter().map(|x| format!("{x:02x}")).collect()),
        ScalarValue::Unknown { .. } => Json::Null,
    }
}
