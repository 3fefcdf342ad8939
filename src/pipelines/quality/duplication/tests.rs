//! Tests of the duplication check on its fixtures.
