"""Routes of the coding pages added for passage coding, blind rounds and codebook work (each with its twin)."""

from ..pages import page_and_twin
from . import case_views, codebook_views, passage_views, round_views

urlpatterns = [
    *page_and_twin("coding/<int:project_id>/cases/", case_views.cases, "coding-cases"),
    *page_and_twin("coding/<int:project_id>/search/", passage_views.search, "coding-search"),
    *page_and_twin("coding/<int:project_id>/codebook/", codebook_views.codebook, "coding-codebook"),
    *page_and_twin("coding/<int:project_id>/codebook/<int:code_id>/", codebook_views.code_page, "coding-code"),
    *page_and_twin("coding/<int:project_id>/doc/<int:document_id>/passages/", passage_views.passages,
                   "coding-passages"),
    *page_and_twin("coding/<int:project_id>/doc/<int:document_id>/passages/<int:highlight_id>/",
                   passage_views.highlight_page, "coding-highlight"),
    *page_and_twin("coding/<int:project_id>/rounds/", round_views.rounds, "coding-rounds"),
    *page_and_twin("coding/<int:project_id>/rounds/<int:round_id>/", round_views.round_page, "coding-round"),
    *page_and_twin("coding/<int:project_id>/rounds/<int:round_id>/adjudicate/", round_views.adjudicate,
                   "coding-adjudicate"),
]
