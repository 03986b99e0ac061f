//! The page's steps, one folder each, in the order the page shows them. Each step's state is a
//! small struct shared through leptos context beside the views that use it.

pub(crate) mod export;
pub(crate) mod improve;
pub(crate) mod load;
pub(crate) mod test;
pub(crate) mod train;
pub(crate) mod validate;
pub(crate) mod versions;
