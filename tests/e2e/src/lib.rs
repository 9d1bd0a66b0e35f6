//! Only tests live here: see `tests/story.rs`.
