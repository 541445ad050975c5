//! The `idempotency_records` table (API.md §8).
