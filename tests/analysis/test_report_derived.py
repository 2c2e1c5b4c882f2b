"""The report's figures that are not one question's table, reproduced from raw answers: hand-coded text
(job titles, areas of interest, awards) through the coding frames, 'other' answers through their tallies,
combinations through the derived measures, the what-sparked grid as one table and cross-tabulations.
Every number here is computed by `nmahp analyse` from the fixture's answers (words and ticks), never
read back from a count the fixture wrote."""

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nmahp.cli import app

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
NMAHP_CSV = str(FIXTURES / "report_nmahp_surveymonkey.csv")
LEADS_CSV = str(FIXTURES / "report_leads_surveymonkey.csv")


def run(tmp_path_factory, csv, instrument, *extra):
    out = tmp_path_factory.mktemp("derived")
    result = CliRunner().invoke(app, ["analyse", "--input", csv, "--instrument", instrument, "--out", str(out),
                                      *extra])
    assert result.exit_code == 0, result.output
    return {t["id"]: t for t in json.loads((out / "tables.json").read_text())["tables"]}, result.output


@pytest.fixture(scope="module")
def nmahp(tmp_path_factory):
    return run(tmp_path_factory, NMAHP_CSV, "nmahp", "--by", "professional_group")[0]


@pytest.fixture(scope="module")
def leads(tmp_path_factory):
    return run(tmp_path_factory, LEADS_CSV, "leads", "--by", "professional_group")[0]


def crosstab(tmp_path_factory, a, b, csv=NMAHP_CSV, instrument="nmahp"):
    tables, output = run(tmp_path_factory, csv, instrument, "--crosstab", a, b)
    (table,) = tables.values()
    return table, output


def cell(table, option, group=None):
    cells = table["cells"] if group is None else next(g for g in table["groups"] if g["name"] == group)["cells"]
    return next(c for c in cells if c["option"] == option)


def by_label(table, label):
    return next(c for c in table["cells"] if c["label"] == label)


def pct(n, base):
    return round(100 * n / base)


def test_job_titles_coded_into_the_reports_three_categories(nmahp):
    # 5.1.1.1: "97% (n=169) ... 176 job titles overall. 65% ... clinical practice only (n=115) ... 26%
    # research-related (n=45) ... 9% (n=16) education/practice development and improvement"
    table = nmahp["job_title_category"]
    assert table["base_n"] == 169 and pct(169, 174) == 97
    assert table["source"]["kind"] == "coding_frame" and table["source"]["from"] == ["job_title"]
    assert table["mentions"] == 176
    for code, n, share in (("clinical_practice", 115, 65), ("research", 45, 26), ("education_development", 16, 9)):
        assert cell(table, code)["count"] == n
        assert pct(n, table["mentions"]) == share  # the report's percentages are of the 176 titles


def test_research_titles_by_professional_group(nmahp, tmp_path_factory):
    # "A higher proportion of nurses and midwives (36%) provided research-related job titles compared to ...
    # AHPs (15%), with nurses having the highest number of education/development ... titles (n=10)"
    table = nmahp["job_title_category_by_professional_group"]
    assert round(cell(table, "research", "nursing_midwifery")["percent"]) == 36
    assert round(cell(table, "research", "ahp")["percent"]) == 15
    split, _ = crosstab(tmp_path_factory, "job_title_category", "profession")
    nursing = [g for g in split["groups"] if "nurse" in g["name"]]
    education = {g["name"]: cell(split, "education_development", g["name"])["count"] for g in split["groups"]}
    assert sum(education[g["name"]] for g in nursing) == 10
    assert max(education, key=education.get) in {g["name"] for g in nursing}


def test_areas_of_interest_by_topic(nmahp):
    # 5.1.7.4: "102 ... 13 ... midwifery ... 32 ... nursing (including mental health (n=5) and oncology (n=3)).
    # 49 AHPs ... (MSK (n=6), neurology (n=3), pain/pain management (n=4) and paediatrics (n=3) ...)"
    table = nmahp["area_of_interest_topic"]
    assert table["base_n"] == 102
    published = {"midwifery": 13, "nursing": 32, "mental_health": 5, "oncology": 3, "ahp": 49, "msk": 6,
                 "neurology": 3, "pain": 4, "paediatrics": 3}
    assert {o: cell(table, o)["count"] for o in published} == published


@pytest.mark.parametrize("question,label,n,base,where", [
    ("profession_other", "Optometrist", 3, 10, "5.1.1.1 Optometrist (n=3), spelt three ways, one merged"),
    ("pay_band_other", "University", 3, 7, "5.1.1.2: 3 describing 'university' banding (one specifying 7)"),
    ("pay_band_other", "VSM", 1, 7, "5.1.1.2: one VSM"),
    ("organisation_type_other", "HEI/university", 4, 9, "5.1.1.10: 4 at an HEI/university"),
    ("organisation_type_other", "NIHR", 3, 9, "5.1.1.10: 3 at the NIHR"),
    ("qualifications_other", "Professional doctorate", 2, 15, "5.1.2: 15 ... including a professional doctorate"),
    ("sparked_by_other_detail", "Already in role", 2, 11, "5.1.7.1: 11 ... 2 remarked that they were already in role"),
    ("careers_advice_sources_other", "R&D manager", 1, 6, "5.1.6.1"),
    ("workplace_preference_other", "Voluntary sector", 1, 3, "5.1.7.3: three 'other' answers"),
    ("region_other", "Across the North West", 1, 2, "5.1.1.9"),
])
def test_other_answers_tallied(nmahp, question, label, n, base, where):
    table = nmahp[f"{question}_answers"]
    assert table["source"]["kind"] == "tally"
    assert (by_label(table, label)["count"], table["base_n"]) == (n, base), where


def test_disability_other_answers_are_five_distinct(nmahp):
    table = nmahp["disability_other_answers"]  # 5.1.1.8: sensory, dyslexia, ... endometriosis
    assert table["base_n"] == 5 and len(table["cells"]) == 5 and all(c["count"] == 1 for c in table["cells"])


# (measure, published count, published percent, base, where)
MEASURES = [
    ("more_than_one_organisation_type", 10, None, 174, "5.1.1.10: 10 chose more than one organisation"),
    ("mental_health_not_acute_trust", 14, None, 174, "5.1.1.10: a further 14 in a mental health trust"),
    ("community_trust_only", 13, None, 174, "5.1.1.10: an additional 13 in a Community/Care Trust"),
    ("acute_trust_and_primary_care_network", 3, None, 174, "5.1.1.10: 3 acute trust and primary care network"),
    ("higher_degree", 114, 67, 170, "5.1.2: 67% hold/are undertaking a higher degree; summary N=114"),
    ("phd", 23, 14, 170, "5.1.2: 14% (n=23) hold or are undertaking a PhD"),
    ("highest_qualification_last_10_years", None, 59, 170, "5.1.2.2: 59% within the last 10 years"),
    ("research_or_teaching_in_job_description", 144, 83, 174, "5.1.3.1: 83% (n=144)"),
    ("research_and_teaching_in_job_description", 58, 33, 174, "5.1.3.1: 33% (n=58)"),
    ("research_or_teaching_last_12_months", 159, 91, 174, "5.1.3.2: 91% (n=159)"),
    ("research_and_teaching_last_12_months", 70, 40, 174, "5.1.3.2: 40% (n=70)"),
    ("research_over_half_time", 37, 25, None, "5.1.3.3: 25% (n=37)"),
    ("teaching_over_half_time", 10, None, None, "5.1.3.3: (n=10)"),
    ("careers_advice_any", 95, None, 174, "5.1.6: over 50% (n=95)"),
    ("careers_advice_unsure", 98, 56, 174, "5.1.6: 56% (n=98)"),
    ("interested_in_research", 129, 75, 172, "5.1.7: 75% (n=129)"),
    ("interested_in_teaching", 110, 65, 168, "5.1.7: 65% (n=110)"),
]


@pytest.mark.parametrize("name,n,share,base,where", MEASURES, ids=[m[0] for m in MEASURES])
def test_derived_measures(nmahp, name, n, share, base, where):
    table = nmahp[name]
    assert table["source"]["kind"] == "measure" and table["source"]["base"].startswith("respondents who answered")
    yes = cell(table, "yes")
    if n is not None:
        assert yes["count"] == n, where
    if share is not None:
        assert round(yes["percent"]) == share, where
    if base is not None:
        assert table["base_n"] == base, where


def test_nearly_150_interested_in_research_and_or_teaching(nmahp):
    # 8: "a pool of nearly 150 NMAHP clinicians ... interested/very interested in ... research and/or teaching"
    table = nmahp["interested_in_research_or_teaching"]
    assert 140 <= cell(table, "yes")["count"] < 150
    assert table["base_n"] == 174  # base: answered either question
    assert cell(table, "yes")["count"] > nmahp["interested_in_research"]["cells"][0]["count"]


def test_nhs_or_joint_post_cannot_be_109_together(nmahp):
    # 5.1.7.3 prints "69% (n=109) ... an NHS trust/other healthcare setting or hold a joint appointment".
    # 109 (69%) holds for each option on its own; their union cannot be 109: the group splits it gives
    # (NHS 76% vs 61%, joint 68% vs 70%) put at least 59 + 50 + 7 = 116 in one or the other.
    assert nmahp["workplace_preference"]["base_n"] == 158
    table = nmahp["nhs_or_joint_post"]
    assert cell(table, "yes")["count"] >= 116 != 109


def test_sparked_interest_grid_is_one_table_over_152(nmahp):
    # 5.1.7.1: every figure is over the 152 who answered the question, not over each row's respondents
    table = nmahp["sparking_interest"]
    assert table["kind"] == "grid" and table["base_n"] == 152
    assert [r["question"] for r in table["rows"]][:2] == ["sparked_by_people", "sparked_by_activity_at_work"]
    published = [("sparked_by_people", None, 111, 73), ("sparked_by_activity_at_work", None, 102, 67),
                 ("sparked_by_conference", None, 100, 66), ("sparked_by_lecture", None, 93, 61),
                 ("sparked_by_training_award", None, 73, 48), ("sparked_by_practice_issue", None, 70, 46),
                 ("sparked_by_conference", "research", 83, 55), ("sparked_by_conference", "teaching", 51, 34)]
    for row, option, n, share in published:
        found = cell(table, row if option is None else f"{row}/{option}")
        assert (found["count"], round(found["percent"])) == (n, share), (row, option)
    # the same cell over the row's own respondents is the 83% the issue complained of
    assert pct(83, nmahp["sparked_by_conference"]["base_n"]) == 83


def test_grid_breakdown_has_groups_and_tests(nmahp):
    table = nmahp["sparking_interest_by_professional_group"]
    assert {g["name"] for g in table["groups"]} >= {"nursing_midwifery", "ahp"}
    assert table["tests"] and all(t["method"] for t in table["tests"])


# 5.1.7.1's group splits of the grid, each over the group's respondents to the grid, in the report's order
SPARKED_BY_GROUP = [
    # (group, column, rows in the report's order, their published percentages)
    ("ahp", "research", ["sparked_by_activity_at_work", "sparked_by_conference"], [59, 56]),
    ("nursing_midwifery", "research", ["sparked_by_people", "sparked_by_conference", "sparked_by_activity_at_work"],
     [61, 54, 53]),
    ("ahp", "teaching", ["sparked_by_activity_at_work", "sparked_by_people"], [44, 41]),
    ("nursing_midwifery", "teaching", ["sparked_by_people", "sparked_by_activity_at_work"], [61, 54]),
]


@pytest.mark.parametrize("group, column, rows, published", SPARKED_BY_GROUP, ids=lambda v: str(v))
def test_sparked_interest_by_professional_group(nmahp, group, column, rows, published):
    # "59% of AHPs indicated that involvement in research-related activity at work had sparked their interest in
    # research, followed by attendance at a conference (56%) ..." (and the three sentences after it)
    table = nmahp["sparking_interest_by_professional_group"]
    found = next(g for g in table["groups"] if g["name"] == group)
    shares = {c["option"].split("/")[0]: 100 * c["count"] / found["base_n"] for c in found["cells"]
              if c["option"].endswith(f"/{column}")}
    assert [round(shares[r]) for r in rows] == published
    ranked = sorted(shares, key=lambda r: -shares[r])  # 'followed by': the report's rows lead the group's column
    assert ranked[:len(rows)] == rows or [round(shares[r]) for r in ranked[:len(rows)]] == published


def test_grid_split_marks_no_difference_the_report_does_not_make(nmahp):
    # 5.1.7.1 reports no marked difference between the groups for any source of interest; the grid's split is
    # over each group's respondents to the grid, so no row is an artefact of who answered it
    table = nmahp["sparking_interest_by_professional_group"]
    groups = {g["name"]: g["base_n"] for g in table["groups"]}
    assert groups["nursing_midwifery"] + groups["ahp"] + groups.get("other", 0) == table["base_n"] == 152
    assert table["tests"] and not [t["option"] for t in table["tests"] if t["marked"]]


def test_year_of_highest_qualification_by_qualification(tmp_path_factory):
    # 5.1.2.2: "59% ... within the last 10 years (78% of PhDs and 71% of Masters)"
    table, output = crosstab(tmp_path_factory, "year_highest_qualification", "highest_qualification")
    recent = ("within_5", "6_10")
    for group, share in (("phd", 78), ("masters", 71)):
        g = next(x for x in table["groups"] if x["name"] == group)
        assert pct(sum(cell(table, o, group)["count"] for o in recent), g["base_n"]) == share
    assert pct(sum(cell(table, o)["count"] for o in recent), table["base_n"]) == 59
    # row percentages: of everyone awarded within 5 years, the share in each group
    row = [cell(table, "within_5", g["name"])["row_percent"] for g in table["groups"]]
    assert sum(row) == pytest.approx(100)
    # an expected count is under 5 (23 PhDs over four periods): the test is Monte Carlo and says so
    assert table["association"]["test"] == "monte_carlo_chi_square"
    assert "Monte Carlo" in table["association"]["method"] and "Monte Carlo" in output


def test_awards_applied_for_by_application(tmp_path_factory):
    # 5.1.2.1: applying, "10 Masters/Masters modules, 4 ... PCAF and 1 bridging award, 2 ... DCAF, 1 ...
    # ACAF"; unsuccessful, "10 NIHR/HEE/local fellowships, 1 PhD and 9 Masters"
    table, _ = crosstab(tmp_path_factory, "recent_applications_award", "recent_applications")
    applying = {o: cell(table, o, "applying")["count"] for o in ("masters", "pcaf", "bridging", "dcaf", "acaf")}
    assert applying == {"masters": 10, "pcaf": 4, "bridging": 1, "dcaf": 2, "acaf": 1}
    unsuccessful = {o: cell(table, o, "unsuccessful")["count"] for o in ("fellowship", "phd", "masters")}
    assert unsuccessful == {"fellowship": 10, "phd": 1, "masters": 9}


def test_crosstab_of_an_unknown_question_is_one_line(tmp_path):
    result = CliRunner().invoke(app, ["analyse", "--input", NMAHP_CSV, "--instrument", "nmahp", "--out",
                                      str(tmp_path), "--crosstab", "job_title", "region"])
    assert result.exit_code == 2 and "--crosstab: job_title" in result.output


# --- the leads survey (5.2): every derived figure as n/N ---------------------------------------------------------
@pytest.mark.parametrize("name,n,base,where", [
    ("research_or_teaching_in_job_description", 12, 16, "5.2.2.1: 12/16"),
    ("research_and_teaching_in_job_description", 7, 16, "5.2.2.1: (n=7/16)"),
    ("research_or_teaching_last_12_months", 15, 16, "5.2.2.2: 15/16"),
    ("careers_advice_unsure", 12, 16, "5.2.5: 12/16"),
    ("pathway_unclear_research", 12, 15, "5.2.4: 12/15"),
    ("pathway_unclear_teaching", 12, 15, "5.2.4: 12/15"),
    ("interested_in_supporting_teaching", 12, 16, "5.2.6: 12/16"),
    ("interested_in_supporting_research", 13, 16, "5.2.6: 13/16"),
])
def test_leads_measures_as_n_over_n(leads, name, n, base, where):
    table = leads[name]
    assert (cell(table, "yes")["count"], table["base_n"]) == (n, base), where
    assert table["counts_only"] is True and all(c["percent"] is None for c in table["cells"])


def test_leads_other_answers(leads):
    # 5.2.1: "other (3/15) ... a lecturer and GP, academic scientist and a CRP engagement management";
    # 5.2.1.2: "4 people selected 'other' with 2 ... in an HEI, one in a GP practice and another in an ICS"
    professions = leads["profession_other_answers"]
    assert professions["base_n"] == 3 and len(professions["cells"]) == 3
    assert {c["label"].lower() for c in professions["cells"]} == {"lecturer and gp", "academic scientist",
                                                                  "crp engagement management"}
    organisations = leads["organisation_type_other_answers"]
    assert organisations["base_n"] == 4 and by_label(organisations, "HEI")["count"] == 2
    assert by_label(organisations, "GP practice")["count"] == 1
    assert by_label(organisations, "ICS/Health and Care Partnership")["count"] == 1
    assert organisations["counts_only"] is True


def commented(csv_path=LEADS_CSV):
    # N is read from the raw answers: the leads whose 'Anything else about what helps or hinders?' is not blank
    with open(csv_path, encoding="utf-8", newline="") as handle:
        header, _, *rows = csv.reader(handle)
    column = header.index("Anything else about what helps or hinders?")
    return [row[column] for row in rows if row[column].strip()]


def test_leads_comments_on_what_helps_or_hinders_coded(leads):
    # 5.2.9.1: "One person flagged the 'lack of executive support for developing AHP careers in Trusts' as a
    # barrier" and "Two comments were also made about the lack of communication and information about available
    # opportunities": the hand coding of the leads' comments, through the coding frame
    table = leads["enablers_barriers_comment_theme"]
    assert table["source"]["kind"] == "coding_frame" and table["source"]["from"] == ["enablers_barriers_comments"]
    comments = commented()
    assert table["base_n"] == len(comments) and len(comments) > 2
    assert (cell(table, "executive_support")["count"], table["base_n"]) == (1, len(comments))
    assert (cell(table, "communication_of_opportunities")["count"], table["base_n"]) == (2, len(comments))
    # each comment here raises one theme: the two figures are different comments, the rest are other themes
    assert cell(table, "other_theme")["count"] == len(comments) - 3 and table["mentions"] == len(comments)
    assert table["counts_only"] is True


def test_leads_comment_figures_follow_the_words(tmp_path_factory):
    # the counts come from the comments' wording: say the executive barrier another way and a third lead
    # mention opportunities nobody hears of, and the figures move with them
    original = Path(LEADS_CSV).read_text(encoding="utf-8")
    flagged = next(c for c in commented() if "executive support" in c.lower())
    other = next(c for c in commented() if "senior leaders" in c)
    assert original.count(flagged) == 1 and original.count(other) == 1
    reworded = tmp_path_factory.mktemp("reworded") / "leads.csv"
    reworded.write_text(original.replace(flagged, "The Trust board does not back AHP careers.").replace(
        other, "Staff never hear about opportunities until the deadline has passed."), encoding="utf-8")
    tables, _ = run(tmp_path_factory, str(reworded), "leads", "--by", "professional_group")
    table = tables["enablers_barriers_comment_theme"]
    assert cell(table, "executive_support")["count"] == 0
    assert cell(table, "communication_of_opportunities")["count"] == 3
