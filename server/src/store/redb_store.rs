//! redb implementation of [`Store`](super::Store): being written.
