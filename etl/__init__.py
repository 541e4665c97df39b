"""news-etl: raw news-article text to a DuckDB star schema.

The package holds all of the pipeline's logic and never imports Airflow: every stage runs and is
tested on its own, and :mod:`etl.pipeline` composes them for both the CLI and the DAGs.
"""

import unicodedata
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("news-etl")
except PackageNotFoundError:  # pragma: no cover - running from a bare source tree
    __version__ = "0.0.0+unknown"


def _text_version(rules: str) -> str:
    """``rules`` plus every library version and the Unicode version the text output depends on."""
    parts = [rules, f"unicode-{unicodedata.unidata_version}"]
    for package in ("py3langid", "pystemmer", "stop-words", "stopwordsiso", "datasketch"):
        try:
            parts.append(f"{package}-{version(package)}")
        except PackageNotFoundError:  # pragma: no cover - a broken environment
            parts.append(f"{package}-missing")
    return "+".join(parts)


#: Changes whenever cleaning, tokenization, normalisation, language id, stems, stopwords or
#: signatures can produce different output for the same input: bump the ``text-N`` part when our
#: rules change; the library and Unicode versions are part of it, so an upgrade changes it too.
#: Every loaded article records it, so a backfill can find stale partitions.
#: text-4: the typographic apostrophe is written ' in terms (it’s = it's; etl.text.tokenize), and
#: cleaning removes soft hyphens (Bundes\xadregierung is one word; etl.text.clean).
#: text-5: cleaning removes the other characters that take no room and show nothing
#: (etl.text.clean.INVISIBLE: zero-width space, word joiner, BOM, bidirectional controls), from
#: the text and from the metadata (b\u200bomb is one word).
#: text-6: in French, Italian and Catalan articles a term's stem and stopword flag are those of
#: the word after an elided article (etl.text.stems.without_elision: d'une is a stopword as une is,
#: l'acord stems with acord), metadata loses soft hyphens as the text does, and the vertical tab,
#: form feed and U+001C-F become spaces instead of being deleted (Minister\fSergei is two words).
#: text-7: a zero-width non-joiner or joiner between two letters is part of the word
#: (etl.text.grammar.JOINERS: the Persian می‌خواهم is one term, not two and a symbol).
#: text-8: Czech, Esperanto, Estonian, Persian, Polish and Sesotho words get their Snowball stems
#: (etl.text.stems.SNOWBALL; their terms were their own stems), and the Turkish capital İ is
#: lowercased to i (etl.text.tokenize.lower_term; İzmir was i̇zmir, apart from izmir).
#: text-9: an HTML page's date is its JSON-LD article's ``datePublished`` when it has one
#: (etl.ingest.formats.html.json_ld_published), before the date htmldate finds first in the head
#: (a print edition's day, a live blog's last update): 4 of the 258 corpus pages change day.
#: text-10: stopwords of modern Greek (stopwordsiso's list, matched without accents; stop-words'
#: Greek list is Ancient Greek, so none matched), Turkish (stop-words' list read back from cp1252:
#: bazý is bazı) and Arabic (stopwordsiso's added: أن, إن), and no stopword with a digit or a
#: curly quote (English 10 and 39); a combining mark or the emoji presentation selector with no
#: letter before it belongs to the symbol before it, not to a word of its own (❤️ is one symbol;
#: etl.text.grammar.LETTERS_RUN).
#: text-11: stopwordsiso's Greek entries written with ∆ for δ (εδώ, επειδή) and Slovak's "a"
#: (written after a byte-order mark) are stopwords; a cut Polish entry is left out.
#: text-12: a JSON number given for a text field (a title, a URL, an author, the text) is kept
#: as the file writes it (etl.ingest.formats.base.JsonNumber: ``1e5``, not ``100000.0``).
#: text-13: a carriage return alone inside a field of a CSV file is part of the field
#: (etl.ingest.formats.csvdump; the row ended there: its text was cut), and an
#: HTML page whose only text is its links is no_text (etl.ingest.formats.html; it loaded as an
#: article of menu words), and an HTML page's text keeps its zero-width non-joiners and joiners
#: and its private-use characters, as the other formats do (the HTML extractor dropped them).
#: text-14: a JSON text's paragraph given as an object with one text field ({"text": ...}) and
#: a string among fundus's sections are read (both were dropped without a word); any other
#: object among the text makes the record malformed_record (etl.ingest.formats.base); a titled
#: .txt file's blank first line of a no-break space or a form feed is skipped like any
#: blank line (the file was untitled; etl.ingest.canonical).
#: text-15: Hebrew stopwords (stop-words writes each entry as a quoted string, "של",) and the
#: Italian già, così (gia", cosi") are read (etl.text.stems._repaired); ! ? and a single .
#: between two Han or kana characters, the Greek question mark (; after NFKC) before a capital
#: Greek letter and the Urdu ۔ end a sentence (etl.text.sentences).
#: Also in text-15: a URL ends before the first Han, kana or Hangul character, CJK or full-width
#: punctuation or guillemet (请访问https://www.gov.cn了解详情 took the rest of the paragraph) and
#: not with an opening bracket; an e-mail address takes no Han, kana or Hangul (至info@example.com了
#: was one term; etl.text.grammar.URL_STOPS, NOT_IN_ADDRESS).
TEXT_VERSION = _text_version("text-15")

__all__ = ["TEXT_VERSION", "__version__"]
