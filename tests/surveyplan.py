"""Answers that take one respondent through the NMAHP survey down one branch, page by page: shared by
the concurrency test and the survey load benchmark, which both drive a real server."""

PLAN = {  # section -> answers, enough to complete the survey down one branch
    "about_you": {"profession": "physiotherapist", "pay_band": "band_7", "job_title": "Physiotherapist"},
    "equality_monitoring": {"gender": "female"},
    "employer": {"region": "greater_manchester", "organisation_type": "acute_trust"},
    "qualifications_awards": {"qualifications": ["degree"]},
    "experience": {"job_description": "research", "time_last_12_months": "research",
                   "time_proportion_research": "under_25"},
    "knowledge_skills_confidence": {"research_knowledge_skills": "good"},
    "career_pathways": {"careers_advice_received": "no", "careers_advice_future": "yes"},
    "interest": {"research_interest": "very_interested"},
    "sparking_interest": {},
    "role_contract_interest": {"roles_of_interest": ["research_only"], "contract_research_only": ["part_time"]},
    "enablers_barriers": {"top_enablers": ["financial_support"], "top_barriers": ["lack_of_contracts"]},
    "follow_up": {"contact_consent": "no"},
}
