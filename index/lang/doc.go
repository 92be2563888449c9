// Package lang analyses the text of multilingual support tickets (English,
// Polish and Czech) for Bleve: it stems each word in its language and folds
// diacritics, so that "zgloszenie" and "zgłoszenia" find "zgłoszenie",
// "prihlaseni" finds "přihlášení" and "printers" finds "printer".
//
// # Index side: one language per message
//
// A ticket mixes languages: a Polish customer writes to an English-speaking
// agent, who answers in English and quotes the Polish text. Guessing the
// language of a lone word is unreliable (an ASCII word such as "faktura"
// or "konto" could be in any of the three), but guessing it for a whole
// message is cheap and accurate. So the indexer runs Detect once per
// message and writes the message as Mark(Detect(text), text): a marker
// token ("sdlangpl") in front of the text. IndexAnalyzer reads the marker,
// stems every following word with that language's stemmer (Bleve's
// snowball for English and stempel for Polish, and StemCzech for Czech),
// and removes the marker, renumbering positions so the text reads as if it
// had never been there. Words before any marker get a language from their
// own letters.
//
// Each word is indexed as the folded stem of the word and, if the word has
// diacritics, also as the folded stem of the word without them, at the
// same position. Stemmers trained on correct spelling do not always stem
// the diacritic-free spelling to the same root (stempel stems "zgłoszenie"
// to "zgłosić" but "zgloszenie" to "zglosnąć"), so the second form is what
// lets a query typed without diacritics meet the word. It does so for the
// same inflected form only: stempel stems "zgloszenia" to neither form, so
// a Polish word typed without diacritics and in another case is not found.
//
// # Query side: every language at once
//
// A query is a few words with no language of its own: "faktury" may be
// meant as Polish or Czech, "server" as any of the three. Instead of
// guessing, QueryAnalyzer emits, at each word's position, the folded stems
// of the word in all three languages (and of the word without its
// diacritics). One of them is the form the indexer produced for the word in
// whatever language the matching message was written in; the others rarely
// match anything. Because the alternatives share one position, Bleve's
// match-phrase query, which groups tokens by position into a multi-phrase
// query, accepts any of them at each place of the phrase, so phrases work
// too. A plain match query with the AND operator must be built the same
// way, as a conjunction over positions of a disjunction of the terms at
// each position; Forms gives those terms for a single word.
//
// Importing the package registers IndexAnalyzer and QueryAnalyzer (and
// their stem filters) in Bleve's registry.
package lang
