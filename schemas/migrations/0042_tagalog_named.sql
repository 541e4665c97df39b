-- dim_language named tl "Filipino (Philippines)", the name of the locale Babel parses tl as
-- (fil_PH), not of the language (session 47's probe): the loader names a language from CLDR's
-- list of language names now, and tl is Tagalog. A row written before keeps its old name (the
-- loader only adds codes it has not seen): it is renamed here. Like every migration, never
-- edited or renumbered once applied.

UPDATE dim_language SET language_name = 'Tagalog'
WHERE language_code = 'tl' AND language_name = 'Filipino (Philippines)';
