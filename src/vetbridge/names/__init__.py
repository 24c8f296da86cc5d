"""Finding one person across Cyrillic and Latin spellings. Pure Python, no Django.

- `text`: folding of typed text (invisible characters, stray diacritics, homoglyphs) and
  tokenisation that survives surname-first order, hyphens, initials and apostrophes;
- `translit`: Cyrillic to KMU 2010, BGN/PCGN 1965, ISO 9, German and French usage;
- `skeleton`: a versioned phonetic key that folds every spelling system into one alphabet;
- `given_names`: curated equivalents (Oleksandr / Aleksandr / Alexandre / Sasha);
- `match`: scoring of one query against one person's spellings, with reasons;
- `index`: symmetric-deletion keys over skeletons, a storage protocol, the `Searcher`
  (candidates from an index, reranked) and an in-memory store.
"""

from .index import MemoryStore, Searcher, SearchResult
from .match import Query, score_person
from .skeleton import SKELETON_VERSION, skeleton
from .text import fold, tokenize

__all__ = [
    "SKELETON_VERSION",
    "MemoryStore",
    "Query",
    "SearchResult",
    "Searcher",
    "fold",
    "score_person",
    "skeleton",
    "tokenize",
]
