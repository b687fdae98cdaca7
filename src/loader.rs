//! Archive loading.
