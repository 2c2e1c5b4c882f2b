"""The study's two questionnaires are complete, load with pyxform, and use the report's words."""

import json
import re
from pathlib import Path

import pytest

from nmahp.instruments import available, load_instrument

# the report's option wording for some questions (tests/fixtures/reference/README.md)
REPORT_QUESTIONS = Path(__file__).resolve().parents[1] / "fixtures" / "reference" / "report_questions.json"

# Checklist: every subsection of the report's 5.1 and 5.2 and the questions that cover it.
NMAHP_CHECKLIST = {
    "4.2.2/4.3 consent": ["consent"],
    "5.1.1.1 profession": ["profession", "profession_other", "professional_group", "job_title"],
    "5.1.1.2 pay band": ["pay_band", "pay_band_other"],
    "5.1.1.3 years qualified": ["years_qualified"],
    "5.1.1.4 age": ["age"],
    "5.1.1.5 ethnicity": ["ethnicity"],
    "5.1.1.6 gender": ["gender"],
    "5.1.1.7 sexual orientation": ["sexual_orientation"],
    "5.1.1.8 disabilities": ["disability", "disability_other"],
    "5.1.1.9 region": ["region", "region_other"],
    "5.1.1.10 type of organisation": ["organisation_type", "organisation_type_other", "university_status"],
    "5.1.2 qualifications and awards": ["qualifications", "qualifications_other"],
    "5.1.2.1 recent applications": ["recent_applications", "recent_applications_detail"],
    "5.1.2.2 year awarded highest qualification": ["year_highest_qualification"],
    "5.1.3.1 job descriptions": ["job_description"],
    "5.1.3.2 time in the last 12 months": ["time_last_12_months"],
    "5.1.3.3 proportion of time": ["time_proportion_research", "time_proportion_teaching"],
    "5.1.3.4 research activities": ["research_activities", "research_activities_other"],
    "5.1.3.5 teaching activities": ["teaching_activities", "teaching_activities_other"],
    "5.1.4.1 knowledge and skills (Table 1A)": ["research_knowledge_skills", "teaching_knowledge_skills"],
    "5.1.4.2 confidence (Table 2A)": ["research_confidence", "teaching_confidence"],
    "5.1.5 career pathways (Table 3A)": ["research_career_pathway", "teaching_career_pathway"],
    "5.1.6 careers advice": ["careers_advice_received", "careers_advice_future"],
    "5.1.6.1 sources of careers advice": ["careers_advice_sources", "careers_advice_sources_other"],
    "5.1.7 interest in academic careers (Table 4A)": ["research_interest", "teaching_interest"],
    "5.1.7.1 sparking interest": ["sparked_by_people", "sparked_by_activity_at_work", "sparked_by_conference",
                                  "sparked_by_lecture", "sparked_by_training_award", "sparked_by_practice_issue",
                                  "sparked_by_other", "sparked_by_other_detail"],
    "5.1.7.2 roles and contracts (Table 5A)": ["roles_of_interest", "contract_clinical_research",
                                               "contract_clinical_teaching_research", "contract_research_only",
                                               "contract_clinical_teaching", "contract_teaching_research",
                                               "contract_teaching_only", "roles_contracts_comments"],
    "5.1.7.3 workplace preference": ["workplace_preference", "workplace_preference_other"],
    "5.1.7.4 area of interest": ["area_of_interest"],
    "5.1.8 motivators and enablers": ["top_enablers", "top_enablers_other"],
    "5.1.9 barriers": ["top_barriers", "top_barriers_other"],
    "5.1.9.1 open-text enablers and barriers": ["enablers_barriers_comments", "open_comments"],
    "4.2.2.1 follow-up contact": ["contact_consent", "contact_name", "contact_email", "contact_phone"],
}
LEADS_CHECKLIST = {
    "consent": ["consent"],
    "5.2.1 professional background": ["profession", "profession_other", "professional_group"],
    "5.2.1.1 region": ["region", "region_other"],
    "5.2.1.2 type of organisation": ["organisation_type", "organisation_type_other", "university_status"],
    "5.2.1.3 age": ["age"],
    "5.2.1.4 ethnicity, gender, sexual orientation, disabilities": ["ethnicity", "gender", "sexual_orientation",
                                                                    "disability"],
    "5.2.2.1 job descriptions": ["job_description"],
    "5.2.2.2 time in the last 12 months": ["time_last_12_months"],
    "5.2.2.3 proportion of time": ["time_proportion_research", "time_proportion_teaching"],
    "5.2.3.1 knowledge and skills (Table 6A)": ["research_knowledge_skills", "teaching_knowledge_skills"],
    "5.2.3.2 confidence (Table 7A)": ["research_confidence", "teaching_confidence"],
    "5.2.4 career pathways (Table 8A)": ["research_career_pathway", "teaching_career_pathway"],
    "5.2.5 careers advice": ["careers_advice_received", "careers_advice_future"],
    "5.2.5.1 sources of careers advice": ["careers_advice_sources", "careers_advice_sources_other"],
    "5.2.6 interest in supporting careers (Table 9A)": ["teaching_interest", "research_interest"],
    "5.2.7.1 organisational awareness (Table 10A)": ["org_awareness"],
    "5.2.7.2 organisational support (Table 11A)": ["org_support_research", "org_support_teaching"],
    "5.2.8 enablers": ["top_enablers", "top_enablers_other"],
    "5.2.9 barriers": ["top_barriers", "top_barriers_other"],
    "5.2.9.1 open-text enablers and barriers": ["enablers_barriers_comments"],
    "5.2.10 shared workforce challenges": ["shared_workforce_challenges"],
    "5.2.11 HEI and healthcare working together": ["hei_healthcare_collaboration"],
    "4.2.2.1 follow-up contact": ["contact_consent", "contact_name", "contact_email", "contact_phone"],
}


def test_both_workbooks_are_listed():
    assert {"nmahp_survey", "leads_survey"} <= set(available())


@pytest.mark.parametrize("stem", ["nmahp_survey", "leads_survey"])
def test_workbook_loads_with_form_id_and_version(stem, nmahp, leads):
    form = {"nmahp_survey": nmahp, "leads_survey": leads}[stem]
    assert form.form_id == stem
    assert form.version
    assert form.pages()[0].name == "participant_information"


@pytest.mark.parametrize("instrument,checklist", [("nmahp", NMAHP_CHECKLIST), ("leads", LEADS_CHECKLIST)])
def test_every_report_subsection_has_its_questions(instrument, checklist, request):
    form = request.getfixturevalue(instrument)
    missing = {section: [n for n in names if n not in form.questions] for section, names in checklist.items()}
    missing = {s: n for s, n in missing.items() if n}
    assert not missing, f"report subsections without their questions: {missing}"


def test_every_question_of_the_instruments_is_in_a_checklist(nmahp, leads):
    # the converse: a question nobody can place in the report is a question to justify
    for form, checklist in ((nmahp, NMAHP_CHECKLIST), (leads, LEADS_CHECKLIST)):
        placed = {n for names in checklist.values() for n in names}
        unplaced = [q.name for q in form.answer_questions() + [form.questions["professional_group"]]
                    if q.name not in placed and q.name != "job_title"]
        assert not unplaced


def test_report_option_wording_is_used_where_the_report_gives_it(nmahp):
    reference = json.loads(REPORT_QUESTIONS.read_text(encoding="utf-8"))
    ids = {"knowledge_skills_research": "research_knowledge_skills", "confidence_research": "research_confidence",
           "career_pathway_research": "research_career_pathway", "enablers_top3": "top_enablers",
           "barriers_top3": "top_barriers", "research_activities": "research_activities",
           "teaching_activities": "teaching_activities", "workplace_preference": "workplace_preference",
           "pay_band": "pay_band", "region": "region", "gender": "gender", "disability": "disability"}
    assert {item["id"] for item in reference["nmahp_survey"]} == set(ids)
    for item in reference["nmahp_survey"]:
        labels = {c.label for c in nmahp.question(ids[item["id"]]).choices}
        for option in item["options"]:
            # the reference appends its own notes in brackets; the report's wording is what precedes them
            option = re.sub(r"\s*\((?!please specify\)|HEI\)).*\)$", "", option)
            assert option in labels, f"{item['id']}: report option {option!r} missing"


def test_likert_items_are_five_point_scales(nmahp, leads):
    for form in (nmahp, leads):
        likert = [q for q in form.questions.values() if q.is_likert]
        assert len(likert) >= 8
        assert all(len(q.choices) == 5 for q in likert)


def test_table_5a_roles_and_contracts(nmahp):
    roles = [c.label for c in nmahp.question("roles_of_interest").choices]
    assert roles[:6] == ["Clinical and research", "Clinical, teaching and research", "Research only",
                         "Clinical and teaching", "Teaching and research", "Teaching only"]
    contracts = [c.label for c in nmahp.question("contract_research_only").choices]
    assert contracts == ["Full-time", "Part-time", "Fixed-term", "Secondment", "Internship"]


def test_completed_lists_say_so(nmahp):
    # where the report names only the top options, the workbook says the list was completed
    for name in ("profession", "years_qualified", "top_enablers", "top_barriers", "careers_advice_sources"):
        q = nmahp.question(name)
        assert "complet" in (q.notes + " ".join(c.notes for c in q.choices)).lower(), name


def test_profession_covers_every_ahp_and_nursing_field(nmahp):
    names = set(nmahp.question("profession").choice_names())
    ahps = {"art_therapist", "dramatherapist", "music_therapist", "podiatrist", "dietitian", "occupational_therapist",
            "operating_department_practitioner", "orthoptist", "osteopath", "paramedic", "physiotherapist",
            "prosthetist_orthotist", "diagnostic_radiographer", "therapeutic_radiographer",
            "speech_and_language_therapist"}
    nursing = {"nurse", "adult_nurse", "childrens_nurse", "mental_health_nurse", "learning_disability_nurse",
               "community_public_health_nurse", "nursing_associate", "midwife"}
    extra = {"chiropractor", "hearing_aid_dispenser", "practitioner_psychologist", "clinical_scientist",
             "biomedical_scientist", "clinical_research_practitioner", "other"}
    assert ahps | nursing | extra <= names


def test_regions_are_the_report_regions(nmahp):
    assert [c.label for c in nmahp.question("region").choices] == [
        "Greater Manchester", "Cheshire and Merseyside", "Lancashire and South Cumbria", "Other (please specify)"]


def test_contact_details_are_their_own_group(nmahp, leads):
    for form in (nmahp, leads):
        assert set(form.contact_questions()) >= {"contact_name", "contact_email"}


def test_the_workbook_files_load_directly(nmahp):
    assert load_instrument(nmahp.path).questions.keys() == nmahp.questions.keys()
