"""The sentence-embedding option: a model from inside a package, no network, meaning over words."""

from nmahp import embeddings
from nmahp.matching import Clinician, Mentor, score_candidates
from nmahp.qualitative import Project
from nmahp.qualitative.documents import from_open_text
from nmahp.qualitative.suggest import suggest_themes


def test_the_packaged_model_loads_offline_and_measures_meaning():
    assert embeddings.available()
    vectors = embeddings.embed(["no protected time for research", "time released from clinical duties",
                                "the price of parking at the hospital"])
    assert vectors.shape == (3, 384)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.2


def test_matching_by_embeddings_finds_meaning_without_shared_words():
    clinician = Clinician("c", "adult_nurse", "nursing_midwifery", "gm", 1, "helping people with cancer manage "
                          "fatigue", frozenset({"mentoring"}))
    related = Mentor("m0", "adult_nurse", "nursing_midwifery", "gm", 4, "oncology symptom management",
                     frozenset({"mentoring"}))
    unrelated = Mentor("m1", "adult_nurse", "nursing_midwifery", "gm", 4, "hospital car parking policy",
                       frozenset({"mentoring"}))
    by_words = score_candidates([clinician], [related, unrelated], k=2)
    assert by_words.parts["topic"][0].max() == 0  # no word in common: TF-IDF sees nothing
    by_meaning = score_candidates([clinician], [related, unrelated], k=2, topic="embeddings")
    assert by_meaning.preferences(0)[0] == 0 and by_meaning.parts["topic"][0, 0] > 0.2


def test_suggestions_by_embeddings_group_the_same_idea_in_other_words():
    answers = []
    time_phrases = ["no protected time for research", "I never get time away from the ward",
                    "my rota leaves no space for study", "clinical pressures stop me being released"]
    money_phrases = ["masters fees are too expensive", "I cannot afford the salary drop",
                     "funding for study would help", "there is no money for backfill"]
    for i in range(12):
        answers.append((str(i), time_phrases[i % 4], "ahp", ""))
        answers.append((str(100 + i), money_phrases[i % 4], "ahp", ""))
    project = Project("x")
    project.add_document(from_open_text("comments", answers))
    groups = suggest_themes(project, themes=2, method="embeddings")
    assert len(groups) == 2
    for group in groups:
        kinds = {"time" if e in time_phrases else "money" for e in group.examples}
        assert len(kinds) == 1  # each suggested theme holds one idea
