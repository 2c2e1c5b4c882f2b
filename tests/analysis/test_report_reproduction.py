"""The report's chapter 5, reproduced from respondent-level data: import the SurveyMonkey-layout
fixture built from the published counts, analyse it with `nmahp analyse`, and find every published
count and percentage (to the report's rounding) where the report agrees with itself. Where it does
not, the test pins the correct value and says why the report differs."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nmahp.cli import app

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def analysed(tmp_path_factory, instrument, csv_name):
    out = tmp_path_factory.mktemp(instrument)
    result = CliRunner().invoke(app, ["analyse", "--input", str(FIXTURES / csv_name), "--instrument", instrument,
                                      "--out", str(out), "--by", "professional_group"])
    assert result.exit_code == 0, result.output
    document = json.loads((out / "tables.json").read_text())
    return {t["id"]: t for t in document["tables"]}, document, result.output


@pytest.fixture(scope="module")
def nmahp(tmp_path_factory):
    return analysed(tmp_path_factory, "nmahp", "report_nmahp_surveymonkey.csv")[0]


@pytest.fixture(scope="module")
def leads(tmp_path_factory):
    return analysed(tmp_path_factory, "leads", "report_leads_surveymonkey.csv")[0]


def cells(table, group=None):
    source = table["cells"] if group is None else next(g for g in table["groups"] if g["name"] == group)["cells"]
    return {c["option"]: c for c in source}


def count(table, *options, group=None):
    found = cells(table, group)
    return sum(found[o]["count"] for o in options)


def base(table, group=None):
    if group is None:
        return table["base_n"]
    return next(g for g in table["groups"] if g["name"] == group)["base_n"]


def percent(table, *options, group=None):
    return round(100 * count(table, *options, group=group) / base(table, group))


def any_of(table, exclusive):
    """Respondents choosing anything but the exclusive 'neither'/'no' option."""
    return table["base_n"] - cells(table)[exclusive]["count"]


def test_import_keeps_174_completed_and_says_what_it_dropped(tmp_path_factory):
    _, document, output = analysed(tmp_path_factory, "nmahp", "report_nmahp_surveymonkey.csv")
    assert document["respondents"] == 174  # 4.2.2.1: 174 completed submissions after removing duplicates
    assert "5 incomplete or declined submissions excluded; 1 duplicates removed" in document["notes"][0]


# (table, options, published count, published percent, published base, where)
NMAHP_OVERALL = [
    ("profession", ["nurse", "adult_nurse", "childrens_nurse", "mental_health_nurse", "learning_disability_nurse"],
     68, 39, 174, "5.1.1.1"),
    ("profession", ["physiotherapist"], 35, 20, 174, "5.1.1.1"),
    ("profession", ["midwife"], 18, 10, 174, "5.1.1.1"),
    ("profession", ["occupational_therapist"], 15, 9, 174, "5.1.1.1"),
    ("profession", ["speech_and_language_therapist"], 8, 5, 174, "5.1.1.1"),
    ("professional_group", ["nursing_midwifery"], 86, 49, 174, "5.1.1.1"),
    ("professional_group", ["ahp"], 78, 45, 174, "5.1.1.1"),
    ("professional_group", ["other"], 10, 6, 174, "5.1.1.1"),
    ("pay_band", ["band_6", "band_7"], 105, 61, None, "5.1.1.2"),
    ("pay_band", ["band_8a"], None, 19, None, "5.1.1.2"),
    ("pay_band", ["other"], 7, None, None, "5.1.1.2"),
    ("years_qualified", ["over_20"], 70, 40, None, "5.1.1.3"),
    ("years_qualified", ["11_20"], 65, 37, None, "5.1.1.3"),
    ("age", ["40_49"], 69, 42, None, "5.1.1.4"),
    ("ethnicity", ["white_british"], 136, 80, None, "5.1.1.5"),
    ("ethnicity", ["asian_indian"], 11, 7, None, "5.1.1.5"),
    ("ethnicity", ["white_other"], 7, 4, None, "5.1.1.5"),
    ("gender", ["female"], 148, 87, None, "5.1.1.6"),
    ("sexual_orientation", ["straight"], 148, 89, None, "5.1.1.7"),
    ("disability", ["none"], 144, 86, None, "5.1.1.8"),
    ("disability", ["hidden"], 6, 4, None, "5.1.1.8"),
    ("disability", ["learning"], 4, None, None, "5.1.1.8"),
    ("disability", ["physical"], 6, None, None, "5.1.1.8"),
    ("region", ["greater_manchester"], 85, 49, None, "5.1.1.9"),
    ("region", ["cheshire_merseyside"], 62, 36, None, "5.1.1.9"),
    ("region", ["lancashire_south_cumbria"], 25, 14, None, "5.1.1.9"),
    ("organisation_type", ["acute_trust"], 131, 75, 174, "5.1.1.10"),
    ("organisation_type", ["other"], 9, None, None, "5.1.1.10"),
    ("organisation_type", ["independent_provider"], 0, None, None, "5.1.1.10"),
    ("university_status", ["yes"], None, 76, None, "5.1.1.10"),
    ("university_status", ["working_towards"], None, 1, None, "5.1.1.10"),
    ("qualifications", ["degree"], None, 86, None, "5.1.2"),
    ("recent_applications", ["applying"], 35, 20, None, "5.1.2.1"),
    ("recent_applications", ["unsuccessful"], None, 25, None, "5.1.2.1"),
    ("job_description", ["research"], None, 49, 174, "5.1.3.1"),
    ("time_last_12_months", ["teaching"], 126, 72, 174, "5.1.3.2"),
    ("time_last_12_months", ["research"], 103, 59, 174, "5.1.3.2"),
    ("time_proportion_research", ["under_25"], 60, 41, None, "5.1.3.3"),
    ("time_proportion_research", ["51_75", "over_75"], 37, 25, None, "5.1.3.3"),
    ("time_proportion_teaching", ["under_25"], 79, 53, None, "5.1.3.3"),
    ("research_activities", ["evidence_in_practice"], 110, 63, None, "5.1.3.4"),
    ("research_activities", ["research_activity"], 108, 62, None, "5.1.3.4"),
    ("research_activities", ["clinical_audit"], 103, 59, None, "5.1.3.4"),
    ("research_activities", ["supporting_trials"], 77, 44, None, "5.1.3.4"),
    ("research_activities", ["writing_for_publication"], 76, 44, None, "5.1.3.4"),
    ("research_activities", ["none"], 17, 10, None, "5.1.3.4"),
    ("research_activities", ["other"], 7, None, None, "5.1.3.4"),
    ("teaching_activities", ["learner_supervision"], 148, 85, None, "5.1.3.5"),
    ("teaching_activities", ["mentoring"], 136, 78, None, "5.1.3.5"),
    ("teaching_activities", ["clinical_education"], 116, 67, None, "5.1.3.5"),
    ("teaching_activities", ["practice_assessment"], 105, 60, None, "5.1.3.5"),
    ("teaching_activities", ["professional_development"], 99, 57, None, "5.1.3.5"),
    ("teaching_activities", ["lecturing"], 90, 52, None, "5.1.3.5"),
    ("teaching_activities", ["none"], 3, None, None, "5.1.3.5"),
    ("teaching_activities", ["other"], 4, None, None, "5.1.3.5"),
    ("research_knowledge_skills", ["good", "excellent"], 83, 50, 166, "5.1.4.1"),
    ("teaching_knowledge_skills", ["good", "excellent"], 102, 61, 168, "5.1.4.1"),
    ("research_knowledge_skills", ["not_good_at_all", "not_good"], 37, 22, 166, "5.1.4.1"),
    ("teaching_knowledge_skills", ["not_good_at_all", "not_good"], 12, 7, 168, "5.1.4.1"),
    ("research_knowledge_skills", ["fair"], 46, 28, 166, "5.1.4.1"),
    ("teaching_knowledge_skills", ["fair"], 54, 32, 168, "5.1.4.1"),
    ("research_confidence", ["confident", "very_confident"], 57, 34, 169, "5.1.4.2"),
    ("teaching_confidence", ["confident", "very_confident"], 77, 46, 168, "5.1.4.2"),
    ("research_confidence", ["somewhat_confident"], 47, 28, 169, "5.1.4.2"),
    ("teaching_confidence", ["somewhat_confident"], 56, 33, 168, "5.1.4.2"),
    ("research_career_pathway", ["very_unclear", "unclear"], 85, 51, 166, "5.1.5"),
    ("research_career_pathway", ["unclear"], 57, 34, 166, "5.1.5"),
    ("teaching_career_pathway", ["neither"], 57, 35, 164, "5.1.5"),
    ("careers_advice_received", ["teaching"], 44, 25, 174, "5.1.6"),
    ("careers_advice_future", ["dont_know", "not_sure"], 98, 56, 174, "5.1.6"),
    ("careers_advice_future", ["dont_know"], 46, 26, 174, "5.1.6"),
    ("careers_advice_future", ["not_sure"], 52, 30, 174, "5.1.6"),
    ("careers_advice_sources", ["clinical_colleagues"], 56, 60, None, "5.1.6.1"),
    ("careers_advice_sources", ["senior_clinical_academics"], 40, 43, None, "5.1.6.1"),
    ("careers_advice_sources", ["peers"], 38, 40, None, "5.1.6.1"),
    ("careers_advice_sources", ["mentors"], 37, 39, None, "5.1.6.1"),
    ("research_interest", ["interested", "very_interested"], 129, 75, 172, "5.1.7"),
    ("teaching_interest", ["interested", "very_interested"], 110, 65, 168, "5.1.7"),
    ("teaching_interest", ["interested"], 71, 42, 168, "5.1.7"),
    ("research_interest", ["very_interested"], 72, 42, 172, "5.1.7"),
    ("sparked_by_people", [], 111, 73, None, "5.1.7.1"),
    ("sparked_by_activity_at_work", [], 102, 67, None, "5.1.7.1"),
    ("sparked_by_conference", [], 100, 66, None, "5.1.7.1"),
    ("sparked_by_lecture", [], 93, 61, None, "5.1.7.1"),
    ("sparked_by_training_award", [], 73, 48, None, "5.1.7.1"),
    ("sparked_by_practice_issue", [], 70, 46, None, "5.1.7.1"),
    ("sparked_by_conference", ["research"], 83, 55, None, "5.1.7.1"),
    ("sparked_by_conference", ["teaching"], 51, 34, None, "5.1.7.1"),
    ("workplace_preference", ["nhs_healthcare"], 109, 69, None, "5.1.7.3"),
    ("workplace_preference", ["joint_appointment"], 109, 69, None, "5.1.7.3"),
    ("top_enablers", ["financial_support"], 105, 60, 174, "5.1.8"),
    ("top_enablers", ["desirable_contracts"], 80, 46, 174, "5.1.8"),
    ("top_enablers", ["support_opportunities"], 72, 41, 174, "5.1.8"),
    ("top_enablers", ["host_employer_support"], 60, 34, 174, "5.1.8"),
    ("top_barriers", ["lack_of_contracts"], 80, 46, 174, "5.1.9"),
    ("top_barriers", ["financial_penalties"], 72, 41, 174, "5.1.9"),
    ("top_barriers", ["not_change_employer"], None, 37, 174, "5.1.9"),
    ("top_barriers", ["lack_of_training"], 59, 34, 174, "5.1.9"),
    ("top_barriers", ["unclear_career_paths"], 56, 32, 174, "5.1.9"),
    ("top_barriers", ["patient_contact"], 54, 31, 174, "5.1.9"),
    ("top_barriers", ["other"], 13, None, 174, "5.1.9"),
]
def sparked_count(nmahp, question, options):
    table = nmahp[question]
    if not options:  # anyone who chose the row for research and/or teaching
        return table["base_n"], table["base_n"]
    return count(table, *options), table["base_n"]


@pytest.mark.parametrize("question,options,published_n,published_pct,published_base,where", NMAHP_OVERALL,
                         ids=[f"{q}:{'+'.join(o) or 'any'}" for q, o, *_ in NMAHP_OVERALL])
def test_nmahp_published_figures(nmahp, question, options, published_n, published_pct, published_base, where):
    if question.startswith("sparked_by_"):
        n, _ = sparked_count(nmahp, question, options)
        question_base = 152  # respondents to the whole 'what sparked your interest' question
        pct = round(100 * n / question_base)
    else:
        table = nmahp[question]
        n, pct = count(table, *options), percent(table, *options)
        if published_base is not None:
            assert table["base_n"] == published_base, where
    if published_n is not None:
        assert n == published_n, where
    if published_pct is not None:
        assert pct == published_pct, where


LIKERT_TABLES = {  # question: (N, counts 1..5, percents printed in the table)
    "research_knowledge_skills": (166, [9, 28, 46, 67, 16], [5.42, 16.87, 27.71, 40.36, 9.64]),  # 1A
    "teaching_knowledge_skills": (168, [1, 11, 54, 87, 15], [0.60, 6.55, 32.14, 51.79, 8.93]),
    "research_confidence": (169, [33, 32, 47, 36, 21], [19.53, 18.93, 27.81, 21.30, 12.43]),  # 2A
    "teaching_confidence": (168, [4, 31, 56, 58, 19], [2.38, 18.45, 33.33, 34.52, 11.31]),
    "research_career_pathway": (166, [28, 57, 49, 26, 6], [16.87, 34.34, 29.52, 15.66, 3.61]),  # 3A
    "teaching_career_pathway": (164, [21, 47, 57, 36, 3], [12.80, 28.66, 34.76, 21.95, 1.83]),
    "teaching_interest": (168, [11, 16, 31, 71, 39], [6.55, 9.52, 18.45, 42.26, 23.21]),  # 4A
    "research_interest": (172, [13, 10, 20, 57, 72], [7.56, 5.81, 11.63, 33.14, 41.86]),
}


@pytest.mark.parametrize("question", LIKERT_TABLES)
def test_tables_1a_to_4a_counts_and_percents(nmahp, question):
    n, counts, percents = LIKERT_TABLES[question]
    table = nmahp[question]
    assert table["base_n"] == n
    assert [c["count"] for c in table["cells"]] == counts
    assert [round(c["percent"], 2) for c in table["cells"]] == pytest.approx(percents, abs=0.005)
    assert [c["score"] for c in table["cells"]] == [1, 2, 3, 4, 5]


@pytest.mark.parametrize("question,published,correct,why", [
    ("research_knowledge_skills", 3.32, 3.32, "agrees"),
    ("teaching_knowledge_skills", 3.62, 3.62, "agrees"),
    ("research_confidence", 2.88, 2.88, "agrees"),
    ("teaching_confidence", 3.34, 3.34, "agrees"),
    ("research_career_pathway", 3.23, 2.55, "Table 3A prints 3.23, but sum(k*n_k)/N of its own counts is 2.55"),
    ("teaching_career_pathway", 3.54, 2.71, "Table 3A prints 3.54; its counts give 2.71"),
    ("teaching_interest", 5.15, 3.66, "Table 4A prints 5.15, impossible on a 1-5 scale; its counts give 3.66"),
    ("research_interest", 5.58, 3.96, "Table 4A prints 5.58, impossible on a 1-5 scale; its counts give 3.96"),
])
def test_weighted_averages_are_computed_never_copied(nmahp, question, published, correct, why):
    assert round(nmahp[question]["weighted_average"], 2) == correct, why


def test_table_5a_role_contract_interest(nmahp):
    table = nmahp["role_contract_interest"]
    assert table["base_n"] == 147
    published = [  # role, interested, % of 147, contract % of those interested (Table 5A)
        ("clinical_research", 105, 71, [55.24, 52.38, 8.57, 23.81, 12.38]),
        ("clinical_teaching_research", 98, 66.67, [60.20, 50.0, 12.24, 23.47, 12.24]),
        ("research_only", 89, 60.54, [43.82, 58.43, 11.24, 28.09, 19.10]),
        ("clinical_teaching", 77, 52.38, [40.26, 66.23, 10.39, 25.97, 9.09]),
        ("teaching_research", 72, 48.98, [41.67, 66.67, 9.72, 23.61, 12.50]),
        ("teaching_only", 64, 43.54, [29.69, 78.12, 12.50, 29.69, 10.94]),
    ]
    assert [r["role"] for r in table["roles"]] == [p[0] for p in published]  # ordered by interest, as printed
    for (role, interested, share, contracts), row in zip(published, table["roles"], strict=True):
        assert row["interested"] == interested
        digits = 0 if role == "clinical_research" else 2  # the table prints "105 (71%)" for this row only
        assert round(row["percent"], digits) == share
        assert [round(c["percent"], 2) for c in row["contracts"]] == pytest.approx(contracts, abs=0.006)


NMAHP_BY_GROUP = [  # question, options, group, published percent, where
    ("years_qualified", ["over_20"], "ahp", 42, "5.1.1.3 (42% of AHPs)"),
    ("years_qualified", ["over_20"], "nursing_midwifery", 38, "5.1.1.3"),
    ("age", ["50_59", "60_plus"], "nursing_midwifery", 28, "5.1.1.4"),
    ("age", ["50_59", "60_plus"], "ahp", 12, "5.1.1.4"),
    ("region", ["greater_manchester"], "nursing_midwifery", 62, "5.1.1.9"),
    ("region", ["greater_manchester"], "ahp", 32, "5.1.1.9"),
    ("region", ["cheshire_merseyside"], "ahp", 41, "5.1.1.9"),
    ("job_description", ["research"], "nursing_midwifery", 59, "5.1.3.1"),
    ("job_description", ["research"], "ahp", 38, "5.1.3.1"),
    ("time_proportion_research", ["under_25"], "nursing_midwifery", 29, "5.1.3.3"),
    ("time_proportion_research", ["over_75"], "nursing_midwifery", 41, "5.1.3.3"),
    ("time_proportion_research", ["over_75"], "ahp", 6, "5.1.3.3"),
    ("research_activities", ["clinical_audit"], "ahp", 73, "5.1.3.4"),
    ("research_activities", ["evidence_in_practice"], "ahp", 72, "5.1.3.4"),
    ("research_activities", ["research_activity"], "ahp", 63, "5.1.3.4"),
    ("research_activities", ["writing_for_publication"], "ahp", 54, "5.1.3.4"),
    ("research_activities", ["journal_club"], "ahp", 54, "5.1.3.4"),
    ("research_activities", ["research_activity"], "nursing_midwifery", 59, "5.1.3.4"),
    ("research_activities", ["evidence_in_practice"], "nursing_midwifery", 57, "5.1.3.4"),
    ("research_activities", ["supporting_trials"], "nursing_midwifery", 50, "5.1.3.4"),
    ("research_activities", ["clinical_audit"], "nursing_midwifery", 50, "5.1.3.4"),
    ("research_activities", ["writing_for_publication"], "nursing_midwifery", 34, "5.1.3.4"),
    ("research_activities", ["journal_club"], "nursing_midwifery", 13, "5.1.3.4"),
    ("research_knowledge_skills", ["good", "excellent"], "nursing_midwifery", 59, "5.1.4.1"),
    ("research_knowledge_skills", ["good", "excellent"], "ahp", 39, "5.1.4.1"),
    ("research_confidence", ["confident", "very_confident"], "nursing_midwifery", 45, "5.1.4.2"),
    ("research_confidence", ["confident", "very_confident"], "ahp", 21, "5.1.4.2"),
    ("research_career_pathway", ["very_unclear", "unclear"], "ahp", 62, "5.1.5"),
    ("teaching_career_pathway", ["very_unclear", "unclear"], "ahp", 49, "5.1.5"),
    ("research_career_pathway", ["very_unclear", "unclear"], "nursing_midwifery", 40, "5.1.5"),
    ("teaching_career_pathway", ["very_unclear", "unclear"], "nursing_midwifery", 33, "5.1.5"),
    ("careers_advice_sources", ["clinical_colleagues"], "ahp", 59, "5.1.6.1"),
    ("careers_advice_sources", ["clinical_colleagues"], "nursing_midwifery", 61, "5.1.6.1"),
    ("careers_advice_sources", ["peers"], "nursing_midwifery", 45, "5.1.6.1"),
    ("careers_advice_sources", ["senior_clinical_academics"], "ahp", 49, "5.1.6.1"),
    ("teaching_interest", ["interested"], "ahp", 51, "5.1.7"),
    ("teaching_interest", ["very_interested"], "nursing_midwifery", 34, "5.1.7"),
    ("workplace_preference", ["nhs_healthcare"], "nursing_midwifery", 76, "5.1.7.3"),
    ("workplace_preference", ["nhs_healthcare"], "ahp", 61, "5.1.7.3"),
    ("workplace_preference", ["joint_appointment"], "nursing_midwifery", 68, "5.1.7.3"),
    ("workplace_preference", ["joint_appointment"], "ahp", 70, "5.1.7.3"),
    ("top_enablers", ["financial_support"], "ahp", 72, "5.1.8"),
    ("top_enablers", ["financial_support"], "nursing_midwifery", 50, "5.1.8"),
    ("top_enablers", ["desirable_contracts"], "ahp", 60, "5.1.8"),
    ("top_enablers", ["desirable_contracts"], "nursing_midwifery", 37, "5.1.8"),
    ("top_barriers", ["lack_of_contracts"], "ahp", 50, "5.1.9"),
    ("top_barriers", ["lack_of_contracts"], "nursing_midwifery", 43, "5.1.9"),
    ("top_barriers", ["financial_penalties"], "ahp", 50, "5.1.9"),
    ("top_barriers", ["financial_penalties"], "nursing_midwifery", 35, "5.1.9"),
    ("top_barriers", ["not_change_employer"], "ahp", 44, "5.1.9"),
    ("top_barriers", ["not_change_employer"], "nursing_midwifery", 29, "5.1.9"),
    ("top_barriers", ["unclear_career_paths"], "nursing_midwifery", 36, "5.1.9"),
    ("top_barriers", ["unclear_career_paths"], "ahp", 31, "5.1.9"),
]


@pytest.mark.parametrize("question,options,group,published_pct,where", NMAHP_BY_GROUP,
                         ids=[f"{q}:{'+'.join(o)}:{g}" for q, o, g, *_ in NMAHP_BY_GROUP])
def test_nmahp_nurses_and_midwives_vs_ahps(nmahp, question, options, group, published_pct, where):
    table = nmahp[f"{question}_by_professional_group"]
    assert percent(table, *options, group=group) == published_pct, where


def test_teaching_only_marked_difference_is_tested(nmahp):
    # 5.1.7.2: "A markedly higher proportion of nurses and midwives (52%) indicated interest in a
    # teaching only role compared to AHPs (36%)". The study ran no test; the engine does.
    table = nmahp["roles_of_interest_by_professional_group"]
    assert percent(table, "teaching_only", group="nursing_midwifery") == 52
    assert percent(table, "teaching_only", group="ahp") == 36
    test = next(t for t in table["tests"] if t["option"] == "teaching_only")
    assert test["test"] == "fisher_exact"
    assert 0.05 < test["p"] < 0.1  # suggestive on its own ...
    assert test["p_adjusted"] > 0.05 and test["marked"] is False  # ... and not marked once corrected (Holm)


def test_enabler_and_barrier_ranks(nmahp):
    enablers = [c["option"] for c in nmahp["top_enablers"]["cells"]]
    assert enablers[:4] == ["financial_support", "desirable_contracts", "support_opportunities",
                            "host_employer_support"]
    assert enablers.index("clearer_career_paths") == 5  # 7.4.1: the sixth most frequently selected enabler
    barriers = [c["option"] for c in nmahp["top_barriers"]["cells"]]
    assert barriers[:3] == ["lack_of_contracts", "financial_penalties", "not_change_employer"]


# --- where the report contradicts itself: the correct value, pinned, and why ---------------------------------
@pytest.mark.parametrize("question,options,n,printed,correct,where", [
    ("research_confidence", ["not_confident_at_all", "slightly_confident"], 65, 39, 38,
     "5.1.4.2 prints 39% (n=65); 65 of Table 2A's 169 is 38.5%"),
    ("teaching_confidence", ["not_confident_at_all", "slightly_confident"], 35, 20, 21,
     "5.1.4.2 prints 20% (n=35); 35 of Table 2A's 168 is 20.8%"),
    ("teaching_career_pathway", ["very_unclear", "unclear"], 68, 42, 41,
     "5.1.5 prints 42% (n=68); 68 of Table 3A's 164 is 41.5%"),
    ("research_career_pathway", ["clear", "very_clear"], 32, 20, 19,
     "5.1.5 prints 20% (n=32); 32 of Table 3A's 166 is 19.3%"),
    ("teaching_career_pathway", ["clear", "very_clear"], 39, 27, 24,
     "5.1.5 prints 27% (n=39); 39 of Table 3A's 164 is 23.8%"),
])
def test_prose_percentages_that_disagree_with_their_own_tables(nmahp, question, options, n, printed, correct, where):
    table = nmahp[question]
    assert count(table, *options) == n  # the count in the prose agrees with the table ...
    assert percent(table, *options) == correct != printed, where  # ... the percentage beside it does not
def test_job_description_teaching_share_cannot_be_64_percent(nmahp):
    # 5.1.3.1 prints 83% (n=144) with any, 49% research, 33% (n=58) both and 64% teaching. With 174
    # respondents, research 85 (49%), both 58 and any 144 force teaching = 144 + 58 - 85 = 117 = 67%.
    table = nmahp["job_description"]
    assert any_of(table, "neither") == 144
    assert count(table, "research") + count(table, "teaching") - any_of(table, "neither") == 58
    assert percent(table, "teaching") == 67


def test_more_than_half_of_teaching_time_is_7_percent_not_8(nmahp):
    # 5.1.3.3: "only 8% (n=10) spent this amount of time on teaching": 10 of the question's 149 is 6.7%
    table = nmahp["time_proportion_teaching"]
    assert count(table, "51_75", "over_75") == 10 and table["base_n"] == 149
    assert percent(table, "51_75", "over_75") == 7


def test_research_careers_advice_is_44_percent_not_43(nmahp):
    # 5.1.6: "43% (n=76)". All 174 answered (79 said no; 95 had advice), and 76/174 = 43.7% = 44%.
    table = nmahp["careers_advice_received"]
    assert (count(table, "research"), table["base_n"], any_of(table, "no")) == (76, 174, 95)
    assert percent(table, "research") == 44


def test_training_award_row_cannot_exceed_its_total(nmahp):
    # 5.1.7.1 first says 48% (n=73) were sparked by hearing about training awards, then that 77%
    # (n=118) were sparked towards research and 53% (n=80) towards teaching by it: both exceed the
    # row's 73. The fixture keeps the row total of 73.
    assert nmahp["sparked_by_training_award"]["base_n"] == 73


def test_unclear_paths_is_second_not_third_for_nurses_and_midwives(nmahp):
    # 5.1.9 calls unclear career paths the third most selected barrier for nurses and midwives (36%),
    # but the same section gives them financial penalties at 35%: at 36% it ranks second.
    group = cells(nmahp["top_barriers_by_professional_group"], "nursing_midwifery")
    ranked = sorted(group, key=lambda o: -group[o]["count"])
    assert ranked[:2] == ["lack_of_contracts", "unclear_career_paths"]


# --- the leads survey: counts as n/N below 50 -----------------------------------------------------------------
LEADS = [  # question, options, n, N, where
    ("profession", ["physiotherapy"], 4, 15, "5.2.1"), ("profession", ["nursing"], 3, 15, "5.2.1"),
    ("profession", ["midwifery"], 1, 15, "5.2.1"), ("profession", ["other"], 3, 15, "5.2.1"),
    ("region", ["greater_manchester"], 9, 16, "5.2.1.1"), ("region", ["lancashire_south_cumbria"], 4, 16, "5.2.1.1"),
    ("region", ["cheshire_merseyside"], 2, 16, "5.2.1.1"),
    ("organisation_type", ["acute_trust"], 8, 16, "5.2.1.2"), ("organisation_type", ["other"], 4, 16, "5.2.1.2"),
    ("university_status", ["yes"], 7, 15, "5.2.1.2"), ("university_status", ["working_towards"], 2, 15, "5.2.1.2"),
    ("age", ["50_plus"], 8, 13, "5.2.1.3"),
    ("ethnicity", ["white_british"], 11, 13, "5.2.1.4"), ("gender", ["female"], 12, 13, "5.2.1.4"),
    ("sexual_orientation", ["straight"], 12, 13, "5.2.1.4"), ("disability", ["none"], 11, 13, "5.2.1.4"),
    ("time_last_12_months", ["teaching"], 11, 16, "5.2.2.2"), ("time_last_12_months", ["research"], 14, 16, "5.2.2.2"),
    ("time_proportion_teaching", ["under_25"], 8, 14, "5.2.2.3"),
    ("time_proportion_research", ["under_25"], 10, 15, "5.2.2.3"),
    ("research_knowledge_skills", ["fair"], 5, 15, "5.2.3.1"), ("research_knowledge_skills", ["good"], 5, 15, "5.2.3.1"),
    ("teaching_knowledge_skills", ["fair"], 6, 15, "5.2.3.1"),
    ("research_confidence", ["confident"], 7, 14, "5.2.3.2"),
    ("teaching_confidence", ["somewhat_confident"], 5, 14, "5.2.3.2"),
    ("org_support_teaching", ["not_good_at_all"], 5, 14, "5.2.7.2 (prints n=5/15; Table 11A's N is 14)"),
    ("research_career_pathway", ["very_unclear"], 8, 15, "5.2.4"),
    ("teaching_career_pathway", ["very_unclear"], 8, 15, "5.2.4"),
    ("research_career_pathway", ["very_unclear", "unclear"], 12, 15, "5.2.4"),
    ("teaching_career_pathway", ["very_unclear", "unclear"], 12, 15, "5.2.4"),
    ("careers_advice_received", ["no"], 11, 16, "5.2.5"), ("careers_advice_received", ["research"], 4, 16, "5.2.5"),
    ("careers_advice_received", ["teaching"], 2, 16, "5.2.5"),
    ("careers_advice_future", ["dont_know", "not_sure"], 12, 16, "5.2.5"),
    ("careers_advice_sources", ["peers"], 4, 5, "5.2.5.1"),
    ("careers_advice_sources", ["senior_clinical_academics"], 3, 5, "5.2.5.1"),
    ("careers_advice_sources", ["clinical_colleagues"], 3, 5, "5.2.5.1"),
    ("careers_advice_sources", ["research_funders"], 3, 5, "5.2.5.1"),
    ("teaching_interest", ["interested"], 7, 16, "5.2.6"), ("research_interest", ["interested"], 7, 16, "5.2.6"),
    ("teaching_interest", ["interested", "very_interested"], 12, 16, "5.2.6"),
    ("research_interest", ["interested", "very_interested"], 13, 16, "5.2.6"),
    ("org_awareness", ["slightly_aware"], 4, 15, "5.2.7.1"), ("org_awareness", ["somewhat_aware"], 4, 15, "5.2.7.1"),
    ("org_support_research", ["not_good_at_all"], 6, 14, "5.2.7.2"),
    ("top_enablers", ["range_of_contracts"], 7, 16, "5.2.8"), ("top_enablers", ["training_access"], 7, 16, "5.2.8"),
    ("top_enablers", ["financial_support"], 5, 16, "5.2.8"), ("top_enablers", ["support_opportunities"], 5, 16, "5.2.8"),
    ("top_enablers", ["post_funding"], 5, 16, "5.2.8"),
    ("top_barriers", ["no_allocated_time"], 9, 16, "5.2.9"), ("top_barriers", ["lack_of_strategic_support"], 8, 16, "5.2.9"),
    ("top_barriers", ["workload"], 8, 16, "5.2.9"),
]


@pytest.mark.parametrize("question,options,n,base_n,where", LEADS,
                         ids=[f"{q}:{'+'.join(o)}" for q, o, *_ in LEADS])
def test_leads_published_counts(leads, question, options, n, base_n, where):
    table = leads[question]
    assert (count(table, *options), table["base_n"]) == (n, base_n), where
    assert table["counts_only"] is True  # N < 50: n/N, never a percentage
    assert all(c["percent"] is None for c in table["cells"])


def test_leads_job_descriptions(leads):
    table = leads["job_description"]
    assert any_of(table, "neither") == 12  # 5.2.2.1: 12/16
    assert count(table, "research") + count(table, "teaching") - 12 == 7  # 7/16 had both


@pytest.mark.parametrize("question,counts,published,correct,why", [
    ("research_knowledge_skills", [2, 2, 5, 5, 1], 3.07, 3.07, "agrees"),                                   # 6A
    ("teaching_knowledge_skills", [2, 3, 6, 3, 1], 2.87, 2.87, "agrees"),
    ("research_confidence", [3, 1, 3, 7, 0], 3.0, 3.0, "agrees"),                                          # 7A
    ("teaching_confidence", [2, 4, 5, 2, 1], 2.71, 2.71, "agrees"),
    ("research_career_pathway", [8, 4, 2, 1, 0], 2.0, 1.73, "Table 8A prints 2; its counts give 26/15 = 1.73"),
    ("teaching_career_pathway", [8, 4, 3, 0, 0], 1.87, 1.67, "Table 8A prints 1.87; its counts give 25/15 = 1.67"),
    ("teaching_interest", [0, 0, 4, 7, 5], 4.06, 4.06, "agrees"),                                          # 9A
    ("research_interest", [0, 0, 3, 7, 6], 4.18, 4.19, "Table 9A prints 4.18; 67/16 = 4.1875 rounds to 4.19"),
    ("org_awareness", [3, 4, 4, 3, 1], 2.4, 2.67, "Table 10A prints 2.4; its counts give 40/15 = 2.67"),     # 10A
    ("org_support_research", [6, 3, 3, 1, 1], 2.14, 2.14, "agrees"),                                       # 11A
    ("org_support_teaching", [5, 2, 3, 2, 2], 2.57, 2.57, "agrees (the prose's n=5/15 contradicts N=14)"),
])
def test_tables_6a_to_11a(leads, question, counts, published, correct, why):
    table = leads[question]
    assert [c["count"] for c in table["cells"]] == counts
    assert round(table["weighted_average"], 2) == correct, why


def test_leads_respondents_and_professions_represented(tmp_path_factory):
    tables, document, _ = analysed(tmp_path_factory, "leads", "report_leads_surveymonkey.csv")
    assert document["respondents"] == 16  # 5.2: "In total, 16 people responded"
    # 5.2.1: "Speech and language therapy ... and occupational therapy were also represented"
    assert count(tables["profession"], "speech_and_language_therapy") >= 1
    assert count(tables["profession"], "occupational_therapy") >= 1


# "The highest proportion of respondents ..." (and "most commonly selected"): each claim's options lead their
# table, ties included, and nothing else reaches them
LEADS_HIGHEST = [  # question, the options the report names as the highest, where
    ("region", ["greater_manchester"], "5.2.1.1"), ("organisation_type", ["acute_trust"], "5.2.1.2"),
    ("age", ["50_plus"], "5.2.1.3"), ("ethnicity", ["white_british"], "5.2.1.4"), ("gender", ["female"], "5.2.1.4"),
    ("sexual_orientation", ["straight"], "5.2.1.4"), ("disability", ["none"], "5.2.1.4"),
    ("job_description_research_teaching", ["both"], "5.2.2.1: (n=7/16) had teaching and learning and research"),
    ("time_proportion_teaching", ["under_25"], "5.2.2.3"), ("time_proportion_research", ["under_25"], "5.2.2.3"),
    ("research_knowledge_skills", ["fair", "good"], "5.2.3.1"), ("teaching_knowledge_skills", ["fair"], "5.2.3.1"),
    ("research_confidence", ["confident"], "5.2.3.2"), ("teaching_confidence", ["somewhat_confident"], "5.2.3.2"),
    ("research_career_pathway", ["very_unclear"], "5.2.4"), ("teaching_career_pathway", ["very_unclear"], "5.2.4"),
    ("careers_advice_received", ["no"], "5.2.5"), ("careers_advice_sources", ["peers"], "5.2.5.1"),
    ("teaching_interest", ["interested"], "5.2.6"), ("research_interest", ["interested"], "5.2.6"),
    ("org_awareness", ["slightly_aware", "somewhat_aware"], "5.2.7.1"),
    ("org_support_research", ["not_good_at_all"], "5.2.7.2"), ("org_support_teaching", ["not_good_at_all"], "5.2.7.2"),
    ("top_enablers", ["range_of_contracts", "training_access", "financial_support", "support_opportunities",
                      "post_funding"], "5.2.8: the five most commonly selected"),
    ("top_barriers", ["no_allocated_time", "lack_of_strategic_support", "workload"], "5.2.9: the three most selected"),
]


@pytest.mark.parametrize("question,options,where", LEADS_HIGHEST, ids=[q for q, *_ in LEADS_HIGHEST])
def test_leads_highest_proportions(leads, question, options, where):
    found = cells(leads[question])
    named = [found[o]["count"] for o in options]
    rest = [c["count"] for o, c in found.items() if o not in options]
    assert min(named) > max(rest, default=0), where
    if question not in ("top_enablers", "top_barriers"):  # a tie is named as one: "fair (5/15) or good (5/15)"
        assert len(set(named)) == 1, where


def test_leads_job_description_combined_as_a_measure(leads):
    # 5.2.2.1: "12/16 ... in their job description ... (n=7/16) had teaching and learning *and* research", from
    # the measure's categories (src/nmahp/workbooks/leads_survey.measures.yaml), over everyone who answered
    table = leads["job_description_research_teaching"]
    assert table["base_n"] == 16 and count(table, "both") == 7
    assert table["base_n"] - count(table, "neither") == 12
    assert table["counts_only"] is True


def _mean_words(table):
    """The study's words for a weighted average on a 1-5 scale: the point it falls on, or 'A-B' between two
    points when it is half way or more to the next (3.07 'fair', 2.87 'not good-fair', 2.4 'slightly aware')."""
    labels = [c["label"].lower() for c in table["cells"]]
    mean = table["weighted_average"]
    low = int(mean)
    return labels[low - 1] if mean - low < 0.5 else f"{labels[low - 1]}-{labels[low]}"


@pytest.mark.parametrize("research,teaching,higher,published,correct,why", [
    ("research_knowledge_skills", "teaching_knowledge_skills", "research", ("fair", "not good-fair"),
     ("fair", "not good-fair"), "5.2.3.1: agrees"),
    ("research_confidence", "teaching_confidence", "research", ("somewhat confident",
     "slightly confident-somewhat confident"), ("somewhat confident", "slightly confident-somewhat confident"),
     "5.2.3.2: agrees"),
    ("research_career_pathway", "teaching_career_pathway", "research", ("unclear", "very unclear-unclear"),
     ("very unclear-unclear", "very unclear-unclear"),
     "5.2.4: 'unclear' is the printed average of 2; Table 8A's counts give 1.73"),
    ("org_support_research", "org_support_teaching", "teaching", ("not good", "not good-fair"),
     ("not good", "not good-fair"), "5.2.7.2: agrees"),
])
def test_leads_research_against_teaching_averages(leads, research, teaching, higher, published, correct, why):
    # "rated ... slightly higher in research than in teaching and learning, with the average ... 'fair' in research
    # and 'not-good-fair' in teaching and learning" (and its three like sentences)
    r, t = leads[research]["weighted_average"], leads[teaching]["weighted_average"]
    assert (r > t) == (higher == "research") and r != t, why
    assert (_mean_words(leads[research]), _mean_words(leads[teaching])) == correct, why
    if published != correct:
        assert published[0] != _mean_words(leads[research])  # the report's word, from its misprinted average


def test_leads_organisational_awareness_average_word(leads):
    # 5.2.7.1: '"slightly aware" as the weighted average' is the word for the printed 2.4; Table 10A's counts
    # give 40/15 = 2.67, two thirds of the way from "slightly aware" to "somewhat aware"
    assert _mean_words(leads["org_awareness"]) == "slightly aware-somewhat aware"


def test_leads_free_text_answers_counted_as_the_report_prints_them():
    # 5.2.10: "12/16 respondents reflected on the shared workforce challenges"; 5.2.11: "9 /16 people responded";
    # counted by the report's own item (nmahp.report.builder) from the answers
    from nmahp.analysis import response_frame
    from nmahp.analysis.disclosure import EXACT
    from nmahp.importers import import_file
    from nmahp.instruments import get_instrument
    from nmahp.report.builder import Builder

    form = get_instrument("leads")
    frame = response_frame(form, [r.answers for r in import_file(FIXTURES / "report_leads_surveymonkey.csv",
                                                                  form).respondents])
    builder = Builder("t", "", EXACT)
    for question in ("shared_workforce_challenges", "hei_healthcare_collaboration"):
        builder.open_text(frame, question, form.question(question).label)
    said = [b.text for b in builder.report.blocks]
    assert said[0].startswith("12/16 respondents") and said[1].startswith("9/16 respondents")


def test_leads_knowing_where_to_seek_advice(leads):
    # 5.2.5: "12/16 ... did not know or were not sure ..., with 8 providing a positive response":
    # 12 + 8 = 20 > 16. The counts hold only with 4 positive answers.
    assert count(leads["careers_advice_future"], "yes") == 4


def test_leads_open_text_answer_counts():
    from nmahp.importers import import_file
    from nmahp.instruments import get_instrument

    result = import_file(FIXTURES / "report_leads_surveymonkey.csv", get_instrument("leads"))
    answers = [r.answers for r in result.respondents]
    assert sum(1 for a in answers if a.get("shared_workforce_challenges")) == 12  # 5.2.10: 12/16
    assert sum(1 for a in answers if a.get("hei_healthcare_collaboration")) == 9  # 5.2.11: 9/16


def test_fixture_files_are_current(tmp_path):
    """The committed CSVs are exactly what the builder writes (so the builder is the documentation)."""
    from tests.fixtures.report_fixture import LEADS_CSV, NMAHP_CSV, write

    write(tmp_path / "n.csv", tmp_path / "l.csv")
    assert (tmp_path / "n.csv").read_bytes() == NMAHP_CSV.read_bytes()
    assert (tmp_path / "l.csv").read_bytes() == LEADS_CSV.read_bytes()
