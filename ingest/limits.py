"""How far a reader may expand one file, and how long reading it may take.

A 600 KB Word file can hold 200 MB of XML, and a 13 KB PDF 59,049 pages that share one
page's drawing: readers check these figures before they expand what a file holds, and
refuse a file past one with a sentence naming it. Real minutes are at most a few hundred
pages and a few MB of text. Measured on the largest sample (chefforum-2023-03-15, 47 KB
of text) printed fifteen times over by the test builders (tests/ingest/minutes_files.py):
a 255-page PDF of 0.7 M characters with 9.5 KB of drawing instructions a page, read in 4 s;
a Word file whose word/document.xml is 1 MB (Word itself writes some five times more) and
whose most compressed part (a style sheet) packs 32 to 1; the real agenda web page in
../shared/real-minutes is 0.5 MB.
"""
from __future__ import annotations

MB = 1 << 20

#: Any file: a PDF with scanned pages or photos is the largest real referat, some tens of MB.
MAX_FILE_BYTES = 100 * MB
#: A .txt, .md or web page before decoding: 40 times the real agenda page, 400 times a sample.
MAX_TEXT_BYTES = 20 * MB
#: The text read from any file: 7 times the 255-page PDF above (0.7 M characters).
MAX_CHARS = 5_000_000
#: PDF pages: four times the 255-page PDF above.
MAX_PAGES = 1000
#: A PDF's drawing instructions (content streams), counting a stream shared by pages once
#: for each page, as reading costs: 2.4 MB in the 255-page PDF, some 10 MB in a Word-made
#: one of 300 pages; pypdf reads about 0.6 MB a second of them.
MAX_PDF_CONTENT_BYTES = 32 * MB
#: Any XML part of a Word file (python-docx parses each whole, at some ten times its size
#: in memory): six times the 5 MB Word would write for the 255 pages.
MAX_DOCX_XML_BYTES = 32 * MB
#: All parts of a Word file together (python-docx holds each in memory): twice the largest
#: file, so that a document with photos passes.
MAX_DOCX_BYTES = 200 * MB
#: How tightly a part of 1 MB or more, or the whole archive, may be packed: three times
#: the 32 to 1 of the style sheet above; a zip bomb packs 1000 to 1.
MAX_DOCX_RATIO = 100
#: A part smaller than this is not judged by its ratio: small XML parts pack tightly.
DOCX_RATIO_FROM_BYTES = 1 * MB
#: Seconds the inbox gives one file to be read, in a process killed when they are up: ten
#: times the 255-page PDF, so a loaded machine still reads real minutes. Twenty files a
#: round (bot/jobs/inbox.py) then take at most 20 minutes, inside the round's 30-minute
#: lease.
READ_SECONDS = 60.0
