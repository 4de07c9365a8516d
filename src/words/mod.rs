//! The outer layer's words: store, file and operation errors and claim
//! statuses in the user's language (results and input errors are worded by the core's `explain`).

pub mod batch;
pub mod files;
pub mod ops;
pub mod store;

use butie_core::policy::Lang;

/// The one two-language helper: the sentence in `lang`, given in both
/// languages (an error is rare; the handlers read better with the two side
/// by side).
pub(crate) fn say(lang: Lang, zh: impl Into<String>, en: impl Into<String>) -> String {
    match lang {
        Lang::Zh => zh.into(),
        Lang::En => en.into(),
    }
}
