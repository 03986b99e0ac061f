//! The interface language: Spanish when the browser prefers Spanish, English otherwise.

use afina_dataset::Message;
use leptos::prelude::*;

/// A language of the interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// Español.
    Es,
    /// English.
    En,
}

impl Lang {
    /// The language matching a BCP 47 tag such as `es-ES` or `en-US`.
    pub fn from_tag(tag: &str) -> Self {
        if tag.to_ascii_lowercase().starts_with("es") {
            Self::Es
        } else {
            Self::En
        }
    }

    /// The browser's preferred language (`navigator.language`).
    pub fn from_browser() -> Self {
        web_sys::window()
            .and_then(|window| window.navigator().language())
            .map_or(Self::En, |tag| Self::from_tag(&tag))
    }

    /// The other language, for the switch.
    pub fn other(self) -> Self {
        match self {
            Self::Es => Self::En,
            Self::En => Self::Es,
        }
    }

    /// The language's tag for `<html lang>`.
    pub fn tag(self) -> &'static str {
        match self {
            Self::Es => "es",
            Self::En => "en",
        }
    }

    /// Picks the Spanish or the English text.
    pub fn pick<'a>(self, es: &'a str, en: &'a str) -> &'a str {
        match self {
            Self::Es => es,
            Self::En => en,
        }
    }

    /// A dataset message in this language.
    pub fn message(self, message: &Message) -> String {
        self.pick(&message.es, &message.en).to_string()
    }

    /// A share as a percentage with one decimal and the language's decimal mark: "95,0 %".
    pub fn percent(self, share: f32) -> String {
        let text = format!("{:.1} %", share * 100.0);
        match self {
            Self::Es => text.replace('.', ","),
            Self::En => text,
        }
    }
}

/// The page's language, shared through context with every view.
#[derive(Clone, Copy)]
pub(crate) struct PageLang {
    /// The language the page is shown in.
    pub(crate) lang: RwSignal<Lang>,
}

impl PageLang {
    /// The browser's language.
    pub(crate) fn new() -> Self {
        Self {
            lang: RwSignal::new(Lang::from_browser()),
        }
    }

    /// The Spanish or the English text, in the page's language (tracked).
    pub(crate) fn text(&self, es: &'static str, en: &'static str) -> &'static str {
        self.lang.get().pick(es, en)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_map_to_languages() {
        assert_eq!(Lang::from_tag("es-ES"), Lang::Es);
        assert_eq!(Lang::from_tag("ES"), Lang::Es);
        assert_eq!(Lang::from_tag("en-US"), Lang::En);
        assert_eq!(Lang::from_tag("fr"), Lang::En);
    }

    #[test]
    fn percent_uses_the_decimal_mark() {
        assert_eq!(Lang::Es.percent(0.953), "95,3 %");
        assert_eq!(Lang::En.percent(0.953), "95.3 %");
    }
}
