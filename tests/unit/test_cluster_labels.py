"""Cluster labels read as Swedish words: no stop words, no line-break fragments, no repeats."""

from __future__ import annotations

import numpy as np

from qualkit.analysis.cluster import keywords_for


def test_labels_skip_broken_words_and_repeat_no_word_in_another_form() -> None:
    texts = [
        "Samordningsförbundet betalar för teamet och perspek- tivet är individens behov.",
        "Samordningsförbund finns i länet och samordningsförbundets styrelse beslutar.",
        "Samordningsförbundet och teamet träffas, perspek- tivet är brett, och vi samverkar.",
        "Telefonkön är lång och kontaktlistan saknas, så vi ringer runt.",
        "Kontaktlistan är gammal och telefonkön växer varje vecka.",
        "Telefonkön igen, och ingen kontaktlista som stämmer.",
    ]
    labels = np.array([0, 0, 0, 1, 1, 1])
    words = keywords_for(texts, labels, top=4, common=0.6)
    first = words[0]
    assert "perspek" not in first  # a word broken at a PDF line end is no label
    assert sum(w.startswith("samordningsförbund") for w in first) == 1
    assert not {"och", "är", "vi", "för"} & set(first)  # Swedish stop words
    assert "telefonkön" in words[1]


def test_a_person_named_often_in_a_group_never_labels_it() -> None:
    texts = [
        "Under rehabiliteringen fick Olle ett samlat stöd från teamet.",
        "Teamet ordnade arbetsträning och Olle kom tillbaka till arbetslivet.",
        "Olle och handläggaren planerade rehabiliteringen med teamet.",
        "Telefonkön är lång och kontaktlistan saknas, så vi ringer runt.",
        "Kontaktlistan är gammal och telefonkön växer varje vecka.",
        "Telefonkön igen, och ingen kontaktlista som stämmer.",
    ]
    words = keywords_for(texts, np.array([0, 0, 0, 1, 1, 1]), top=4, common=0.6)
    assert "olle" not in words[0]
    assert "teamet" in words[0]


def test_a_group_whose_passages_share_no_word_still_gets_a_label() -> None:
    # Three people saying one thing in their own words: no word in two of the passages.
    texts = [
        "Telefonkön är lång och kontaktlistan saknas, så vi ringer runt.",
        "Kontaktlistan är gammal och telefonkön växer varje vecka.",
        "Telefonkön igen, och ingen kontaktlista som stämmer.",
        "Handläggaren byts ofta ut mitt under pågående ärende.",
        "Nya ansikten varje månad gör relationen skör.",
        "Personalomsättningen stjälper kontinuiteten fullständigt.",
    ]
    words = keywords_for(texts, np.array([0, 0, 0, 1, 1, 1]), top=4, common=0.6)
    assert "telefonkön" in words[0]
    assert words[1] and all(len(w) > 2 for w in words[1])


def test_words_in_most_passages_label_a_group_that_has_no_other() -> None:
    texts = ["samverkan fungerar", "samverkan fungerar bra", "samverkan fungerar", "teamet träffas"]
    words = keywords_for(texts, np.array([0, 0, 0, 1]), top=3, common=0.4)
    assert set(words[0]) <= {"samverkan", "fungerar"} and words[0]


def _three_themes() -> tuple[list[str], np.ndarray]:
    """Three groups of four passages; "samverkan" said twice in every other passage of
    every group (a third of all passages: below the `common` cut), "borde" in two passages
    of the first group, and each group's own theme word in three of its four passages."""
    themes = ["telefonkön", "arbetsträningen", "styrelsen"]
    fillers = ["kontoret ringer", "chefen planerar", "veckan går", "mötet börjar"]
    texts, labels = [], []
    for g, theme in enumerate(themes):
        for i, filler in enumerate(fillers):
            words = [filler]
            if i < 3:
                words.append(theme)
            if i % 2 == 0 and not (g == 0 and i == 0):
                words.append("samverkan samverkan")
            if g == 0 and i < 2:
                words.append("borde")
            texts.append(" ".join(words) + ".")
            labels.append(g)
    return texts, np.array(labels)


def test_log_odds_leaves_out_a_word_frequent_in_every_group_and_keeps_distinctive_ones() -> None:
    from qualkit.analysis.cluster_labels import GENERIC_WORDS, PRIOR_WORDS

    texts, labels = _three_themes()
    words = keywords_for(texts, labels, top=2, prior_words=PRIOR_WORDS, generic=GENERIC_WORDS)
    assert all("samverkan" not in w for w in words.values())
    assert all("borde" not in w for w in words.values())
    assert words[0][0] == "telefonkön"
    assert words[1][0] == "arbetsträningen"
    assert words[2][0] == "styrelsen"


def test_log_odds_labels_never_name_a_person_either() -> None:
    from qualkit.analysis.cluster_labels import GENERIC_WORDS, PRIOR_WORDS

    texts = [
        "Under rehabiliteringen fick Olle ett samlat stöd från teamet.",
        "Teamet ordnade arbetsträning och Olle kom tillbaka till arbetslivet.",
        "Olle och handläggaren planerade rehabiliteringen med teamet.",
        "Telefonkön är lång och kontaktlistan saknas, så vi ringer runt.",
        "Kontaktlistan är gammal och telefonkön växer varje vecka.",
        "Telefonkön igen, och ingen kontaktlista som stämmer.",
    ]
    words = keywords_for(
        texts,
        np.array([0, 0, 0, 1, 1, 1]),
        top=4,
        common=0.6,
        prior_words=PRIOR_WORDS,
        generic=GENERIC_WORDS,
    )
    assert "olle" not in words[0]
    assert "teamet" in words[0]
