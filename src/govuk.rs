//! Conversion of GOV.UK Content API items into statement records.
