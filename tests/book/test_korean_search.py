"""The book's Korean search language (`_ext/korean_search.py`): what it indexes and strips."""

import importlib.util
import json
import pathlib
import re

from hypothesis import given
from hypothesis import strategies as st

ROOT = pathlib.Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("korean_search", ROOT / "_ext" / "korean_search.py")
ks = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ks)

syllables = st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3)
hangul_words = st.text(syllables, min_size=1, max_size=8)


def test_inflected_words_are_indexed_under_the_bare_noun():
    terms = ks.split_korean("가중치를 만들고 손실이 줄면 층의 설정은 직렬화하면 돼요.")
    for noun in ("가중치", "손실", "층", "설정", "직렬화"):
        assert noun in terms, noun
    assert "가중치를" in terms, "the word itself is indexed too"


def test_one_syllable_prefixes_only_before_a_particle():
    assert "층" in ks.split_korean("층을")
    assert "층" in ks.split_korean("층들의")
    assert "모" not in ks.split_korean("모델")


def test_latin_words_are_cut_off_the_particle():
    assert ks.split_korean("Keras의 Layer를 float32로") == ["Keras", "Layer", "float32"]


def test_bare_particles_are_not_indexed():
    assert ks.split_korean("`build()`를 `call()`에서") == ["build", "call"]


def test_query_words_lose_one_particle_but_keep_two_syllables():
    assert ks.strip_particle("손실을") == "손실"
    assert ks.strip_particle("가중치는") == "가중치"
    assert ks.strip_particle("모델들의") == "모델"
    assert ks.strip_particle("훈련") == "훈련"
    # 정의 → 정 would find only 정 + particle and lose 정의를: one-syllable nouns stay as typed.
    assert ks.strip_particle("층을") == "층을"
    assert ks.strip_particle("정의") == "정의"


@given(hangul_words, st.integers(min_value=2, max_value=8))
def test_a_stripped_query_is_always_indexed_for_the_word_it_came_from(word, length):
    """Stripping a particle from a query can widen the results but never lose a page."""
    query = word[:length]
    if len(query) < 2:
        return
    assert ks.strip_particle(query) in ks.index_terms(word)


@given(hangul_words)
def test_every_word_is_found_by_itself_and_by_its_bare_noun(word):
    terms = ks.index_terms(word)
    assert word in terms
    for particle in ks.PARTICLES:
        noun = word[: -len(particle)]
        if word.endswith(particle) and noun:
            assert noun in terms


def test_the_search_language_keeps_english_stemming_for_latin_words():
    language = ks.SearchKorean({})
    assert language.lang == "ko"
    assert language.stem("Layers") == "layer"
    assert language.stem("손실을") == "손실을", "Hangul words are indexed as they are"


def test_the_browser_code_uses_the_same_particles():
    code = ks.SearchKorean.js_splitter_code
    particles = json.loads(re.search(r"new Set\((\[.*?\])\)", code).group(1))
    assert set(particles) == ks.PARTICLES
    assert f"maxParticle: {max(map(len, ks.PARTICLES))}," in code
    assert "var splitQuery" in code and "Scorer.score" in code
    assert "var Stemmer" in ks.SearchKorean.js_stemmer_code
