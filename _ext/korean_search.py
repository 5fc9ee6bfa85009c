"""Korean full-text search for the book.

Sphinx 7 ships no search language for Korean: with ``language: ko`` it falls back to English,
which indexes each space-separated word as it stands. Korean attaches particles and endings to
the end of a word (손실 → 손실이, 손실을, 손실과), so a search for 손실 finds only the pages that
happen to contain the bare word, and two-syllable queries get no partial matching at all
(``searchtools.js`` only tries substring matches for queries longer than two characters).

This extension registers ``SearchKorean`` for ``ko``:

* Index side (``split``): every word is cut at Hangul/non-Hangul boundaries (``Keras의`` →
  ``Keras``), and each Hangul word is indexed together with all of its leading prefixes of two
  or more syllables (edge n-grams: 가중치를 → 가중치를, 가중치, 가중). Particles are suffixes,
  so the bare noun is always one of the prefixes; verb forms work the same way
  (직렬화하면 → 직렬화). A one-syllable prefix is added only when the rest of the word is a
  particle (층을 → 층, while 모델 gives no 모), so that 층 finds 층을/층의 without a query
  like 모 matching every word that starts with 모.
* Query side (``js_splitter_code``, ``js_stemmer_code``): the query is split the same way, and a
  trailing particle is removed from a Hangul query word when at least two syllables remain
  (손실을 → 손실). Removing a suffix keeps a prefix of the word, and the index holds every prefix
  of two or more syllables, so this can only widen the results, never lose a page.
* Ranking: Sphinx scores a page 15 when the word is in one of its headings and 5 when it is only
  in the text. ``Scorer.score`` adds 15 when the page's own title contains the query word, so
  the chapter about a topic comes first, then pages with it in a section heading, then the rest.
  Latin words keep Sphinx's English (Porter) stemming.

Why edge n-grams rather than syllable bigrams (the usual choice for CJK text). Measured on
the eleven pages of this book with `python tests/book/test_browser.py --html DIR` (pages found /
pages with a word that starts with the term, summed over its 18 queries):

=======================  =========  ======================  ===============
index                    recall     searchindex.js          gzipped
=======================  =========  ======================  ===============
Sphinx's English         112 / 142  136,406 bytes           30,354 bytes
prefixes (this module)   142 / 142  183,348 bytes (+34%)    35,896 (+18%)
every 1-syllable prefix  142 / 142  191,188 bytes (+40%)    37,123 (+22%)
bigrams and unigrams     142 / 142  202,797 bytes (+49%)    41,537 (+37%)
=======================  =========  ======================  ===============

Bigrams find the same pages here, cost more, and make a query an AND of its bigrams, which also
matches pages where those syllables only occur apart. Prefixes need one lookup per query word.
What prefixes give up is the end of a compound written without a space (층 in 출력층):
searchtools.js only falls back to substring matching for a query of three or more syllables
that is not itself an index term. The course writes its terms as separate words (정칙화 손실,
훈련 루프), and a one-syllable noun with a particle (층을) is looked up as typed, since cutting
정의 down to 정 would lose 정의를.
"""

from __future__ import annotations

import json
import re

from sphinx.search.en import SearchEnglish, js_porter_stemmer

__all__ = ["PARTICLES", "SearchKorean", "index_terms", "split_korean", "strip_particle", "setup"]

_HANGUL = "\uac00-\ud7a3"  # precomposed Hangul syllables
_WORD_RE = re.compile(r"\w+")
_RUN_RE = re.compile(f"[{_HANGUL}]+|[^{_HANGUL}]+")
_HANGUL_RE = re.compile(f"[{_HANGUL}]")

# Shortest prefix indexed for every Hangul word. One-syllable prefixes are gated by PARTICLES.
MIN_PREFIX = 2


def _particles() -> frozenset[str]:
    # Case and auxiliary particles (조사) and the copula forms that follow nouns in prose.
    case = (
        "이 가 을 를 은 는 의 도 만 과 와 에 에서 에게 한테 께 으로 로 까지 부터 처럼 보다 마다 "
        "이나 나 이랑 랑 조차 뿐 밖에 으로서 로서 으로써 로써 이든 든 이라도 라도 에서부터"
    ).split()
    copula = (
        "이다 입니다 이에요 예요 인 이라는 라는 이란 란 이며 이고 이지만 이라면 라면 이라고 "
        "라고 이므로 임 일"
    ).split()
    # A second particle after the first: 에서는, 으로도, 과의, 까지만, 만으로 ...
    first = "에 에서 에게 한테 으로 로 과 와 까지 부터 보다 처럼 만 으로서 로서".split()
    second = "는 도 의 만".split()
    after_only = "만은 만을 만이 만으로 만이라도".split()
    single = set(case) | set(copula) | set(after_only) | {a + b for a in first for b in second}
    # Plural 들 before any of them: 층들, 층들을, 모델들의 ...
    return frozenset(single | {"들"} | {"들" + p for p in single})


#: Endings removed from query words and used to gate one-syllable prefixes.
PARTICLES: frozenset[str] = _particles()
_MAX_PARTICLE = max(map(len, PARTICLES))


def _is_hangul(word: str) -> bool:
    return bool(_HANGUL_RE.search(word))


def index_terms(word: str) -> list[str]:
    """Terms indexed for one Hangul word: the word and its prefixes (see the module docstring)."""
    terms = [word]
    terms += [word[:n] for n in range(len(word) - 1, MIN_PREFIX - 1, -1)]
    if len(word) > 1 and word[1:] in PARTICLES:
        terms.append(word[0])
    return terms


def split_korean(text: str) -> list[str]:
    """Split text into index terms: Latin words as Sphinx does, Hangul words with prefixes."""
    terms: list[str] = []
    for token in _WORD_RE.findall(text):
        for run in _RUN_RE.findall(token):
            if not _is_hangul(run):
                terms.append(run)
            elif run not in PARTICLES:
                terms += index_terms(run)
    return terms


def strip_particle(word: str) -> str:
    """Query-side: drop one trailing particle if two or more syllables remain (as the JS does)."""
    for n in range(min(_MAX_PARTICLE, len(word) - 2), 0, -1):
        if word[-n:] in PARTICLES:
            return word[:-n]
    return word


# The query-side code. It is inserted into language_data.js, which loads after searchtools.js,
# so `splitQuery` and `Scorer.score` replace the defaults defined there.
_JS_SPLITTER = r"""
/* Korean search: see _ext/korean_search.py in the book's repository. */
var KoreanSearch = {
  particles: new Set(__PARTICLES__),
  maxParticle: __MAX_PARTICLE__,
  hangul: /[\uac00-\ud7a3]/,
  terms: [],
  stripParticle: (word) => {
    for (let n = Math.min(KoreanSearch.maxParticle, word.length - 2); n >= 1; n--) {
      if (KoreanSearch.particles.has(word.slice(-n))) return word.slice(0, -n);
    }
    return word;
  },
};

var splitQuery = (query) => {
  const words = query
    .split(/[^\p{Letter}\p{Number}_\p{Emoji_Presentation}]+/gu)
    .flatMap((token) => token.match(/[\uac00-\ud7a3]+|[^\uac00-\ud7a3]+/g) || [])
    .filter((word) => !(KoreanSearch.hangul.test(word) && KoreanSearch.particles.has(word)));
  KoreanSearch.terms = words.map((word) =>
    KoreanSearch.hangul.test(word) ? KoreanSearch.stripParticle(word) : word.toLowerCase());
  return words;
};

if (typeof Scorer !== "undefined") {
  Scorer.score = (result) => {
    // result: [docname, title, anchor, descr, score, filename]; use the page's own title,
    // not "page > section" of a section match.
    const index = Search._index;
    const title = String(index.titles[index.docnames.indexOf(result[0])] || "").toLowerCase();
    const inTitle = KoreanSearch.terms.some((term) => title.includes(term));
    return result[4] + (inTitle ? Scorer.title : 0);
  };
}
"""

_JS_STEMMER = js_porter_stemmer.replace("var Stemmer = function", "var PorterStemmer = function")
_JS_STEMMER += r"""
/* Hangul words lose a trailing particle; everything else is stemmed as in English. */
var Stemmer = function() {
  const porter = new PorterStemmer();
  this.stemWord = (word) =>
    KoreanSearch.hangul.test(word) ? KoreanSearch.stripParticle(word) : porter.stemWord(word);
};
"""


class SearchKorean(SearchEnglish):
    """Search language for ``ko``: Hangul words indexed with their prefixes."""

    lang = "ko"
    language_name = "Korean"
    js_stemmer_code = _JS_STEMMER
    js_splitter_code = _JS_SPLITTER.replace(
        "__PARTICLES__", json.dumps(sorted(PARTICLES), ensure_ascii=False)
    ).replace("__MAX_PARTICLE__", str(_MAX_PARTICLE))

    def split(self, input: str) -> list[str]:  # noqa: A002 (Sphinx's signature)
        return split_korean(input)

    def stem(self, word: str) -> str:
        return word if _is_hangul(word) else super().stem(word)


def setup(app):
    app.add_search_language(SearchKorean)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
