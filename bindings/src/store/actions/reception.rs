//! The steps of a reception (seed 001 §1–2): the voucher, holding it, the expense.

#[allow(unused_imports)]
use crate::store::FieldbookStore;
