//! Thread pages and the actions on a comment. Handlers parse, call `super::comments` and turn the
//! outcome into a page, a 422 with the words kept, or a redirect back to the comment.

mod comment;
mod thread;

pub use comment::{delete, edit, edit_page, hide, history, unhide};
pub use thread::{objection_thread, post_objection, post_thread, thread};
