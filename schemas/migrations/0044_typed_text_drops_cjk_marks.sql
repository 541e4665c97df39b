-- What typed text drops at its ends listed only the common CJK punctuation. Cleaning's NFKC
-- makes full-width punctuation ASCII in stored text ((oil) for （oil）), but typed text is not
-- NFKC-normalised, so （oil）, ＂oil＂ or ＃oil typed by a Chinese or Japanese analyst kept the
-- full-width marks and kwic, search and term_trend found nothing; and since text-15 the loader's
-- URL ends before every character of the CJK symbols and punctuation block and the full-width
-- forms (etl.text.grammar.URL_STOPS), so a URL pasted with a wave dash (…/news〜), inside prime
-- quotes (〝…〟) or before a ditto mark kept that character (url_end_punctuation of 0043).
-- Each list now also holds every punctuation mark, symbol and space of those two blocks that
-- cleaning either leaves as it is or turns into characters the list already holds (a test
-- derives them from etl.text.grammar.CJK_PUNCTUATION): word_punctuation the full-width ！＂＃…
-- and the marks 〃〝〟〰…, typed_symbols the full-width forms of its symbols (＃oil is the term
-- oil and the note says ＃ was dropped, as for #oil), url_end_punctuation the marks a stored URL
-- can be followed by. A full-width / or _ stays (cleaning makes them / and _, which terms and
-- URLs keep), and so do letters and digits (typed text is still not NFKC-normalised).
-- Macros and their comments only: no stored row changes.
-- Like every migration, never edited or renumbered once applied.

CREATE OR REPLACE MACRO word_punctuation() AS '!"#$%&''()*+,-.:;<=>?@[\]^`{|}~«»“”„‘’‚‹›¿¡—–…·•†‡§¶©®™°¢€£¥₹₽「」『』【】〔〕〈〉《》、。〜 　〃〄〒〓〖〗〘〙〚〛〝〞〟〠〰〷〽〾〿〶！＂＃＄％＆＇（）＊＋，－．：；＜＝＞？＠［＼］＾｀｛｜｝～｡｢｣､￠￡￥';
COMMENT ON MACRO word_punctuation IS 'What typed_text drops at either end of typed text: spaces, ASCII punctuation but / and _, typographic quotes, apostrophes and dashes, …, ¿ ¡, currency and other common symbols, CJK brackets, full stops and other marks (〃 〝 〟 〰 …), and the full-width forms of these (！ （ ） ＃; since migration 0044: cleaning makes them ASCII in stored text, typed text is not normalised so), but not the katakana middle dot ・, which the loader keeps in katakana terms and stores alone between other characters. The loader''s terms never start or end with one (but a URL may end with = & # / - + and a dotted acronym ends with its dot: typed_text keeps those).';
CREATE OR REPLACE MACRO typed_symbols() AS '#$%&*+<=>@\^|~†‡§¶°¢€£¥₹₽＃＄％＆＊＋＜＝＞＠＼＾｜～￠￡￥';
COMMENT ON MACRO typed_symbols IS 'The characters of word_punctuation that change what a word means (c++, c#, #oil, 1.5%, $1.13bn, @user, 5°), and their full-width forms (＃oil): typed_text drops them at either end like any punctuation, and symbol_note says so. Quotes, brackets, dashes and sentence punctuation are not among them: ''"oil",'' is simply oil.';
CREATE OR REPLACE MACRO url_end_punctuation() AS '.,;:!?()[]''"<>“”‘’ «»‹›、。〈〉《》「」『』【】〔〕〖〗〘〙〚〛，．！？：；（）［］｛｝｣､　〃〄〒〓〜〝〞〟〠〰〷〽〾〿〶＂＇＜＞｡｢';
COMMENT ON MACRO url_end_punctuation IS 'What typed_text drops after typed text that ends in a URL (http://, https://, www.): the characters the loader''s URL pattern never ends a URL with (. , ; : ! ? ( ) [ ] quotes, guillemets, and every punctuation mark and symbol of the CJK and full-width blocks that cleaning keeps or makes one of these, such as 。 」 〜 〝 （: since text-15 a URL ends before them), and spaces.';
